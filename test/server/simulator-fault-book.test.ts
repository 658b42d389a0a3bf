import { describe, expect, it } from 'vitest';
import { simFaults, type Fault } from '../../app/server/simulator';
import { FaultBook } from '../../app/server/simulator/fault-book';
import { retryAfterHeaders } from '../../app/server/simulator/faults';

function book(defaults: Fault[] = [], scale = 1) {
  let now = 0;
  const b = new FaultBook(
    defaults,
    () => now,
    () => scale,
  );
  return { b, at: (t: number) => (now = t) };
}

describe('FaultBook', () => {
  it('strikes every matching request within a forMs window, then disarms', () => {
    const { b, at } = book([], 2);
    b.push({ kind: 'http', status: 429, route: 'status', forMs: 500 });
    expect(b.take({ route: 'status' })?.kind).toBe('http');
    at(999);
    expect(b.take({ route: 'status' })?.kind).toBe('http');
    at(1000);
    expect(b.take({ route: 'status' })).toBeUndefined();
    expect(b.pending()).toEqual([]);
  });

  it('keeps a pushed fault armed forever when times is always', () => {
    const { b } = book();
    b.push({ kind: 'reset', route: 'file', times: 'always' });
    for (let i = 0; i < 5; i++) expect(b.take({ route: 'file', requestId: 'a', outputIndex: 0 })?.kind).toBe('reset');
    expect(b.pending()).toHaveLength(1);
  });

  it('matches a file fault by output index only', () => {
    const { b } = book([simFaults.fileFails([1, 3], 500)]);
    const hits = [0, 1, 2, 3].map((i) => b.take({ route: 'file', requestId: 'a', outputIndex: i })?.kind ?? null);
    expect(hits).toEqual([null, 'http', null, 'http']);
    expect(b.take({ route: 'status', requestId: 'a' })).toBeUndefined();
  });

  it('offers refuse-cancel to cancels and expire-files to requests naming a job only', () => {
    const { b } = book([{ kind: 'refuse-cancel' }, { kind: 'expire-files' }]);
    expect(b.take({ route: 'status', requestId: 'a' })?.kind).toBe('expire-files');
    expect(b.take({ route: 'cancel', requestId: 'a' })?.kind).toBe('refuse-cancel');
    expect(b.take({ route: 'submit' })).toBeUndefined();
  });
});

describe('retryAfterHeaders', () => {
  it('writes delta-seconds as a number', () => {
    expect(retryAfterHeaders(90, 'delta-seconds', 0)).toEqual({ 'Retry-After': '90' });
  });

  it('writes an HTTP-date never sooner than asked, with a Date header on the same clock', () => {
    const wall = Date.UTC(2025, 0, 1, 12, 0, 0, 400);
    const h = retryAfterHeaders(90, 'http-date', wall);
    expect(h.date).toBe('Wed, 01 Jan 2025 12:00:00 GMT');
    expect(h['Retry-After']).toBe('Wed, 01 Jan 2025 12:01:31 GMT');
    expect(Date.parse(h['Retry-After']!) - wall).toBeGreaterThanOrEqual(90_000);
  });
});
