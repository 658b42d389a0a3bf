import { MemoryCache } from '../../app/engine/cache';
import { JobLedger, MemoryLedgerStore } from '../../app/ledger';
import { MemoryBatchRecordStore } from '../../app/store/batch-record';
import { createBatchStore, type BatchState, type BatchStore } from '../../app/store/batch-store';
import { png, registry, template } from '../batch/batch-fixtures';
import { FakeClock } from '../fixtures/fake-clock';
import { CountingAssets, FakeProvider } from '../fixtures/fake-provider';

/** What outlives a page: the ledger's records, assets, cache and stored batches (a reload keeps them). */
export interface BatchWorld {
  time: { current: FakeClock };
  provider: FakeProvider;
  ledgerStore: MemoryLedgerStore;
  assets: CountingAssets;
  cache: MemoryCache;
  records: MemoryBatchRecordStore;
}

/**
 * A batch store on a real JobLedger over the fake provider (2 images per job, $0.04 each) and a
 * fake clock. Pass `world` from an earlier page to model a reload of the same tab: a new ledger
 * and batch store on the same records, assets, cache and stored batches.
 */
export function batchPage(world?: BatchWorld) {
  const clock = new FakeClock(world?.time.current.now() ?? 0);
  const time = world?.time ?? { current: clock };
  time.current = clock;
  const w: BatchWorld = world ?? {
    time,
    provider: new FakeProvider({ now: () => time.current.now() } as FakeClock),
    ledgerStore: new MemoryLedgerStore(),
    assets: new CountingAssets(),
    cache: new MemoryCache(),
    records: new MemoryBatchRecordStore(),
  };
  w.provider.defaults = { queueMs: 1_000, runMs: 5_000, outputs: 2 };
  let n = w.ledgerStore.records.size;
  const ledger = new JobLedger({
    store: w.ledgerStore,
    provider: w.provider,
    assets: w.assets,
    clock,
    wallNow: () => Date.UTC(2026, 0, 5) + clock.now(),
    owner: { id: 'tab-1' },
    leaseMs: 30_000,
    policy: { nextDelayMs: () => 1_000 },
    random: () => 0.5,
    onStop: 'collect',
    newJobId: () => `job-${++n}`,
  });
  const batch = createBatchStore({
    registry,
    ledger,
    prepare: (request) => w.provider.prepare(request),
    priceUsd: async () => 0.04,
    assets: w.assets,
    cache: w.cache,
    clock,
    wallNow: () => Date.UTC(2026, 0, 5) + clock.now(),
    records: w.records,
    ownerId: 'tab-1',
    mode: () => 'simulator',
  });
  return { world: w, clock, ledger, batch, provider: w.provider };
}

/** Resolves once the batch state satisfies `test`. */
export function until(batch: BatchStore, test: (s: BatchState) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (test(batch.store.getState())) return resolve();
    const off = batch.store.subscribe((s) => {
      if (!test(s)) return;
      off();
      resolve();
    });
  });
}

export const storyboard = () => template('storyboard');

/** Three named reference images stored as assets. */
export async function references(assets: CountingAssets) {
  const out = [];
  for (const [i, name] of ['one.png', 'two.png', 'three.png'].entries()) out.push({ ...(await assets.put(png(i + 1))), name });
  return out;
}

/** A TSV of `n` storyboard rows naming one.png/two.png/three.png, 2 panels each. */
export function storyboardTsv(n: number, tag = 'fox'): string {
  const lines = ['id\tref1\tref2\tref3\tstory\tmaxImages'];
  for (let i = 1; i <= n; i++) lines.push(`${tag}-${i}\tone.png\ttwo.png\tthree.png\tGenerate 2 images: the ${tag} in scene ${i}\t2`);
  return lines.join('\n');
}
