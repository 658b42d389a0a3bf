import { useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatOfName } from '../../batch';
import type { ImageRef } from '../../graph/ports';
import { commandFor, isTextEntry } from '../../store/shortcuts';
import { Modal } from '../library/Modal';
import '../styles/batch.css';
import { useServices } from '../studio-context';
import { BatchCostBar } from './BatchCostBar';
import { BatchProgress } from './BatchProgress';
import { BatchRowsInput, useRowsFile } from './BatchRowsInput';
import { BatchTable } from './BatchTable';
import { batchZip } from './batch-zip';
import { ContactSheet } from './ContactSheet';
import { useBatchStore, useSession } from './use-batch';

function NoFields({ source }: { source: 'template' | 'graph' }) {
  return (
    <div className="issue warning batch-no-fields" data-testid="batch-no-fields">
      <p>
        This {source} exposes no fields, so a batch has nothing to vary. To choose what each row fills in, press <strong>Save as template…</strong> in the
        toolbar, tick the params a row should set (the reference images, the story, the number of panels…), save, then use <strong>Batch…</strong> on that
        template in the gallery.
      </p>
      <p>
        Or paste rows whose header names params as <code>node.param</code> (for example <code>gen.prompt</code>): each becomes a column.
      </p>
    </div>
  );
}

/** Downloads the batch as one zip: a folder per row with its images and manifest, and batch.json. */
function useDownloadZip() {
  const services = useServices();
  const batch = useBatchStore();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    const s = batch.store.getState().session;
    if (!s?.summary) return;
    setBusy(true);
    try {
      const zip = await batchZip({
        summary: s.summary,
        workflow: s.workflow,
        columns: s.table.columns,
        rows: s.table.rows,
        outputs: s.outputs,
        rowWorkflow: (id) => batch.rowWorkflow(id),
        jobs: (ids) => batch.jobRecords(ids),
        bytesOf: async (ref: ImageRef) => new Uint8Array(await (await services.images.original(ref)).arrayBuffer()),
      });
      const name = `${s.title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'batch'}-${s.batchId.slice(-8)}.zip`;
      services.download(name, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    } catch (err) {
      batch.say('error', `The zip could not be made: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return { busy, download };
}

/**
 * Batch…: a template (or the graph's exposed fields) over the rows of a table. Rows are typed,
 * pasted, or read from a dropped rows file or images; every row is checked and the batch costed
 * before Start; while it runs, progress and a contact sheet; afterwards Retry and one zip.
 * Closing the dialog leaves a running batch running (the toolbar's Batch button shows it).
 */
export function BatchDialog() {
  const batch = useBatchStore();
  const s = useSession(
    useShallow((x) => ({
      title: x.title,
      source: x.source.kind,
      columns: x.table.columns.length,
      phase: x.phase,
      message: x.message,
      notes: x.notes,
      started: x.summary !== null,
      canUndo: x.past.length > 0,
      canRedo: x.future.length > 0,
    })),
  );
  const readRows = useRowsFile();
  const zip = useDownloadZip();
  const running = s.phase === 'running';

  // Graph shortcuts (Delete, Ctrl+Z, Ctrl+Enter…) belong to the canvas: in this dialog, Ctrl+Z undoes a table edit.
  const onKeyDown = (e: KeyboardEvent) => {
    const command = commandFor(e);
    if (!command || command === 'escape') return;
    e.preventDefault();
    if (command === 'undo') batch.undo();
    if (command === 'redo') batch.redo();
  };

  return (
    <Modal title={`Batch: ${s.title}`} testId="batch-dialog" className="batch-dialog" onClose={() => batch.hide()}>
      <div
        className="batch-body"
        onKeyDown={onKeyDown}
        onPaste={(e) => {
          const text = e.clipboardData.getData('text');
          if (isTextEntry(e.target) || running || !/\r?\n/.test(text.trim())) return;
          e.preventDefault();
          batch.paste(text);
        }}
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes('Files')) e.preventDefault();
        }}
        onDrop={(e) => {
          const files = [...e.dataTransfer.files];
          if (files.length === 0) return;
          e.preventDefault();
          const rowsFile = files.find((f) => formatOfName(f.name));
          if (running) batch.say('error', 'The table is locked while the batch runs.');
          else if (rowsFile) void readRows(rowsFile);
          else batch.say('error', 'Drop images on the header of an image column (one row per image), or a .csv/.tsv/.jsonl rows file anywhere here.');
        }}
      >
        {s.message && (
          <div
            className={`issue ${s.message.tone === 'error' ? 'error' : 'info'}`}
            role={s.message.tone === 'error' ? 'alert' : 'status'}
            data-testid="batch-message"
          >
            {s.message.text}
            <button type="button" className="link-button dismiss" aria-label="Dismiss" onClick={() => batch.dismissMessage()}>
              ✕
            </button>
          </div>
        )}
        {s.notes.length > 0 && (
          <ul className="batch-notes" data-testid="batch-notes">
            {s.notes.map((n, i) => (
              <li key={i} className="field-problem">
                {n.message}
              </li>
            ))}
          </ul>
        )}
        {s.columns === 0 ? (
          <>
            <NoFields source={s.source} />
            <BatchRowsInput />
          </>
        ) : (
          <>
            <BatchRowsInput />
            <BatchTable />
            {!running && <BatchCostBar />}
            <BatchProgress />
            <ContactSheet />
          </>
        )}
        <div className="modal-actions">
          <button type="button" data-testid="batch-undo" disabled={!s.canUndo || running} onClick={() => batch.undo()}>
            ↶ Undo
          </button>
          <button type="button" data-testid="batch-redo" disabled={!s.canRedo || running} onClick={() => batch.redo()}>
            ↷ Redo
          </button>
          <span className="batch-actions-gap" />
          <button type="button" data-testid="batch-download" disabled={!s.started || zip.busy} onClick={() => void zip.download()}>
            {zip.busy ? 'Zipping…' : 'Download all (.zip)'}
          </button>
          {!running && (
            <button type="button" data-testid="batch-discard" onClick={() => batch.discard()}>
              Discard batch
            </button>
          )}
          <button type="button" className="primary" data-testid="batch-close" onClick={() => batch.hide()}>
            {running ? 'Close (keeps running)' : 'Close'}
          </button>
        </div>
      </div>
    </Modal>
  );
}
