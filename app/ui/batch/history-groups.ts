import type { HistoryEntry } from '../../store/history-entry';

/** A run of the history as the panel lists it: one generation, or every generation of one batch. */
export type HistoryGroup = { kind: 'single'; entry: HistoryEntry } | { kind: 'batch'; batchId: string; entries: HistoryEntry[]; rows: string[] };

/**
 * Groups a batch's generations (entries whose job was tagged with a batch row) where the batch's
 * newest one is; everything else stays as it is, newest first.
 */
export function groupHistory(entries: readonly HistoryEntry[]): HistoryGroup[] {
  const groups: HistoryGroup[] = [];
  const byBatch = new Map<string, Extract<HistoryGroup, { kind: 'batch' }>>();
  for (const entry of entries) {
    const id = entry.batch?.batchId;
    if (!id) {
      groups.push({ kind: 'single', entry });
      continue;
    }
    let group = byBatch.get(id);
    if (!group) {
      group = { kind: 'batch', batchId: id, entries: [], rows: [] };
      byBatch.set(id, group);
      groups.push(group);
    }
    group.entries.push(entry);
    if (!group.rows.includes(entry.batch!.rowId)) group.rows.push(entry.batch!.rowId);
  }
  for (const g of byBatch.values()) g.rows.sort();
  return groups;
}
