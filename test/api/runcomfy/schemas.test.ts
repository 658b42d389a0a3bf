import { describe, expect, it } from 'vitest';
import { errorText, isTerminal, normaliseState, parseCancel, parseCatalog, parseResult, parseStatus, readErrorBody } from '../../../app/api/runcomfy/schemas';

describe('normaliseState', () => {
  it.each([
    ['in_queue', 'queued'],
    ['IN_PROGRESS', 'running'],
    ['completed', 'completed'],
    ['succeeded', 'succeeded'],
    ['failed', 'failed'],
    ['cancelled', 'cancelled'],
    ['canceled', 'cancelled'],
    [' Canceled ', 'cancelled'],
    ['teleporting', undefined],
  ])('%s → %s', (word, state) => {
    expect(normaliseState(word)).toBe(state);
  });

  it('treats everything but queued, running and unrecognised as terminal', () => {
    expect(['queued', 'running', 'unrecognised'].map((s) => isTerminal(s as 'queued'))).toEqual([false, false, false]);
    expect(['completed', 'succeeded', 'failed', 'cancelled'].every((s) => isTerminal(s as 'failed'))).toBe(true);
  });
});

describe('parseStatus', () => {
  it.each([
    [
      'the documented answer',
      { request_id: 'r', status: 'in_queue', queue_position: 2, status_url: 'u', result_url: 'v' },
      { state: 'queued', queuePosition: 2 },
    ],
    ['unknown keys and no URLs', { status: 'in_progress', extra: { a: 1 } }, { state: 'running' }],
    ['a numeric-string queue position', { status: 'in_queue', queue_position: '7' }, { state: 'queued', queuePosition: 7 }],
    ['an unreadable queue position (dropped)', { status: 'in_queue', queue_position: 'soon' }, { state: 'queued' }],
    ['a queue position while running (dropped)', { status: 'in_progress', queue_position: 0 }, { state: 'running' }],
    ['the result vocabulary', { status: 'failed' }, { state: 'failed' }],
  ])('reads %s', (_, body, expected) => {
    expect(parseStatus(body, 'r')).toEqual({ ok: true, value: { requestId: 'r', rawState: body.status, ...expected } });
  });

  it.each([
    ['no status', {}, {}],
    ['an unknown status', { status: 'paused' }, { rawState: 'paused' }],
    ['a number as status', { status: 3 }, { rawState: '3' }],
  ])('reads %s as unrecognised, never as a failure', (_, body, raw) => {
    expect(parseStatus(body, 'r')).toEqual({ ok: true, value: { requestId: 'r', state: 'unrecognised', ...raw } });
  });

  it('fails on a body that is not an object', () => {
    expect(parseStatus('ok', 'r').ok).toBe(false);
  });
});

