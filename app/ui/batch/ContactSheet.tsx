import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BatchRowSummary } from '../../batch';
import { formatUsd } from '../../engine/estimate-cost';
import type { ImageRef } from '../../graph/ports';
import { Thumbnail } from '../frames/Thumbnail';
import { useStudioStore } from '../studio-context';
import { openBatchRow } from './open-row';
import { useBatchStore, useSession } from './use-batch';

const SHOWN = 8;

const RowCard = memo(function RowCard({ row, images, onOpen }: { row: BatchRowSummary; images: readonly ImageRef[] | undefined; onOpen(id: string): void }) {
  const more = (images?.length ?? 0) - SHOWN;
  return (
    <li className={`batch-sheet-card status-${row.status}`} data-testid={`batch-sheet-${row.id}`} data-status={row.status}>
      <button
        type="button"
        className="batch-sheet-head"
        data-testid={`batch-open-${row.id}`}
        title="Open this row's run as a graph, with its outputs"
        onClick={() => onOpen(row.id)}
      >
        <span className="batch-sheet-id">{row.id}</span>
        <span className={`pill batch-status batch-status-${row.status}`}>{row.status}</span>
        {row.costUsd > 0 && <span className="muted">{formatUsd(row.costUsd)}</span>}
      </button>
      <div className="batch-sheet-frames">
        {(images ?? []).slice(0, SHOWN).map((ref, i) => (
          <Thumbnail key={`${ref.kind === 'asset' ? ref.assetId : ref.url}-${i}`} image={ref} size={72} alt={`Row ${row.id}, image ${i + 1}`} />
        ))}
        {more > 0 && <span className="history-more">+{more}</span>}
        {!images?.length && (
          <span className="muted batch-sheet-empty">{row.status === 'running' ? 'working…' : row.status === 'queued' ? 'waiting' : 'no images'}</span>
        )}
      </div>
      {row.error && (
        <div className="field-problem batch-sheet-error" title={row.error.message}>
          {row.error.message}
        </div>
      )}
      {row.requestIds.length > 0 && <div className="muted batch-sheet-request">request {row.requestIds.join(', ')}</div>}
    </li>
  );
});

/** One card per row with its results as they arrive; a card opens the row's run as a graph. */
export function ContactSheet() {
  const store = useStudioStore();
  const batch = useBatchStore();
  const { rows, sheet } = useSession(useShallow((s) => ({ rows: s.summary?.rows, sheet: s.sheet })));
  if (!rows) return null;
  const open = async (rowId: string) => {
    const workflow = await batch.rowWorkflow(rowId);
    if (!workflow) return batch.say('error', `Row ${rowId} no longer resolves to a graph (a cell or an image changed).`);
    if (openBatchRow(store, workflow, rowId)) batch.hide();
  };
  return (
    <ul className="batch-sheet" data-testid="batch-sheet">
      {rows.map((r) => (
        <RowCard key={r.id} row={r} images={sheet[r.id]} onOpen={(id) => void open(id)} />
      ))}
    </ul>
  );
}
