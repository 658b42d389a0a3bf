import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthError,
  CancelledError,
  DeadlineError,
  InvalidInputError,
  redactSecret,
  scrubError,
  StillRunningError,
  UnknownSubmissionError,
} from '../../app/api/errors';

describe('ApiError subclasses', () => {
  it('carry a stable code, status, retryable flag and request id', () => {
    expect(new AuthError('x', { status: 401, retryable: true })).toMatchObject({ code: 'auth', status: 401, retryable: false, name: 'AuthError' });
    expect(new InvalidInputError('x', [{ severity: 'error', code: 'c', message: 'm', field: 'prompt' }])).toMatchObject({
      code: 'invalid-input',
      retryable: false,
    });
    expect(new CancelledError('x', { requestId: 'r' })).toMatchObject({ code: 'cancelled', requestId: 'r' });
    expect(new DeadlineError('x', 'queued', true)).toMatchObject({ code: 'deadline', phase: 'queued', cancelled: true });
    expect(new StillRunningError('x', { requestId: 'r' })).toMatchObject({ code: 'still-running', requestId: 'r' });
    const sent = { url: 'u', bodyBytes: 1, images: [], prompt: 'p', maxImages: 1 };
    expect(new UnknownSubmissionError('x', sent, 5)).toMatchObject({ code: 'unknown-submission', retryable: false, sent, sentAt: 5 });
    expect(new AuthError('x')).toBeInstanceOf(ApiError);
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
