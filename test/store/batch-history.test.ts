import { describe, expect, it } from 'vitest';
import { MemoryHistoryStore } from '../../app/store/history-entry';
import { attachHistoryRecorder } from '../../app/store/history-recorder';
import { createRunSnapshots } from '../../app/store/run-snapshots';
import { groupHistory } from '../../app/ui/batch/history-groups';
import { createTestStore } from '../fixtures/studio-store';
import { batchPage, references, storyboard, storyboardTsv, until } from './batch-fixtures';

describe('history of a batch', () => {
  it('records each row’s generation with its batch row and the workflow the row ran, grouped by batch', async () => {
    const p = batchPage();
    const { store } = createTestStore();
    const snapshots = createRunSnapshots();
    const history = new MemoryHistoryStore();
    const shots = { forRun: (id: string | undefined) => snapshots.forRun(id) ?? p.batch.runShot(id), madeBy: snapshots.madeBy };
    const recorder = attachHistoryRecorder(store, { ledger: p.ledger, history, snapshots: shots });
    p.batch.openFor('Storyboard', { kind: 'template', title: 'Storyboard' }, storyboard());
    p.batch.paste(storyboardTsv(2));
    p.batch.addImages('ref1', await references(p.world.assets));
    await p.batch.check();
    await p.batch.start();
    await p.clock.drive(until(p.batch, (s) => s.session?.phase === 'finished'));
    await recorder.idle();

    const entries = await history.list();
    const batchId = p.batch.store.getState().session!.batchId;
    expect(entries.map((e) => e.batch).sort((a, b) => a!.rowId.localeCompare(b!.rowId))).toEqual([
      { batchId, rowId: 'fox-1' },
      { batchId, rowId: 'fox-2' },
    ]);
    const fox2 = entries.find((e) => e.batch?.rowId === 'fox-2')!;
    expect(fox2.source).toBe('run');
    const story = (fox2.workflow as { nodes: { id: string; params: { text?: string } }[] }).nodes.find((n) => n.id === 'story');
    expect(story?.params.text).toBe('Generate 2 images: the fox in scene 2');

    const other = { ...entries[0]!, id: 'solo', requestId: 'solo', batch: undefined, finishedAt: entries[0]!.finishedAt + 1 };
    const groups = groupHistory([other, ...entries]);
    expect(groups.map((g) => g.kind)).toEqual(['single', 'batch']);
    expect(groups[1]).toMatchObject({ kind: 'batch', batchId, rows: ['fox-1', 'fox-2'] });
  });
});
