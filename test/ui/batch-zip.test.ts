import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BATCH_SUMMARY_VERSION, withTotals, type BatchRowSummary, type BatchSummary } from '../../app/batch';
import type { ImageRef } from '../../app/graph/ports';
import { workflowFromPng } from '../../app/graph/workflow-png';
import type { Workflow } from '../../app/graph/workflow-schema';
import type { JobRecord } from '../../app/ledger';
import type { BatchOutput, BatchTableRow } from '../../app/store/batch-record';
import { defaultColumnIds, resolveColumns } from '../../app/store/batch-table';
import { batchZip, type BatchZipInput } from '../../app/ui/batch/batch-zip';
import { png, registry, template } from '../batch/batch-fixtures';
import { jobRecord, storedRecord } from '../fixtures/job-records';

const asset = (id: string, name?: string): ImageRef & { kind: 'asset' } => ({
  kind: 'asset',
  assetId: id.repeat(64).slice(0, 64),
  mime: 'image/png',
  ...(name ? { name } : {}),
});

const row = (id: string, line: number, over: Partial<BatchRowSummary>): BatchRowSummary => ({
  id,
  line,
  status: 'succeeded',
  requestIds: [],
  jobIds: [],
  costUsd: 0,
  files: [],
  ...over,
});

/** The storyboard with row `id`'s story written in: what that row ran. */
const ranBy = (workflow: Workflow, id: string): Workflow => ({
  ...workflow,
  meta: { ...workflow.meta, name: `storyboard ${id}` },
  nodes: workflow.nodes.map((n) => (n.id === 'story' ? { ...n, params: { ...n.params, text: `Generate 2 images: ${id}` } } : n)),
});

/**
 * Three rows of the storyboard: fox-1 succeeded with two images, fox-2 failed at RunComfy,
 * fox-3 succeeded but one of its images can no longer be read.
 */
function input(over: { workflow?: Workflow } = {}): BatchZipInput {
  const workflow = over.workflow ?? template('storyboard');
  const { columns } = resolveColumns(workflow, defaultColumnIds(workflow, registry), registry);
  const refs = [asset('1', 'one.png'), asset('2', 'two.png'), asset('3', 'three.png')];
  const rows: BatchTableRow[] = ['fox-1', 'fox-2', 'fox-3'].map((id, i) => ({
    key: `k${i}`,
    id,
    cells: { ref1: refs[0], ref2: refs[1], ref3: refs[2], story: `Generate 2 images: ${id}`, maxImages: 2 },
  }));
  const records: JobRecord[] = [
    storedRecord('job-1', { requestId: 'req-1', costUsd: 0.08 }),
    jobRecord('job-2', { requestId: 'req-2', state: 'failed', error: { code: 'job-failed', message: 'The prompt was refused' } }),
    storedRecord('job-3', { requestId: 'req-3', costUsd: 0.08 }),
  ];
  const outputs: Record<string, BatchOutput[]> = {
    'fox-1': [
      { file: 'storyboard-01.png', image: asset('a') },
      { file: 'storyboard-02.png', image: asset('b') },
    ],
    'fox-3': [
      { file: 'storyboard-01.png', image: asset('c') },
      { file: 'storyboard-02.png', image: asset('d') },
    ],
  };
  const byBytes = new Map([
    [asset('a').assetId, png(11)],
    [asset('b').assetId, png(12)],
    [asset('c').assetId, png(13)],
  ]);
  const summary: BatchSummary = withTotals({
    batchVersion: BATCH_SUMMARY_VERSION,
    batchId: 'batch-1',
    status: 'failed',
    source: { origin: 'template:storyboard', name: 'Storyboard' },
    rowsFile: 'rows.tsv',
    mode: 'simulator',
    startedAt: '2026-01-05T00:00:00.000Z',
    updatedAt: '2026-01-05T00:01:00.000Z',
    totals: { rows: 0, queued: 0, running: 0, succeeded: 0, failed: 0, invalid: 0, skipped: 0, interrupted: 0, images: 0, costUsd: 0 },
    problems: [],
    rows: [
      row('fox-1', 2, { requestIds: ['req-1'], jobIds: ['job-1'], costUsd: 0.08, maxCostUsd: 0.08 }),
      row('fox-2', 3, {
        status: 'failed',
        requestIds: ['req-2'],
        jobIds: ['job-2'],
        costUsd: 0.08,
        error: { code: 'job-failed', message: 'The prompt was refused', nodeId: 'gen', requestId: 'req-2' },
      }),
      row('fox-3', 4, { requestIds: ['req-3'], jobIds: ['job-3'], costUsd: 0.08 }),
    ],
  });
  return {
    summary,
    workflow,
    columns,
    rows,
    outputs,
    rowWorkflow: async (id) => ranBy(workflow, id),
    jobs: async (ids) => records.filter((r) => ids.includes(r.jobId)),
    bytesOf: async (ref) => {
      const bytes = ref.kind === 'asset' ? byBytes.get(ref.assetId) : undefined;
      if (!bytes) throw new Error('This image is no longer stored in this browser.');
      return bytes;
    },
  };
}

