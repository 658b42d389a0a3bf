import { describe, expect, it } from 'vitest';
import { errorFromReply, exchange, failedBeforeSending, parseRetryAfter, withTimeout, type HttpReply } from '../../../app/api/runcomfy/http';
import { FakeClock } from '../../fixtures/fake-clock';
import { FakeFetch, refusedError, reply, resetError } from '../../fixtures/fake-fetch';

const wallNow = () => Date.parse('2025-06-01T12:00:00Z');
const answer = (status: number, body?: unknown, headers: Record<string, string> = {}): HttpReply => ({
  status,
  headers: new Headers(headers),
  text: body === undefined ? '' : JSON.stringify(body),
  body,
  bodyIsJson: body !== undefined,
});
const ctx = { what: 'Reading request r1', requestId: 'r1', wallNow };

describe('errorFromReply', () => {
  it.each([
    [200, { status: 'ok' }, undefined, undefined],
    [200, { error_code: 0 }, undefined, undefined],
    [200, { error_code: 404001 }, 'not-found', false],
    [200, { error_code: 'E_WEIRD' }, 'api-error', false],
    [400, { error_code: 400001 }, 'invalid-input', false],
    [400, { error_code: 400002 }, 'insufficient-balance', false],
    [400, { error_code: 400004 }, 'auth', false],
    [403, { error_code: 403001 }, 'auth', false],
    [400, {}, 'invalid-input', false],
    [401, {}, 'auth', false],
    [402, {}, 'insufficient-balance', false],
    [403, {}, 'auth', false],
    [404, {}, 'not-found', false],
    [408, {}, 'timeout', true],
    [409, {}, 'api-error', false],
    [422, {}, 'invalid-input', false],
    [429, {}, 'rate-limited', true],
    [500, {}, 'upstream-unavailable', true],
    [502, undefined, 'upstream-unavailable', true],
    [503, {}, 'upstream-unavailable', true],
    [504, {}, 'upstream-unavailable', true],
    [301, undefined, 'bad-response', false],
  ])('HTTP %i %j → %s (retryable %s)', (status, body, code, retryable) => {
    const e = errorFromReply(answer(status, body), ctx);
    expect(e?.code).toBe(code);
    if (e) expect(e).toMatchObject({ retryable, status, requestId: 'r1' });
  });

  it('makes an unexplained error on a 2xx retryable for reads only (the job may be running)', () => {
    expect(errorFromReply(answer(200, { error_code: 'E_WEIRD' }), { ...ctx, read: true })).toMatchObject({ code: 'api-error', retryable: true });
    expect(errorFromReply(answer(200, { error_code: 404001 }), { ...ctx, read: true })).toMatchObject({ code: 'not-found', retryable: false });
    expect(errorFromReply(answer(418, {}), { ...ctx, read: true })).toMatchObject({ code: 'api-error', retryable: false });
  });

  it('writes a message that says what failed, what RunComfy said and what to do', () => {
    const e = errorFromReply(answer(402, { error_message: 'Balance too low' }), ctx);
    expect(e!.message).toBe(
      'Reading request r1 failed: the RunComfy account balance is too low (HTTP 402). RunComfy says: "Balance too low". Top up the account, then run again.',
    );
  });

  it('reads a text error body', () => {
    const e = errorFromReply({ status: 500, headers: new Headers(), text: 'Gateway melted', body: undefined, bodyIsJson: false }, ctx);
    expect(e!.message).toMatch(/RunComfy says: "Gateway melted"/);
  });

  it('carries Retry-After on 429 and 503', () => {
    expect(errorFromReply(answer(429, {}, { 'retry-after': '12' }), ctx)?.retryAfterMs).toBe(12_000);
    expect(errorFromReply(answer(503, {}, { 'retry-after': '2' }), ctx)?.retryAfterMs).toBe(2_000);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['5', {}, 5_000],
    ['0', {}, 0],
    ['1.5', {}, 1_500],
    ['Sun, 01 Jun 2025 12:00:30 GMT', {}, 30_000],
    ['Sun, 01 Jun 2025 12:00:30 GMT', { date: 'Sun, 01 Jun 2025 12:00:20 GMT' }, 10_000],
    ['Sun, 01 Jun 2025 11:00:00 GMT', {}, 0],
    ['soon', {}, undefined],
    ['-3', {}, undefined],
  ])('%s → %s', (value, extra, ms) => {
    expect(parseRetryAfter(new Headers({ 'retry-after': value, ...extra }), wallNow)).toBe(ms);
  });
});

describe('failedBeforeSending', () => {
  it('is true only when no connection was made', () => {
    expect(failedBeforeSending(refusedError())).toBe(true);
    expect(failedBeforeSending(Object.assign(new Error('dns'), { code: 'ENOTFOUND' }))).toBe(true);
    expect(failedBeforeSending(resetError())).toBe(false);
    expect(failedBeforeSending(new TypeError('Failed to fetch'))).toBe(false);
  });
});

describe('exchange', () => {
  it('sends JSON headers, never follows redirects, and parses the answer', async () => {
    const clock = new FakeClock();
    const fake = new FakeFetch(clock);
    let init: RequestInit | undefined;
    const spy = (url: string, i: RequestInit) => ((init = i), fake.fetch(url, i));
    fake.on('POST', '/x', reply(200, { a: 1 }));
    const r = await exchange({ fetch: spy, clock, wallNow, token: 'tok' }, { method: 'POST', url: 'https://h.test/x', body: '{}', timeoutMs: 1_000 });
    expect(r).toMatchObject({ status: 200, body: { a: 1 }, bodyIsJson: true });
    expect(init?.redirect).toBe('manual');
    expect(fake.requests[0]!.headers).toEqual({ accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer tok' });
    expect(clock.pending).toBe(0);
  });
});

describe('withTimeout', () => {
  it('times out work that ignores its signal', async () => {
    const clock = new FakeClock();
    const p = withTimeout(clock, 5_000, undefined, () => new Promise<never>(() => undefined));
    await expect(clock.drive(p)).rejects.toMatchObject({ name: 'TransportFailure', kind: 'timeout' });
    expect(clock.now()).toBe(5_000);
  });

  it('rejects with the caller\u2019s reason when the caller aborts', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = withTimeout(clock, 5_000, ac.signal, () => new Promise<never>(() => undefined));
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
  });
});
