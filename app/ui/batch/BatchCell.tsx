import { memo } from 'react';
import type { BatchProblem } from '../../batch';
import type { ImageRef } from '../../graph/ports';
import { cellProblem, fileNamed, type BatchColumn } from '../../store/batch-table';
import { FieldWidget } from '../library/FieldWidget';
import { widgetFor } from '../node/widgets/widget-spec';

interface BatchCellProps {
  /** 1-based row number: test ids and labels. */
  n: number;
  rowKey: string;
  column: BatchColumn;
  value: unknown;
  files: Readonly<Record<string, ImageRef>>;
  /** What the last (fresh) check said about this cell. */
  checked: readonly BatchProblem[];
  onChange(rowKey: string, columnId: string, value: unknown): void;
}

/**
 * One cell of the batch table: the field's own widget (the param's schema and hints, as on the
 * node and in the Use-template form), checked with that schema as the user types; under it, what
 * the row's check found for this column.
 */
export const BatchCell = memo(function BatchCell({ n, rowKey, column, value, files, checked, onChange }: BatchCellProps) {
  const spec = { ...widgetFor('value', column.target.schema), label: `${column.label}, row ${n}` };
  const waiting = column.image && typeof value === 'string' && !fileNamed(files, value) ? value : undefined;
  const shown = column.image && typeof value === 'string' ? fileNamed(files, value) : value;
  const problem = cellProblem(column, value, files);
  const testId = `batch-cell-${n}-${column.id}`;
  return (
    <td className={`batch-cell ${problem || checked.length ? 'invalid' : ''}`} data-testid={testId}>
      {waiting && (
        <div className="batch-waiting" title="Drop this file on the column, or choose it here">
          {waiting}
        </div>
      )}
      <FieldWidget id={`batch-${n}-${column.id}`} spec={spec} value={shown} onChange={(v) => onChange(rowKey, column.id, v)} />
      {problem && (
        <div className="field-problem" data-testid={`batch-cell-problem-${n}-${column.id}`}>
          {problem}
        </div>
      )}
      {!problem &&
        checked.map((p, i) => (
          <div key={i} className="field-problem" data-testid={`batch-cell-checked-${n}-${column.id}`}>
            {p.message}
          </div>
        ))}
    </td>
  );
});
