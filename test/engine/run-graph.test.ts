import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, defineNode } from '../../app/graph/registry';
import { MemoryCache, type CacheStore } from '../../app/engine/cache';
import type { RunEvent } from '../../app/engine/events';
import { runGraph } from '../../app/engine/run-graph';
import { graph } from '../fixtures/graph-builder';
import { fakeServices, idsOf, maxOverlap, ofType, runRecorded } from '../fixtures/run-harness';
import { createStubKit, imageNames, stubImage } from '../fixtures/stub-kinds';

/** Exactly one terminal event per node between run-start and run-done. */
function expectWellFormed(events: readonly RunEvent[]) {
  expect(events[0]?.type).toBe('run-start');
  expect(events.at(-1)?.type).toBe('run-done');
  const planned = ofType(events, 'run-start')[0]!.nodeIds;
  const terminal = events.filter((e) => ['node-cached', 'node-done', 'node-error', 'node-skipped'].includes(e.type));
  expect(terminal.map((e) => ('nodeId' in e ? e.nodeId : '')).sort()).toEqual([...planned].sort());
}

/** `n` independent slow nodes of `ms` each, all feeding one sink. */
function parallel(n: number, ms: number) {
  const b = graph().node('sink', 'stub.sink');
  for (let i = 0; i < n; i++) b.node(`s${i}`, 'stub.slow', { ms, label: `s${i}` }).edge(`s${i}.out`, 'sink.in', { order: i });
  return b.build();
}

