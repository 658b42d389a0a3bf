import { describe, expect, it } from 'vitest';
import { planColumns } from '../../app/batch/resolve-row';
import { parseRows } from '../../app/batch/rows';
import { checkRows, type CheckedRow } from '../../app/batch/validate-rows';
import { MemoryCache } from '../../app/engine/cache';
import { realClock } from '../../app/lib/clock';
import { MemoryAssetStore } from '../fixtures/fake-run-context';
import { memoryImages, png, realPrepare, registry, template } from './batch-fixtures';

const scenes = template('character-scenes');

async function check(csv: string, o: { remote?: Record<string, Uint8Array>; isDone?: (id: string, fp: string) => boolean } = {}) {
  const assets = new MemoryAssetStore();
  const truncated = png(3).slice(0, 60);
  const images = memoryImages({ 'a.png': png(1), 'b.png': png(2), 'broken.png': truncated }, assets);
  const table = parseRows(csv, 'csv');
  const prepare = realPrepare(assets, o.remote);
  let prepared = 0;
  const looked: string[] = [];
  const checked = await checkRows({
    workflow: scenes,
    rows: table.rows,
    columns: planColumns(scenes, table.columns, registry),
    registry,
    images: images.resolve,
    prepare: (r, s) => {
      prepared++;
      return prepare(r, s);
    },
    assets,
    clock: realClock,
    cost: {
      cache: new MemoryCache(),
      ledger: { lookup: async (key) => (looked.push(key), { kind: 'none' }) },
      priceUsd: async () => 0.04,
    },
    ...(o.isDone ? { isDone: o.isDone } : {}),
    signal: new AbortController().signal,
  });
  return { checked, prepared, looked };
}

const problemsOf = (c: CheckedRow) => (c.ok ? [] : c.problems.map((p) => [p.line, p.column, p.code]));

describe('checkRows', () => {
  it('passes good rows with their fingerprint and maximum cost, submitting nothing', async () => {
    const { checked, prepared } = await check('character,scenes,maxImages\na.png,Generate 2 images,2\nb.png,Generate 3 images,3\n');
    expect(checked.map((c) => c.ok)).toEqual([true, true]);
    expect(prepared).toBe(2);
    const [a, b] = checked as Extract<CheckedRow, { ok: true }>[];
    expect(a!.cost).toMatchObject({ maxUsd: 0.08, paidJobs: 1, blocked: [] });
    expect(b!.cost.maxUsd).toBeCloseTo(0.12);
    expect(a!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(a!.fingerprint).not.toBe(b!.fingerprint);
  });

  it('decodes every image like a single run and names the column of a broken one', async () => {
    const { checked } = await check('character,scenes\nbroken.png,Generate 2 images\na.png,Generate 2 images\n');
    expect(checked[1]!.ok).toBe(true);
    expect(problemsOf(checked[0]!)).toEqual([[2, 'character', expect.stringMatching(/image/)]]);
    expect(!checked[0]!.ok && checked[0]!.problems[0]!.nodeId).toBe('gen');
  });

  it('fetches https references and names the column when one cannot be fetched', async () => {
    const ok = 'https://example.com/ok.png';
    const { checked } = await check(`character,scenes\n${ok},Generate 2 images\nhttps://example.com/gone.png,Generate 2 images\n`, {
      remote: { [ok]: png(4) },
    });
    expect(checked[0]!.ok).toBe(true);
    expect(problemsOf(checked[1]!)).toEqual([[3, 'character', 'image-unreachable']]);
  });

  it('reports the planner finding on the column that set the param', async () => {
    const long = 'x'.repeat(3000);
    const { checked } = await check(`character,scenes\na.png,${long}\n`);
    expect(problemsOf(checked[0]!)).toEqual([[2, 'scenes', 'prompt-too-long']]);
  });

  it('reports cells that do not resolve before any dry run', async () => {
    const { checked, prepared } = await check('character,scenes\nnope.png,Generate 2 images\n');
    expect(problemsOf(checked[0]!)).toEqual([[2, 'character', 'value-invalid']]);
    expect(prepared).toBe(0);
  });

  it('neither dry-runs nor costs a row that is done with the same input', async () => {
    const first = await check('character,scenes\na.png,Generate 2 images\n');
    const fp = (first.checked[0] as Extract<CheckedRow, { ok: true }>).fingerprint;
    const again = await check('character,scenes\na.png,Generate 2 images\n', { isDone: (id, f) => id === '0001' && f === fp });
    expect(again.checked[0]).toMatchObject({ ok: true, done: true, cost: { maxUsd: 0 } });
    expect(again.prepared).toBe(0);
    expect(again.looked).toEqual([]);
  });
});