describe('parseResult', () => {
  it.each([
    [
      'success with cost',
      { status: 'succeeded', output: { images: ['a', 'b'] }, cost: 0.08, created_at: 't0', finished_at: 't1' },
      { state: 'succeeded', outputUrls: ['a', 'b'], costUsd: 0.08, createdAt: 't0', finishedAt: 't1' },
    ],
    ['`image` when `images` is absent', { status: 'succeeded', output: { image: 'one' } }, { state: 'succeeded', outputUrls: ['one'] }],
    ['`{url}` items', { status: 'succeeded', output: { images: [{ url: 'u1' }, 'u2'] } }, { state: 'succeeded', outputUrls: ['u1', 'u2'] }],
    ['a string error', { status: 'failed', error: 'NSFW' }, { state: 'failed', outputUrls: [], errorText: 'NSFW' }],
    ['an object error', { status: 'failed', error: { code: 'E1', message: 'bad image' } }, { state: 'failed', outputUrls: [], errorText: 'bad image' }],
    [
      'an array error',
      { status: 'failed', error: [{ message: 'one' }, { loc: ['images', 0], msg: 'too big' }] },
      { state: 'failed', outputUrls: [], errorText: 'one; images.0: too big' },
    ],
    ['an error object without a message', { status: 'failed', error: { code: 42 } }, { state: 'failed', outputUrls: [], errorText: '{"code":42}' }],
    ['still running', { status: 'in_progress' }, { state: 'running', outputUrls: [] }],
    ['cancelled, US spelling', { status: 'canceled' }, { state: 'cancelled', outputUrls: [] }],
    ['`completed` with output', { status: 'completed', output: { images: ['a'] } }, { state: 'succeeded', outputUrls: ['a'] }],
    ['`completed` with an error', { status: 'completed', error: 'boom' }, { state: 'failed', outputUrls: [], errorText: 'boom' }],
    ['no status but output', { output: { images: ['a'] } }, { state: 'succeeded', outputUrls: ['a'] }],
    ['an unreadable cost (dropped)', { status: 'succeeded', output: { images: ['a'] }, cost: 'free' }, { state: 'succeeded', outputUrls: ['a'] }],
    ['a string cost', { status: 'succeeded', output: { images: ['a'] }, cost: '0.12' }, { state: 'succeeded', outputUrls: ['a'], costUsd: 0.12 }],
    ['null output', { status: 'in_queue', output: null }, { state: 'queued', outputUrls: [] }],
  ])('reads %s', (_, body, expected) => {
    const status = (body as { status?: string }).status;
    const raw = status !== undefined ? { rawState: status } : {};
    expect(parseResult(body, 'r')).toEqual({ ok: true, value: { requestId: 'r', ...raw, ...expected } });
  });

  it.each([
    ['no status, output or error', { cost: 1 }, { costUsd: 1 }],
    ['an unknown status', { status: 'exploded' }, { rawState: 'exploded' }],
    ['an unknown status with output', { status: 'done-ish', output: { images: ['a'] } }, { rawState: 'done-ish' }],
  ])('reads %s as unrecognised, never as a failure', (_, body, extra) => {
    expect(parseResult(body, 'r')).toEqual({ ok: true, value: { requestId: 'r', state: 'unrecognised', outputUrls: [], ...extra } });
  });

  it('fails on images that are not strings', () => {
    expect(parseResult({ status: 'succeeded', output: { images: [1, 2] } }, 'r').ok).toBe(false);
  });
});

describe('parseCancel', () => {
  it.each([
    [{ outcome: 'cancelled', status: 'completed' }, 'cancelled'],
    [{ outcome: 'canceled' }, 'cancelled'],
    [{ outcome: 'not_cancellable', status: 'cancelled' }, 'not_cancellable'],
    [{ outcome: 'NOT_CANCELABLE' }, 'not_cancellable'],
    [{ outcome: 'maybe' }, 'unknown'],
    [{}, 'unknown'],
    [undefined, 'unknown'],
  ])('reads %j as %s', (body, outcome) => {
    expect(parseCancel(body, 'r')).toEqual({ ok: true, value: { requestId: 'r', outcome } });
  });
});

describe('parseCatalog', () => {
  it('reads the price and drops what it does not know', () => {
    expect(parseCatalog({ base_price_usd: 0.04, price_unit: 'output', model_id: 'm', schema: {} })).toEqual({
      ok: true,
      value: { basePriceUsd: 0.04, priceUnit: 'output', modelId: 'm' },
    });
  });
});

describe('readErrorBody and errorText', () => {
  it.each([
    [
      { error_code: 404001, error_message: 'expired' },
      { apiCode: '404001', text: 'expired' },
    ],
    [
      { error_code: '400002', message: 'no money' },
      { apiCode: '400002', text: 'no money' },
    ],
    [{ error_code: 0, message: 'ok' }, { text: 'ok' }],
    [{ detail: [{ loc: ['body', 'seed'], msg: 'not an int' }] }, { text: 'body.seed: not an int' }],
    [{ error: { message: 'inner' } }, { text: 'inner' }],
    ['plain text', { text: 'plain text' }],
    [{}, {}],
  ])('reads %j', (body, expected) => {
    expect(readErrorBody(body)).toEqual(expected);
  });

  it('keeps error text short', () => {
    expect(errorText('x'.repeat(2000))!.length).toBe(500);
  });
});