describe('runGraph', () => {
  it('runs nodes in topological order and reports success when every node works', async () => {
    const kit = createStubKit();
    const wf = graph()
      .node('sink', 'stub.sink')
      .node('t', 'stub.transform', { tag: 'x' })
      .node('src', 'stub.source', { name: 'a' })
      .edge('t.out', 'sink.in')
      .edge('src.out', 't.in')
      .build();
    const { events, summary } = await runRecorded(wf, kit.registry, { concurrency: 1 });
    expectWellFormed(events);
    expect(idsOf(events, 'node-start')).toEqual(['src', 't', 'sink']);
    expect(ofType(events, 'run-start')[0]).toMatchObject({ runId: 'run-1', nodeIds: ['src', 't', 'sink'] });
    expect(summary).toMatchObject({ status: 'succeeded', counts: { planned: 3, done: 3, cached: 0, failed: 0, skipped: 0 } });
    expect(imageNames(kit.received.get('sink')?.in)).toEqual(['a/x']);
    expect(summary.nodes.get('t')).toMatchObject({ status: 'done', outputs: { out: [stubImage('a/x')] } });
  });

  it('merges a multiple input in link order when links are listed out of order', async () => {
    const kit = createStubKit();
    const wf = graph()
      .node('x', 'stub.source', { name: 'x' })
      .node('y', 'stub.source', { name: 'y' })
      .node('l', 'stub.join')
      .node('j', 'stub.join')
      .node('s', 'stub.sink')
      .edge('x.out', 'l.images')
      .edge('y.out', 'l.images')
      .edge('y.out', 'j.images', { order: 2 })
      .edge('l.out', 'j.images', { order: 1 })
      .edge('x.out', 'j.images', { order: 0 })
      .edge('j.out', 's.in')
      .build();
    await runRecorded(wf, kit.registry);
    expect(imageNames(kit.received.get('j')?.images)).toEqual(['x', 'x', 'y', 'y']);
  });

  it('runs independent branches at the same time when the limit allows', async () => {
    const kit = createStubKit();
    const { events, summary } = await runRecorded(parallel(2, 100), kit.registry);
    expect(
      ofType(events, 'node-start')
        .filter((e) => e.nodeId !== 'sink')
        .map((e) => e.at),
    ).toEqual([0, 0]);
    expect(summary.durationMs).toBe(100);
  });

  it('never runs more nodes at once than the concurrency limit', async () => {
    const kit = createStubKit();
    const { events, summary } = await runRecorded(parallel(7, 100), kit.registry, { concurrency: 3 });
    expect(maxOverlap(events)).toBe(3);
    expect(kit.probe.maxRunning).toBe(3);
    expect(summary.durationMs).toBe(300);
  });

  it('starts a node as soon as its own inputs are ready when another branch is still busy', async () => {
    const kit = createStubKit();
    const wf = graph()
      .node('fast', 'stub.slow', { ms: 100 })
      .node('after', 'stub.transform')
      .node('long', 'stub.slow', { ms: 300 })
      .node('s', 'stub.sink')
      .edge('fast.out', 'after.in')
      .edge('after.out', 's.in')
      .edge('long.out', 's.in')
      .build();
    const { events } = await runRecorded(wf, kit.registry);
    expect(ofType(events, 'node-start').map((e) => `${e.nodeId}@${e.at}`)).toEqual(['fast@0', 'long@0', 'after@100', 's@300']);
  });

  it('reports progress clamped to 0..1 and keeps annotations as meta', async () => {
    const kit = createStubKit();
    const { events } = await runRecorded(parallel(1, 40), kit.registry);
    expect(ofType(events, 'node-progress').map((e) => [e.nodeId, e.fraction, e.message, e.at])).toEqual([
      ['s0', 0, 'started', 0],
      ['s0', 1, 'finished', 40],
    ]);
    expect(ofType(events, 'node-done').find((e) => e.nodeId === 's0')).toMatchObject({ durationMs: 40, meta: { sleptMs: 40 } });
  });

  it('runs only the targets and their ancestors when targets are given', async () => {
    const kit = createStubKit();
    const { events } = await runRecorded(parallel(3, 10), kit.registry, { targets: ['s1'] });
    expect(idsOf(events, 'node-done')).toEqual(['s1']);
  });

  describe('with a cache', () => {
    /** a → b → sink, c → sink: b is the node tests change. */
    const chain = (bTag: string) =>
      graph()
        .node('a', 'stub.source', { name: 'a' })
        .node('b', 'stub.transform', { tag: bTag })
        .node('c', 'stub.source', { name: 'c' })
        .node('sink', 'stub.sink')
        .edge('a.out', 'b.in')
        .edge('b.out', 'sink.in')
        .edge('c.out', 'sink.in')
        .build();

    it('goes on to the dependants while a result is written to the cache, and ends the run once every write is done', async () => {
      const kit = createStubKit();
      const writes: { key: string; release: () => void }[] = [];
      const inner = new MemoryCache();
      // A cache whose writes wait until the test lets them through (a slow disk).
      const cache: CacheStore = {
        get: (key) => inner.get(key),
        set: (key, value) => new Promise<void>((release) => writes.push({ key, release: () => void inner.set(key, value).then(release) })),
      };
      const events: RunEvent[] = [];
      let settled = false;
      const services = fakeServices();
      const run = runGraph(chain('x'), kit.registry, services, { runId: 'run-1', cache, onEvent: (e) => events.push(e) }).then((s) => {
        settled = true;
        return s;
      });
      for (let i = 0; i < 50 && idsOf(events, 'node-done').length < 4; i++) await services.clock.advance(100);
      // Every node ran though no write has finished: the sink did not wait for b's result to be written.
      expect(idsOf(events, 'node-done').sort()).toEqual(['a', 'b', 'c', 'sink']);
      expect(ofType(events, 'run-done')).toHaveLength(0);
      expect(settled).toBe(false);
      for (const w of writes) w.release();
      const summary = await run;
      expect(summary.status).toBe('succeeded');
      expect(events.at(-1)?.type).toBe('run-done');
      for (const w of writes) expect(await inner.get(w.key)).toBeDefined();
    });

    it('ends at a stop while a result is still being written to the cache, and survives a log that throws on a failed write', async () => {
      const kit = createStubKit();
      // A write that never ends (a stuck disk), then one that fails while the log throws.
      const never: CacheStore = { get: async () => undefined, set: () => new Promise<void>(() => undefined) };
      const stop = new AbortController();
      const events: RunEvent[] = [];
      const services = fakeServices();
      const run = runGraph(chain('x'), kit.registry, services, { runId: 'run-1', cache: never, signal: stop.signal, onEvent: (e) => events.push(e) });
      for (let i = 0; i < 50 && idsOf(events, 'node-done').length < 4; i++) await services.clock.advance(100);
      stop.abort();
      const summary = await run;
      // Every node had finished: the run says what they did, without waiting for the stuck write.
      expect(summary.status).toBe('succeeded');
      expect(events.at(-1)?.type).toBe('run-done');

      const failing: CacheStore = { get: async () => undefined, set: async () => Promise.reject(new Error('disk full')) };
      const throwing = {
        ...fakeServices(),
        log: () => {
          throw new Error('log is broken');
        },
      };
      const second = await throwing.clock.drive(runGraph(chain('y'), kit.registry, throwing, { runId: 'run-2', cache: failing }));
      expect(second.status).toBe('succeeded');
    });

    it('calls no node when an unchanged graph runs again', async () => {
      const kit = createStubKit();
      const cache = new MemoryCache();
      const first = await runRecorded(chain('x'), kit.registry, { cache });
      const second = await runRecorded(chain('x'), kit.registry, { cache });
      expect(kit.totalCalls()).toBe(4);
      expect(idsOf(second.events, 'node-start')).toEqual([]);
      expect(idsOf(second.events, 'node-cached')).toEqual(['a', 'c', 'b', 'sink']);
      expect(second.summary.counts).toMatchObject({ cached: 4, done: 0 });
      const keys = (events: RunEvent[]) =>
        Object.fromEntries([...ofType(events, 'node-done'), ...ofType(events, 'node-cached')].map((e) => [e.nodeId, e.cacheKey]));
      expect(keys(second.events)).toEqual(keys(first.events));
      expect(second.summary.nodes.get('b')).toMatchObject({ status: 'cached', outputs: { out: [stubImage('a/x')] } });
    });

    it('reruns only the changed node and what is downstream of it when one param changes', async () => {
      const kit = createStubKit();
      const cache = new MemoryCache();
      await runRecorded(chain('x'), kit.registry, { cache });
      const second = await runRecorded(chain('y'), kit.registry, { cache });
      expect(idsOf(second.events, 'node-start')).toEqual(['b', 'sink']);
      expect(idsOf(second.events, 'node-cached')).toEqual(['a', 'c']);
      expect(Object.fromEntries(kit.calls)).toEqual({ a: 1, b: 2, c: 1, sink: 2 });
    });

    it('keeps a result out of the cache when its node asks to (a partial paid result), and runs it again next time', async () => {
      let runs = 0;
      const partial = defineNode({
        kind: 'stub.partial',
        version: 1,
        title: 'Partial',
        category: 'Test',
        description: 'Asks not to be cached.',
        inputs: [],
        outputs: [{ name: 'out', type: 'image-list' }],
        params: z.object({}),
        isOutput: true,
        async run({ ctx }) {
          runs++;
          ctx.doNotCache('1 image still missing');
          return { out: [stubImage(`p${runs}`)] };
        },
      });
      const registry = createRegistry([partial]);
      const cache = new MemoryCache();
      const wf = graph().node('p', 'stub.partial').build();
      await runRecorded(wf, registry, { cache });
      const second = await runRecorded(wf, registry, { cache });
      expect(runs).toBe(2);
      expect(idsOf(second.events, 'node-cached')).toEqual([]);
      expect(cache.size).toBe(0);
    });

    it('always runs an alwaysRun node and never stores it', async () => {
      const kit = createStubKit();
      const cache = new MemoryCache();
      const wf = graph().node('a', 'stub.source').node('save', 'stub.always').edge('a.out', 'save.in').build();
      await runRecorded(wf, kit.registry, { cache });
      const second = await runRecorded(wf, kit.registry, { cache });
      expect(idsOf(second.events, 'node-start')).toEqual(['save']);
      expect(kit.calls.get('save')).toBe(2);
      expect(cache.size).toBe(1);
    });

    it('runs the node and logs a warning when the cache fails or holds a result that no longer fits', async () => {
      const kit = createStubKit();
      const broken: CacheStore = { get: () => Promise.reject(new Error('disk gone')), set: () => Promise.reject(new Error('disk full')) };
      const first = await runRecorded(parallel(1, 10), kit.registry, { cache: broken });
      expect(first.summary.status).toBe('succeeded');
      expect(first.services.logs.map((l) => l.message)).toEqual(
        expect.arrayContaining([expect.stringMatching(/disk gone/), expect.stringMatching(/disk full/)]),
      );
      const stale: CacheStore = { get: async () => ({ outputs: { wrong: 1 } as never, meta: {} }), set: async () => undefined };
      const second = await runRecorded(parallel(1, 10), kit.registry, { cache: stale });
      expect(idsOf(second.events, 'node-start')).toEqual(['s0', 'sink']);
      expect(second.services.logs.some((l) => /no longer fits/.test(l.message))).toBe(true);
    });
  });

  describe('when a node fails', () => {
    const wf = () =>
      graph()
        .node('ok', 'stub.slow', { ms: 200, label: 'ok' })
        .node('okSink', 'stub.sink')
        .node('bad', 'stub.fail', { ms: 50, code: 'rate-limited', message: 'try later', retryable: true })
        .node('t', 'stub.transform')
        .node('badSink', 'stub.sink')
        .node('both', 'stub.sink')
        .edge('ok.out', 'okSink.in')
        .edge('bad.out', 't.in')
        .edge('t.out', 'badSink.in')
        .edge('ok.out', 'both.in')
        .edge('t.out', 'both.in')
        .build();

    it('skips every dependant, finishes the other branch and reports the error', async () => {
      const kit = createStubKit();
      const { events, summary } = await runRecorded(wf(), kit.registry);
      expectWellFormed(events);
      expect(ofType(events, 'node-error')).toEqual([
        {
          type: 'node-error',
          runId: 'run-1',
          at: 50,
          nodeId: 'bad',
          durationMs: 50,
          error: { code: 'rate-limited', message: 'try later', retryable: true, field: 'in' },
        },
      ]);
      expect(ofType(events, 'node-skipped').map((e) => [e.nodeId, e.reason, e.because])).toEqual([
        ['t', 'upstream-failed', 'bad'],
        ['badSink', 'upstream-failed', 'bad'],
        ['both', 'upstream-failed', 'bad'],
      ]);
      expect(idsOf(events, 'node-done')).toEqual(['ok', 'okSink']);
      expect(summary).toMatchObject({ status: 'failed', counts: { planned: 6, done: 2, failed: 1, skipped: 3 } });
      expect(kit.calls.has('t')).toBe(false);
    });

    it('fails the node with invalid-output when it returns outputs that break its contract', async () => {
      const kit = createStubKit();
      const bad = graph().node('b', 'stub.bad-output', { mode: 'wrong-type' }).node('s', 'stub.sink').edge('b.out', 's.in').build();
      const { events } = await runRecorded(bad, kit.registry);
      expect(ofType(events, 'node-error')[0]?.error).toMatchObject({ code: 'invalid-output', field: 'out', message: expect.stringMatching(/not a list/) });
    });
  });

  it('runs nothing and reports the issues when the plan is invalid', async () => {
    const kit = createStubKit();
    const wf = graph().node('a', 'stub.source').node('t', 'stub.transform').node('s', 'stub.sink').edge('a.out', 's.in').edge('t.out', 's.in').build();
    const { events, summary } = await runRecorded(wf, kit.registry);
    expectWellFormed(events);
    expect(kit.totalCalls()).toBe(0);
    expect(ofType(events, 'node-skipped').map((e) => e.reason)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(summary).toMatchObject({ status: 'invalid', issues: [{ code: 'input-missing', nodeId: 't', field: 'in' }] });
    expect(ofType(events, 'run-done')[0]?.issues).toEqual(summary.issues);
  });

  describe('when aborted', () => {
    it('stops promptly: running nodes error as aborted, the rest are skipped, nothing else starts', async () => {
      const kit = createStubKit();
      const services = fakeServices();
      const controller = new AbortController();
      const events: RunEvent[] = [];
      const run = runGraph(parallel(4, 1000), kit.registry, services, { concurrency: 2, signal: controller.signal, onEvent: (e) => events.push(e) });
      await services.clock.advance(400);
      controller.abort();
      const summary = await run;
      expectWellFormed(events);
      expect(ofType(events, 'node-error').map((e) => [e.nodeId, e.error.code, e.durationMs, e.at])).toEqual([
        ['s0', 'aborted', 400, 400],
        ['s1', 'aborted', 400, 400],
      ]);
      expect(ofType(events, 'node-skipped').map((e) => [e.nodeId, e.reason])).toEqual([
        ['s2', 'aborted'],
        ['s3', 'aborted'],
        ['sink', 'aborted'],
      ]);
      expect(summary).toMatchObject({ status: 'aborted', durationMs: 400, counts: { failed: 2, skipped: 3 } });
      expect(services.clock.pending).toBe(0);
      const seen = events.length;
      await services.clock.advance(5000);
      expect(events.length).toBe(seen);
      expect(idsOf(events, 'node-start')).toEqual(['s0', 's1']);
    });

    it('keeps a result that arrives after the stop: cached for the next run and reported', async () => {
      // Like a billed Seedream job that cannot be cancelled: it ignores the stop and finishes.
      const billed = defineNode({
        kind: 'stub.billed',
        version: 1,
        title: 'Billed',
        category: 'Test',
        description: 'Finishes despite a stop.',
        inputs: [],
        outputs: [{ name: 'out', type: 'image' }],
        params: z.object({}),
        async run({ ctx }) {
          await ctx.clock.sleep(1000);
          ctx.annotate({ requestId: 'req-late' });
          return { out: stubImage('late') };
        },
      });
      const kit = createStubKit([billed]);
      const services = fakeServices();
      const cache = new MemoryCache();
      const late: [string, unknown][] = [];
      const wf = graph().node('b', 'stub.billed').node('sink', 'stub.sink').edge('b.out', 'sink.in').build();
      const controller = new AbortController();
      const run = runGraph(wf, kit.registry, services, { cache, signal: controller.signal, onLateResult: (id, r) => late.push([id, r.meta]) });
      await services.clock.advance(100);
      controller.abort();
      expect((await run).status).toBe('aborted');
      await services.clock.advance(1000);
      expect(late).toEqual([['b', { requestId: 'req-late' }]]);
      const again = await runRecorded(wf, kit.registry, { cache });
      expect(idsOf(again.events, 'node-cached')).toEqual(['b']);
      expect(again.summary.nodes.get('b')).toMatchObject({ status: 'cached', meta: { requestId: 'req-late' } });
    });

    it('skips every node when the signal is already aborted', async () => {
      const kit = createStubKit();
      const { events, summary } = await runRecorded(parallel(2, 10), kit.registry, { signal: AbortSignal.abort() });
      expect(ofType(events, 'node-skipped').map((e) => e.reason)).toEqual(['aborted', 'aborted', 'aborted']);
      expect(summary.status).toBe('aborted');
      expect(kit.totalCalls()).toBe(0);
    });
  });

  it("rejects with the listener's error and stops the run when onEvent throws", async () => {
    const kit = createStubKit();
    const services = fakeServices();
    const run = runGraph(parallel(2, 100), kit.registry, services, {
      onEvent: (e) => {
        if (e.type === 'node-start' && e.nodeId === 's1') throw new Error('listener broke');
      },
    });
    await expect(services.clock.drive(run)).rejects.toThrow('listener broke');
    expect(services.clock.pending).toBe(0);
    expect(kit.calls.has('s1')).toBe(false);
  });

  it('rejects without running anything when onEvent throws on run-start', async () => {
    const kit = createStubKit();
    const services = fakeServices();
    const seen: string[] = [];
    const run = runGraph(parallel(2, 100), kit.registry, services, {
      onEvent: (e) => {
        seen.push(e.type);
        if (e.type === 'run-start') throw new Error('no listener today');
      },
    });
    await expect(services.clock.drive(run)).rejects.toThrow('no listener today');
    expect(kit.totalCalls()).toBe(0);
    expect(seen.at(-1)).toBe('run-done');
  });

  it('keeps its invariants on random graphs with random failures', async () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    for (let round = 0; round < 25; round++) {
      const kit = createStubKit();
      const b = graph().node('sink', 'stub.sink');
      const size = 5 + rand(20);
      const upstream = new Map<string, string[]>();
      const hasOut = new Set<string>();
      for (let i = 0; i < size; i++) {
        const id = `n${i}`;
        if (rand(10) === 0) b.node(id, 'stub.fail', { ms: 10 * rand(5) });
        else b.node(id, 'stub.slow', { ms: 10 * rand(6), label: id });
        const ups = new Set<string>();
        for (let k = rand(3); i > 0 && k > 0; k--) ups.add(`n${rand(i)}`);
        for (const u of ups) {
          b.edge(`${u}.out`, `${id}.in`);
          hasOut.add(u);
        }
        upstream.set(id, [...ups]);
      }
      const leaves = [...upstream.keys()].filter((id) => !hasOut.has(id));
      for (const id of leaves) b.edge(`${id}.out`, 'sink.in');
      upstream.set('sink', leaves);
      const concurrency = 1 + rand(4);
      const { events, summary } = await runRecorded(b.build(), kit.registry, { concurrency });

      expectWellFormed(events);
      expect(maxOverlap(events)).toBeLessThanOrEqual(concurrency);
      const finished = new Set<string>();
      const failedOrSkipped = new Set<string>();
      for (const e of events) {
        if (e.type === 'node-start') for (const u of upstream.get(e.nodeId) ?? []) expect(finished.has(u)).toBe(true);
        if (e.type === 'node-done') finished.add(e.nodeId);
        if (e.type === 'node-error' || e.type === 'node-skipped') failedOrSkipped.add(e.nodeId);
        if (e.type === 'node-skipped') expect((upstream.get(e.nodeId) ?? []).some((u) => failedOrSkipped.has(u))).toBe(true);
      }
      expect(summary.status).toBe(failedOrSkipped.size ? 'failed' : 'succeeded');
    }
  });
});
