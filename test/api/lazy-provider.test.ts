import { describe, expect, it } from 'vitest';
import { lazyProvider } from '../../app/api/lazy-provider';
import { FakeClock } from '../fixtures/fake-clock';
import { FakeProvider } from '../fixtures/fake-provider';

describe('lazyProvider', () => {
  it('loads the implementation once, on the first call, and forwards every call', async () => {
    let loads = 0;
    const inner = new FakeProvider(new FakeClock());
    const p = lazyProvider('fake', 'https://fake.api/v1', async () => {
      loads++;
      return inner;
    });
    expect([p.id, p.endpoint, loads]).toEqual(['fake', 'https://fake.api/v1', 0]);
    const request = { model: 'm', prompt: 'p', references: [], params: {}, maxOutputs: 1 };
    const prepared = await p.prepare(request, new AbortController().signal);
    const { requestId } = await p.submit(prepared);
    expect((await p.read(requestId, 'status')).state).toBe('queued');
    expect((await p.cancel(requestId)).outcome).toBe('cancelled');
    expect(await p.priceUsd('m')).toBe(0.04);
    expect(loads).toBe(1);
    expect(inner.calls).toMatchObject({ prepare: 1, submit: 1, status: 1, cancel: 1 });
  });

  it('loads again on the next call after a failed load, when the first load failed', async () => {
    let loads = 0;
    const inner = new FakeProvider(new FakeClock());
    const p = lazyProvider('fake', 'https://fake.api/v1', async () => {
      if (++loads === 1) throw new Error('Failed to fetch dynamically imported module');
      return inner;
    });
    const request = { model: 'm', prompt: 'p', references: [], params: {}, maxOutputs: 1 };
    await expect(p.prepare(request, new AbortController().signal)).rejects.toThrow(/dynamically imported/);
    expect(inner.calls).toMatchObject({ prepare: 0 });
    await p.prepare(request, new AbortController().signal);
    expect(await p.priceUsd('m')).toBe(0.04);
    expect(loads).toBe(2);
    expect(inner.calls).toMatchObject({ prepare: 1 });
  });
});