const unzip = async (o: BatchZipInput) => unzipSync(await batchZip(o));
const json = (files: Record<string, Uint8Array>, name: string) => JSON.parse(strFromU8(files[name]!)) as Record<string, unknown>;

describe('batchZip', () => {
  it('writes a folder per row with its images and manifest, and batch.json and template.json at the top', async () => {
    const o = input();
    const files = await unzip(o);
    expect(Object.keys(files).sort()).toEqual([
      'batch.json',
      'fox-1/manifest.json',
      'fox-1/storyboard-01.png',
      'fox-1/storyboard-02.png',
      'fox-2/manifest.json',
      'fox-3/manifest.json',
      'fox-3/storyboard-01.png',
      'template.json',
    ]);
    expect(json(files, 'template.json')).toEqual(JSON.parse(JSON.stringify(o.workflow)));
    const batch = json(files, 'batch.json') as BatchSummary;
    expect(batch).toMatchObject({ batchId: 'batch-1', status: 'failed', totals: { rows: 3, succeeded: 2, failed: 1 } });
    expect(batch.rows.map((r) => [r.id, r.status, r.files])).toEqual([
      ['fox-1', 'succeeded', ['fox-1/storyboard-01.png', 'fox-1/storyboard-02.png']],
      ['fox-2', 'failed', []],
      ['fox-3', 'succeeded', ['fox-3/storyboard-01.png']],
    ]);
  });

  it('lists every job of a row with its request id and billing in the row manifest', async () => {
    const files = await unzip(input());
    const first = json(files, 'fox-1/manifest.json');
    expect(first).toMatchObject({
      rowId: 'fox-1',
      line: 2,
      status: 'succeeded',
      costUsd: 0.08,
      maxCostUsd: 0.08,
      requestIds: ['req-1'],
      files: ['storyboard-01.png', 'storyboard-02.png'],
      cells: { ref1: { image: 'one.png', assetId: asset('1').assetId }, story: 'Generate 2 images: fox-1', maxImages: 2 },
    });
    expect(first.jobs).toEqual([
      {
        jobId: 'job-1',
        nodeId: 'gen',
        requestId: 'req-1',
        state: 'stored',
        billing: 'billed',
        costUsd: 0.08,
        outputUrls: ['https://x/0.png', 'https://x/1.png'],
      },
    ]);
    const failed = json(files, 'fox-2/manifest.json');
    expect(failed).toMatchObject({ status: 'failed', error: { message: 'The prompt was refused', requestId: 'req-2' }, files: [] });
    expect(failed.jobs).toEqual([expect.objectContaining({ jobId: 'job-2', requestId: 'req-2', state: 'failed', message: 'The prompt was refused' })]);
  });

  it('names a job by the title of its node when the node has one', async () => {
    const titled = template('storyboard');
    titled.nodes = titled.nodes.map((n) => (n.id === 'gen' ? { ...n, title: 'Fox panels' } : n));
    const files = await unzip(input({ workflow: titled }));
    expect((json(files, 'fox-1/manifest.json').jobs as { nodeTitle?: string }[])[0]!.nodeTitle).toBe('Fox panels');
    // The untitled storyboard: no title to give (the first test's manifest has none).
    const plain = await unzip(input());
    expect(json(plain, 'fox-1/manifest.json').jobs).toEqual([expect.not.objectContaining({ nodeTitle: expect.anything() })]);
  });

  it('embeds the workflow each succeeded row ran in its PNGs', async () => {
    const o = input();
    const files = await unzip(o);
    for (const [name, id] of [
      ['fox-1/storyboard-01.png', 'fox-1'],
      ['fox-1/storyboard-02.png', 'fox-1'],
      ['fox-3/storyboard-01.png', 'fox-3'],
    ] as const) {
      const read = workflowFromPng(files[name]!, registry);
      if (!read.ok) throw new Error(`${name}: ${read.issues.map((i) => i.message).join('; ')}`);
      expect(read.workflow.meta.name).toBe(`storyboard ${id}`);
      expect(read.workflow.nodes.find((n) => n.id === 'story')!.params.text).toBe(`Generate 2 images: ${id}`);
    }
  });

  it('lists an image whose bytes cannot be read under missing, with the reason, and still writes the zip', async () => {
    const files = await unzip(input());
    const third = json(files, 'fox-3/manifest.json');
    expect(third.files).toEqual(['storyboard-01.png']);
    expect(third.missing).toEqual([{ file: 'storyboard-02.png', reason: 'This image is no longer stored in this browser.' }]);
    expect(json(files, 'fox-1/manifest.json').missing).toBeUndefined();
    expect(files['fox-3/storyboard-02.png']).toBeUndefined();
  });
});
