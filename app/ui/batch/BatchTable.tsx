import { memo, useCallback, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BatchProblem, BatchRowStatus } from '../../batch';
import type { ImageRef } from '../../graph/ports';
import type { RowCheck } from '../../store/batch-check';
import type { BatchTableRow } from '../../store/batch-record';
import { rowIdProblem, type BatchColumn } from '../../store/batch-table';
import { useServices } from '../studio-context';
import { BatchCell } from './BatchCell';
import { useBatchStore, useSession } from './use-batch';

const NONE: readonly BatchProblem[] = [];

/** Stores dropped or chosen image files as assets (each checked like a Load Image file); refusals are said above the table. */
export function useImportImages(): (columnId: string, files: readonly File[]) => Promise<void> {
  const services = useServices();
  const batch = useBatchStore();
  return useCallback(
    async (columnId, files) => {
      const refs: ImageRef[] = [];
      const refused: string[] = [];
      for (const file of files) {
        const r = await services.importImage(file, file.name);
        if (r.ok) refs.push(r.ref.kind === 'asset' ? { ...r.ref, name: file.name } : r.ref);
        else refused.push(`“${file.name}”: ${r.message}`);
      }
      batch.addImages(columnId, refs);
      if (refused.length) batch.say('error', `Not used: ${refused.join(' · ')}`);
    },
    [services, batch],
  );
}

function ColumnHeader({ column }: { column: BatchColumn }) {
  const input = useRef<HTMLInputElement>(null);
  const importImages = useImportImages();
  const locked = useSession((s) => s.phase === 'running');
  const images = (list: FileList | null) => [...(list ?? [])].filter((f) => /^image\//.test(f.type) || /\.(png|jpe?g)$/i.test(f.name));
  return (
    <th
      className={`batch-col ${column.image ? 'batch-col-image' : ''}`}
      data-testid={`batch-col-${column.id}`}
      title={column.description}
      onDragOver={(e) => {
        if (column.image && !locked && e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        const files = images(e.dataTransfer.files);
        if (!column.image || locked || files.length === 0) return;
        e.preventDefault();
        e.stopPropagation();
        void importImages(column.id, files);
      }}
    >
      <div className="batch-col-label">
        {column.label}
        {column.required && <span className="tag">every row</span>}
      </div>
      <div className="batch-col-id muted">{column.id}</div>
      {column.linked && <div className="linked-note">Fed by a link in this graph: values here have no effect.</div>}
      {column.image && (
        <>
          <button type="button" disabled={locked} data-testid={`batch-col-add-images-${column.id}`} onClick={() => input.current?.click()}>
            Add images…
          </button>
          <input
            ref={input}
            type="file"
            multiple
            hidden
            accept="image/png,image/jpeg"
            data-testid={`batch-col-images-${column.id}`}
            onChange={(e) => {
              const files = images(e.target.files);
              e.target.value = '';
              if (files.length) void importImages(column.id, files);
            }}
          />
          <div className="muted batch-col-hint">or drop images here: one row each</div>
        </>
      )}
    </th>
  );
}

interface RowViewProps {
  n: number;
  row: BatchTableRow;
  columns: readonly BatchColumn[];
  files: Readonly<Record<string, ImageRef>>;
  idProblem: string | undefined;
  checked: RowCheck | undefined;
  status: BatchRowStatus | undefined;
}

const RowView = memo(function RowView({ n, row, columns, files, idProblem, checked, status }: RowViewProps) {
  const batch = useBatchStore();
  const onChange = useCallback((key: string, columnId: string, value: unknown) => batch.setCell(key, columnId, value), [batch]);
  const elsewhere = checked?.problems.filter((p) => !p.column || !columns.some((c) => c.id === p.column)) ?? [];
  return (
    <>
      <tr className={`batch-row status-${status ?? 'editing'}`} data-testid={`batch-row-${n}`} data-row-id={row.id}>
        <td className="batch-row-head">
          <span className="batch-row-n">{n}</span>
          <input
            className={`widget-input batch-row-id ${idProblem ? 'invalid' : ''}`}
            aria-label={`Row ${n} id`}
            data-testid={`batch-row-id-${n}`}
            value={row.id}
            title={idProblem ?? 'The row id names its folder in the zip'}
            onChange={(e) => batch.setRowId(row.key, e.target.value)}
          />
          {status && (
            <span className={`pill batch-status batch-status-${status}`} data-testid={`batch-row-status-${n}`}>
              {status}
            </span>
          )}
          {checked?.ok && (
            <span className="pill batch-status batch-status-ok" data-testid={`batch-row-ok-${n}`}>
              {checked.done ? 'done earlier' : 'ok'}
            </span>
          )}
        </td>
        {columns.map((c) => (
          <BatchCell
            key={c.id}
            n={n}
            rowKey={row.key}
            column={c}
            value={row.cells[c.id]}
            files={files}
            checked={checked?.problems.filter((p) => p.column === c.id) ?? NONE}
            onChange={onChange}
          />
        ))}
        <td className="batch-row-actions">
          <button
            type="button"
            title="Duplicate this row"
            aria-label={`Duplicate row ${n}`}
            data-testid={`batch-row-dup-${n}`}
            onClick={() => batch.duplicateRow(row.key)}
          >
            Copy
          </button>
          <button
            type="button"
            title="Remove this row"
            aria-label={`Remove row ${n}`}
            data-testid={`batch-row-remove-${n}`}
            onClick={() => batch.removeRow(row.key)}
          >
            ✕
          </button>
        </td>
      </tr>
      {(idProblem || elsewhere.length > 0) && (
        <tr className="batch-row-problems" data-testid={`batch-row-problems-${n}`}>
          <td colSpan={columns.length + 2}>
            {[...(idProblem ? [idProblem] : []), ...elsewhere.map((p) => `${p.nodeId ? `[${p.nodeId}] ` : ''}${p.message}`)].map((m, i) => (
              <div key={i} className="field-problem">
                Row {n}: {m}
              </div>
            ))}
          </td>
        </tr>
      )}
    </>
  );
});

/** The rows × fields table; locked (read-only) while the batch runs. */
export function BatchTable() {
  const { columns, rows, files, locked } = useSession(
    useShallow((s) => ({ columns: s.table.columns, rows: s.table.rows, files: s.table.files, locked: s.phase === 'running' })),
  );
  // Only a check of the table as it is says something about its cells.
  const check = useSession((s) => (s.check?.version === s.version ? s.check : null));
  const statuses = useSession((s) => s.summary?.rows);
  const batch = useBatchStore();
  const statusOf = new Map((statuses ?? []).map((r) => [r.id, r.status] as const));
  return (
    <div className="batch-table-wrap">
      <fieldset className="batch-table-lock" disabled={locked}>
        <table className="batch-table" data-testid="batch-table">
          <thead>
            <tr>
              <th className="batch-row-head">Row</th>
              {columns.map((c) => (
                <ColumnHeader key={c.id} column={c} />
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <RowView
                key={row.key}
                n={i + 1}
                row={row}
                columns={columns}
                files={files}
                idProblem={rowIdProblem(rows, i)}
                checked={check?.rows[row.key]}
                status={statusOf.get(row.id)}
              />
            ))}
          </tbody>
        </table>
        <button type="button" data-testid="batch-add-row" onClick={() => batch.addRow()}>
          + Add row
        </button>
      </fieldset>
    </div>
  );
}
