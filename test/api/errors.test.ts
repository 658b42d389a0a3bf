import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ApiError, describeError, DownloadError, InvalidInputError, isApiError, redactSecret, scrubError, UnknownSubmissionError } from '../../app/api/errors';

describe('ApiError', () => {
  it('takes retryable from the code table unless told otherwise', () => {
    expect(new ApiError('auth', 'x', { status: 401 })).toMatchObject({ code: 'auth', status: 401, retryable: false, name: 'ApiError' });
    expect(new ApiError('upstream-unavailable', 'x')).toMatchObject({ retryable: true });
    expect(new ApiError('upstream-unavailable', 'x', { retryable: false })).toMatchObject({ retryable: false });
    expect(new ApiError('deadline', 'x', { detail: { phase: 'queued', cancelled: true } })).toMatchObject({
      code: 'deadline',
      detail: { phase: 'queued', cancelled: true },
    });
  });

  it('keeps the subclasses that carry data', () => {
    expect(new InvalidInputError('x', [{ severity: 'error', code: 'c', message: 'm', field: 'prompt' }])).toMatchObject({
      code: 'invalid-input',
      retryable: false,
    });
    const sent = { url: 'u', bodyBytes: 1, images: [], prompt: 'p', params: { maxImages: 1 } };
    expect(new UnknownSubmissionError('x', sent, 5)).toMatchObject({ code: 'unknown-submission', retryable: false, sent, sentAt: 5 });
    expect(new DownloadError('x', 'https://a.runcomfy.net/1.png', { expired: true })).toMatchObject({ code: 'download', expired: true, retryable: false });
    expect(new DownloadError('x', 'https://a.runcomfy.net/1.png')).toMatchObject({ expired: false, retryable: true });
  });

  it('is recognised by code with isApiError', () => {
    const e = new ApiError('cancelled', 'x', { requestId: 'r' });
    expect(isApiError(e)).toBe(true);
    expect(isApiError(e, 'cancelled')).toBe(true);
    expect(isApiError(e, 'auth')).toBe(false);
    expect(isApiError(new Error('x'))).toBe(false);
  });
});

describe('describeError', () => {
  it('adds the attempt count and the causes that say something new', () => {
    const inner = new Error('connect ECONNREFUSED');
    const e = new ApiError('network', 'Reading the result failed: could not connect.', { cause: inner });
    e.attempts = 3;
    expect(describeError(e)).toBe('Reading the result failed: could not connect. (gave up after 3 attempts) Cause: connect ECONNREFUSED');
    expect(describeError(new ApiError('network', 'same', { cause: new Error('same') }))).toBe('same');
    expect(describeError('text')).toBe('text');
  });
});

describe('redactSecret and scrubError', () => {
  const secret = 'sk-very-secret-123';

  it('blanks the secret and anything after "Bearer"', () => {
    expect(redactSecret(`a ${secret} b`, secret)).toBe('a [redacted] b');
    expect(redactSecret('Authorization: Bearer abc.def', undefined)).toBe('Authorization: Bearer [redacted]');
  });

  it('cleans the message, stack and cause chain', () => {
    const e = new ApiError('network', `failed with ${secret}`, { cause: new Error(`inner ${secret}`, { cause: { token: secret } }) });
    scrubError(e, secret);
    expect(inspect(e, { depth: 10 })).not.toContain(secret);
    expect(e.message).toBe('failed with [redacted]');
  });
});
