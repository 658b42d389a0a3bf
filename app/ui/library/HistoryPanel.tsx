import { useEffect, useState } from 'react';
import { loadWorkflow } from '../../graph/load-workflow';
import type { ImageRef } from '../../graph/ports';
import { formatUsd } from '../../engine/estimate-cost';
import type { HistoryEntry } from '../../store/history-entry';
import { groupHistory } from '../batch/history-groups';
import { showLoaded } from '../chrome/open-file';
import { Thumbnail } from '../frames/Thumbnail';
import { useServices, useStudio, useStudioStore } from '../studio-context';
import { entryFolder, historyZip } from './history-zip';
import { Modal } from './Modal';

const SHOWN_FRAMES = 6;
const SOURCE_TEXT: Record<HistoryEntry['source'], string | undefined> = {
  run: undefined,
  late: 'collected after stop',
  reattached: 're-attached after reload',
};

function HistoryCard({ entry, onOpen, onDownload }: { entry: HistoryEntry; onOpen(): void; onDownload(): void }) {
  const more = entry.images.length - SHOWN_FRAMES;
  const source = SOURCE_TEXT[entry.source];
  return (
    <li className="history-card" data-testid={`history-entry-${entry.requestId}`}>
      <div className="history-frames">
        {entry.images.slice(0, SHOWN_FRAMES).map((ref, i) => (
          <Thumbnail key={`${ref.assetId}-${i}`} image={ref} size={72} alt={`Frame ${i + 1}`} />
        ))}
        {more > 0 && <span className="history-more">+{more}</span>}
      </div>
      <div className="history-info">
        <div className="history-prompt" title={entry.prompt}>
          {entry.prompt || <span className="muted">(no prompt)</span>}
        </div>
        <div className="muted history-facts">
          {new Date(entry.finishedAt).toLocaleString()} · {entry.nodeTitle ?? entry.nodeId} · {entry.images.length} frame{entry.images.length === 1 ? '' : 's'}{' '}
          · {entry.references.length} reference{entry.references.length === 1 ? '' : 's'}
          {entry.costUsd !== undefined && ` · ${formatUsd(entry.costUsd)}`}
          {source && <span className="pill pill-user"> {source}</span>}
          {entry.batch && <span className="pill pill-builtin">row {entry.batch.rowId}</span>}
        </div>
        <div className="muted history-request">
          request <code>{entry.requestId}</code>
        </div>
      </div>
      <div className="history-actions">
        <button
          type="button"
          data-testid={`history-open-${entry.requestId}`}
          disabled={entry.workflow === undefined}
          title={entry.workflow === undefined ? 'The graph that made this is not known' : undefined}
          onClick={onOpen}
        >
          Open the graph
        </button>
        <button type="button" data-testid={`history-download-${entry.requestId}`} onClick={onDownload}>
          Download
        </button>
      </div>
    </li>
  );
}

/**
 * Every completed generation across runs (newest first), with its frames from browser storage
 * (copied on arrival, so they outlive the provider's URLs): open the graph that made it,
 * download one, or download all as a zip.
 */
export function HistoryPanel({ onClose }: { onClose(): void }) {
  const store = useStudioStore();
  const services = useServices();
  const revision = useStudio((s) => s.historyRevision);
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!services.history) return setEntries([]);
    let live = true;
    services.history.list().then(
      (list) => live && setEntries(list),
      (err: unknown) => live && setProblem(`The history could not be read: ${err instanceof Error ? err.message : String(err)}`),
    );
    return () => {
      live = false;
    };
  }, [services.history, revision]);

  const bytesOf = async (ref: ImageRef) => new Uint8Array(await (await services.images.original(ref)).arrayBuffer());
  const download = async (list: HistoryEntry[], name: string) => {
    setBusy(true);
    try {
      const zip = await historyZip(list, bytesOf);
      services.download(name, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    } catch (err) {
      setProblem(`The zip could not be made: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const open = (entry: HistoryEntry) => {
    const label = `the graph of request ${entry.requestId}`;
    if (showLoaded(store, loadWorkflow(entry.workflow, services.registry), label)) onClose();
  };

  return (
    <Modal title="History" testId="history-panel" className="history-panel" onClose={onClose}>
      <div className="gallery-actions">
        <button
          type="button"
          data-testid="history-download-all"
          disabled={busy || !entries?.length}
          onClick={() => entries && void download(entries, 'sequence-studio-history.zip')}
        >
          {busy ? 'Zipping…' : 'Download all (.zip)'}
        </button>
        <span className="muted">{entries ? `${entries.length} generation${entries.length === 1 ? '' : 's'}` : ''}</span>
      </div>
      {problem && (
        <div className="issue error" role="alert">
          {problem}
        </div>
      )}
      {!services.history && <p className="muted">Browser storage is unavailable: nothing is recorded.</p>}
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="muted" data-testid="history-empty">
          No generations yet. Every finished Seedream job is recorded here with its frames, its cost and the graph that made it.
        </p>
      ) : (
        <ul className="history-list">
          {groupHistory(entries).map((g) =>
            g.kind === 'single' ? (
              <HistoryCard
                key={g.entry.id}
                entry={g.entry}
                onOpen={() => open(g.entry)}
                onDownload={() => void download([g.entry], `${entryFolder(g.entry)}.zip`)}
              />
            ) : (
              <li key={g.batchId} className="history-batch" data-testid={`history-batch-${g.batchId}`}>
                <div className="history-batch-head">
                  <strong>Batch</strong> <code>{g.batchId}</code>
                  <span className="muted">
                    {' '}
                    · {g.entries.length} generation{g.entries.length === 1 ? '' : 's'} · {g.rows.length} row{g.rows.length === 1 ? '' : 's'}
                  </span>
                  <button
                    type="button"
                    data-testid={`history-batch-download-${g.batchId}`}
                    onClick={() => void download(g.entries, `${g.batchId}-history.zip`)}
                  >
                    Download batch
                  </button>
                </div>
                <ul className="history-list">
                  {g.entries.map((entry) => (
                    <HistoryCard
                      key={entry.id}
                      entry={entry}
                      onOpen={() => open(entry)}
                      onDownload={() => void download([entry], `${entryFolder(entry)}.zip`)}
                    />
                  ))}
                </ul>
              </li>
            ),
          )}
        </ul>
      )}
    </Modal>
  );
}
