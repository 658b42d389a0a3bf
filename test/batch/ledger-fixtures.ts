import type { GenerationRequest } from '../../app/graph/generation';
import { JobLedger, MemoryLedgerStore } from '../../app/ledger';
import { FakeClock } from '../fixtures/fake-clock';
import { CountingAssets, FakeProvider } from '../fixtures/fake-provider';

/** A real JobLedger over the fake provider, on a fake clock. */
export function fakeLedger() {
  const clock = new FakeClock();
  const provider = new FakeProvider(clock);
  const store = new MemoryLedgerStore();
  let n = 0;
  const ledger = new JobLedger({
    store,
    provider,
    assets: new CountingAssets(),
    clock,
    wallNow: () => Date.UTC(2026, 11, 1) + clock.now(),
    owner: { id: 'batch-test' },
    policy: { nextDelayMs: () => 1_000 },
    random: () => 0.5,
    newJobId: () => `job-${++n}`,
  });
  return { clock, provider, store, ledger };
}

/** A Seedream-shaped request for `maxOutputs` images. */
export const requestFor = (maxOutputs: number): GenerationRequest => ({
  model: 'bytedance/seedream-4-5/edit-sequential',
  prompt: `Generate ${maxOutputs} images`,
  references: [{ kind: 'url', url: 'https://example.com/a.png' }],
  params: { maxImages: maxOutputs, resolution: '2048x2048 (1:1)', seed: 1 },
  maxOutputs,
});
