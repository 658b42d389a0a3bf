import { afterEach, describe, expect, it } from 'vitest';
import { RunComfyClient } from '../../app/api/runcomfy/client';
import { fixedPollPolicy } from '../../app/api/poll-policy';
import { createSeedreamService } from '../../app/api/seedream-service';
import { MemoryCache } from '../../app/engine/cache';
import type { RunEvent } from '../../app/engine/events';
import { runGraph } from '../../app/engine/run-graph';
import { journaledSeedream, MemoryJournalStore } from '../../app/engine/seedream-journal';
import { realClock } from '../../app/lib/clock';
import { startSimulator, type SimulatorHandle } from '../../app/server/simulator';
import { registry } from '../../nodes';
import { MemoryAssetStore, RecordingOutputSink } from '../fixtures/fake-run-context';
import { graph } from '../fixtures/graph-builder';

let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Three independent Seedream nodes, each saved. */
const threeJobs = () => {
  const b = graph();
  for (const i of [1, 2, 3]) {
    b.node(`ref${i}`, 'image.load', { image: { kind: 'url', url: `https://example.com/${i}.png` } })
      .node(`gen${i}`, 'seedream.edit-sequential', { prompt: `Generate 2 images, take ${i}`, maxImages: 2 })
      .node(`save${i}`, 'image.save', { prefix: `take-${i}` })
      .edge(`ref${i}.image`, `gen${i}.images`)
      .edge(`gen${i}.images`, `save${i}.images`);
  }
  return b.build();
};

/** One "page": services over a fetch that can be killed (the tab dies: nothing more is sent or read). */
function page(store: MemoryJournalStore, cache: MemoryCache, assets: MemoryAssetStore) {
  let dead = false;
  const fetchOrHang: typeof fetch = (input, init) => (dead ? new Promise<Response>(() => undefined) : fetch(input, init));
  const client = new RunComfyClient({ baseUrl: sim!.baseUrl, token: 't', fetch: fetchOrHang });
  const service = createSeedreamService({ client, assets, clock: realClock, pollPolicy: fixedPollPolicy(20), download: { fetch: fetchOrHang } });
  const journal = journaledSeedream(service, store, cache);
  return { journal, kill: () => (dead = true), services: { api: journal.api, assets, output: new RecordingOutputSink(), clock: realClock } };
}

async function until(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('journaledSeedream with the simulator', () => {
  it('completes the same 3 request ids after a reload mid-run, with 3 submits in total', async () => {
    sim = await startSimulator({ token: 't', timeScale: 0.02, outputScale: 1 / 32, workers: 3, controlRoutes: false });
    const [store, cache, assets] = [new MemoryJournalStore(), new MemoryCache(), new MemoryAssetStore()];
    const wf = threeJobs();

    const first = page(store, cache, assets);
    void runGraph(wf, registry, first.services, { cache });
    await until(() => store.entries.size === 3);
    first.kill();
    const ids = [...store.entries.keys()].sort();
    expect(sim.counts.submits).toBe(3);

    const second = page(store, cache, assets);
    const reports = await second.journal.resumeAll({ signal: new AbortController().signal });
    expect(reports.map((r) => r.outcome)).toEqual(['completed', 'completed', 'completed']);
    expect(reports.map((r) => r.result!.requestId).sort()).toEqual(ids);
    expect(store.entries.size).toBe(0);

    // Running the workflow now shows the stored results: every Seedream node is cached.
    const events: RunEvent[] = [];
    const summary = await runGraph(wf, registry, second.services, { cache, onEvent: (e) => events.push(e) });
    expect(summary.status).toBe('succeeded');
    expect(
      events
        .filter((e) => e.type === 'node-cached')
        .map((e) => (e as { nodeId: string }).nodeId)
        .sort(),
    ).toEqual(['gen1', 'gen2', 'gen3', 'ref1', 'ref2', 'ref3']);
    expect(sim.counts.submits).toBe(3);
  });

  it('marks a request the API has forgotten as lost and does not resubmit it', async () => {
    sim = await startSimulator({ token: 't', timeScale: 0.02, outputScale: 1 / 32, controlRoutes: false });
    const [store, cache, assets] = [new MemoryJournalStore(), new MemoryCache(), new MemoryAssetStore()];
    const wf = graph()
      .node('ref', 'image.load', { image: { kind: 'url', url: 'https://example.com/a.png' } })
      .node('gen', 'seedream.edit-sequential', { prompt: 'Generate 2 images', maxImages: 2 })
      .node('save', 'image.save')
      .edge('ref.image', 'gen.images')
      .edge('gen.images', 'save.images')
      .build();
    const first = page(store, cache, assets);
    void runGraph(wf, registry, first.services, { cache });
    await until(() => store.entries.size === 1);
    first.kill();
    sim.state.expire([...store.entries.keys()][0]!);

    const second = page(store, cache, assets);
    const [report] = await second.journal.resumeAll({ signal: new AbortController().signal });
    expect(report).toMatchObject({ outcome: 'lost', entry: { nodeId: 'gen' } });
    expect(store.entries.size).toBe(1);
    expect(sim.counts.submits).toBe(1);
  });
});
