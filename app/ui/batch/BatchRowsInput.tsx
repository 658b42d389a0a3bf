import { useRef, useState } from 'react';
import { formatOfName } from '../../batch';
import { useBatchStore, useSession } from './use-batch';

/** Largest rows file read in the browser (a few thousand rows of prompts and names are far below it). */
const MAX_ROWS_FILE_BYTES = 8 * 1024 * 1024;

/** Reads a dropped or chosen rows file (.csv, .tsv, .jsonl) into the table; anything else is refused, saying why. */
export function useRowsFile(): (file: File) => Promise<void> {
  const batch = useBatchStore();
  return async (file) => {
    if (!formatOfName(file.name)) return batch.say('error', `“${file.name}” is not a rows file: name it .csv, .tsv or .jsonl.`);
    if (file.size > MAX_ROWS_FILE_BYTES) return batch.say('error', `“${file.name}” is ${(file.size / 1048576).toFixed(1)} MB; split it (at most 8 MB).`);
    batch.paste(await file.text(), file.name);
  };
}

/**
 * Rows from outside the table: pasted CSV/TSV/JSONL text (a header of field ids or
 * `<node>.<param>`, optionally `id`), or a rows file chosen or dropped on the dialog.
 */
export function BatchRowsInput() {
  const batch = useBatchStore();
  const locked = useSession((s) => s.phase === 'running');
  const columns = useSession((s) => s.table.columns.map((c) => c.id).join('\t'));
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const readFile = useRowsFile();
  return (
    <div className="batch-rows-input">
      <div className="gallery-actions">
        <button type="button" disabled={locked} data-testid="batch-paste-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          Paste rows…
        </button>
        <button type="button" disabled={locked} data-testid="batch-rows-file-button" onClick={() => fileInput.current?.click()}>
          Open rows file…
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          accept=".csv,.tsv,.tab,.jsonl,.ndjson,text/csv,text/tab-separated-values"
          data-testid="batch-rows-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void readFile(file);
          }}
        />
        <span className="muted">or drop a .csv/.tsv/.jsonl file, or images on an image column</span>
      </div>
      {open && (
        <div className="batch-paste">
          <textarea
            data-testid="batch-paste-text"
            aria-label="Rows to paste"
            spellCheck={false}
            rows={5}
            placeholder={`A header line, then one line per row (tabs or commas), e.g.\nid\t${columns}`}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <div className="modal-actions">
            <button
              type="button"
              className="primary"
              data-testid="batch-paste-add"
              disabled={text.trim() === ''}
              onClick={() => {
                batch.paste(text);
                setText('');
                setOpen(false);
              }}
            >
              Add rows
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
