import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { estimateCostUsd, RunComfyClient, type RunComfyClientOptions } from '../../../app/api/runcomfy/client';
import { InvalidInputError, UnknownSubmissionError } from '../../../app/api/errors';
import { toDataUri } from '../../../app/api/runcomfy/input-checks';
import type { SeedreamInput } from '../../../app/model/seedream';
import { FakeClock } from '../../fixtures/fake-clock';
import { FakeFetch, refusedError, reply, resetError } from '../../fixtures/fake-fetch';
import { pngHeader } from '../test-images';
import { failure } from '../../fixtures/api-failure';

const TOKEN = 'rc_live_SECRET_token_123456';
const MODEL = '/v1/models/bytedance/seedream-4-5/edit-sequential';
const STATUS = '/v1/requests/r1/status';
const RESULT = '/v1/requests/r1/result';
const CANCEL = '/v1/requests/r1/cancel';
/** Wall-clock ms the fake wall clock reads (the Clock's origin is arbitrary). */
const WALL = Date.parse('2025-01-01T12:00:00Z');

function setup(options: Partial<RunComfyClientOptions> = {}) {
  const clock = new FakeClock();
  const fake = new FakeFetch(clock);
  const client = new RunComfyClient({
    fetch: fake.fetch,
    clock,
    baseUrl: 'https://api.test/v1',
    token: TOKEN,
    random: () => 0,
    wallNow: () => WALL,
    ...options,
  });
  return { clock, fake, client };
}

const input = (over: Partial<SeedreamInput> = {}): SeedreamInput => ({
  images: [toDataUri(pngHeader(64, 48), 'image/png'), 'https://example.com/b.jpg'],
  prompt: 'Generate 3 images of a fox',
  sequential_image_generation_options: 3,
  resolution: '2560x1440 (16:9)',
  seed: 7,
  ...over,
});

describe('RunComfyClient.submit', () => {
  it('posts the input verbatim to the model path with the bearer token and JSON headers', async () => {
    const { fake, client, clock } = setup();
    fake.on('POST', MODEL, reply(200, { request_id: 'r1' }));
    const job = await clock.drive(client.submit(input()));
    expect(job).toEqual({ requestId: 'r1', submittedAt: 0 });
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', url: `https://api.test${MODEL}` });
    expect(req!.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' });
    expect(JSON.parse(req!.body!)).toEqual(input());
  });

  it('sends no Authorization header when no token is supplied', async () => {
    const { fake, client, clock } = setup({ token: undefined });
    fake.on('POST', MODEL, reply(200, { request_id: 'r1', status_url: 'x' }));
    await clock.drive(client.submit(input()));
    expect(fake.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('refuses invalid input before sending anything', async () => {
    const { fake, client, clock } = setup();
    const e = await failure(clock, client.submit(input({ prompt: '', images: [toDataUri(pngHeader(10, 10), 'image/png')] }), { imageLabels: ['tiny.png'] }));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).issues.map((i) => i.field)).toEqual(['prompt', 'images[0]']);
    expect(e.message).toMatch(/^Nothing was submitted: 2 input rules are broken\. prompt: .* Image 1 \(tiny\.png\): is 10×10 px/);
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['HTTP 500', reply(500, { error: 'boom' })],
    ['HTTP 503 with Retry-After', reply(503, {}, { 'retry-after': '1' })],
    ['a reset after sending', { throws: resetError() }],
    ['200 without request_id', reply(200, { status_url: 'https://api.test/x' })],
    ['200 with an empty request_id', reply(200, { request_id: '' })],
    ['200 that is not JSON', { status: 200, text: '<html>ok</html>' }],
    ['200 with an unknown error_code', reply(200, { error_code: 500123, error_message: 'internal' })],
    ['a redirect', reply(302, undefined, { location: 'https://elsewhere.test/' })],
  ])('reports an unknown submission and never resends after %s', async (_, step) => {
    const { fake, client, clock } = setup();
    fake.on('POST', MODEL, step).otherwise('POST', MODEL, reply(200, { request_id: 'SECOND' }));
    const e = await failure(clock, client.submit(input()));
    expect(e).toBeInstanceOf(UnknownSubmissionError);
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/^Unknown submission — it may have been created/);
    expect(fake.sent('POST', MODEL)).toHaveLength(1);
    expect(clock.sleeps.filter((ms) => ms < 100_000)).toEqual([]);
  });

  it('reports an unknown submission when the submit times out, after one request', async () => {
    const { fake, client, clock } = setup({ timeouts: { submitMs: 60_000, submitMsPerMiB: 0 } });
    fake.on('POST', MODEL, { hang: true });
    const e = (await failure(clock, client.submit(input()))) as UnknownSubmissionError;
    expect(e).toBeInstanceOf(UnknownSubmissionError);
    expect(clock.now()).toBe(60_000);
    expect(fake.requests).toHaveLength(1);
    expect(e.sent).toMatchObject({ prompt: 'Generate 3 images of a fox', params: { maxImages: 3, resolution: '2560x1440 (16:9)', seed: 7 } });
    expect(e.sentAt).toBe(WALL);
    expect(e.sent.images[0]).toMatch(/^image\/png data URI \(\d+ base64 characters\)$/);
    expect(e.sent.images[1]).toBe('https://example.com/b.jpg');
  });

  it("resends after this project's proxy refused the upload as busy (503 proxy_server_busy): nothing reached RunComfy", async () => {
    const { fake, client, clock } = setup();
    const busy = reply(503, { error_code: 'proxy_server_busy', error_message: 'busy' }, { 'Retry-After': '5' });
    fake.on('POST', MODEL, busy, reply(200, { request_id: 'r1' }));
    expect((await clock.drive(client.submit(input()))).requestId).toBe('r1');
    expect(fake.requests).toHaveLength(2);
    expect(clock.sleeps.filter((ms) => ms < 100_000)).toEqual([5_000]);
  });

  it('still reports any other 503 on a submit as an unknown submission, never resent', async () => {
    const { fake, client, clock } = setup();
    fake.on('POST', MODEL, reply(503, { error_message: 'down' }));
    const e = await failure(clock, client.submit(input()));
    expect(e).toBeInstanceOf(UnknownSubmissionError);
    expect(fake.requests).toHaveLength(1);
  });

  it('resends after a refused connection, with backoff, and stops at the bound', async () => {
    const { fake, client, clock } = setup();
    fake.on('POST', MODEL, { throws: refusedError() }, { throws: refusedError() }, reply(200, { request_id: 'r1' }));
    expect((await clock.drive(client.submit(input()))).requestId).toBe('r1');
    expect(fake.requests).toHaveLength(3);
    expect(clock.sleeps.filter((ms) => ms < 100_000)).toEqual([2_000, 4_000]);

    const again = setup();
    again.fake.otherwise('POST', MODEL, { throws: refusedError() });
    const e = await failure(again.clock, again.client.submit(input()));
    expect(e.code).toBe('network');
    expect(e.attempts).toBe(4);
    expect(e.message).toMatch(/could not connect to api\.test/);
    expect(e.message).not.toMatch(/attempts/);
    expect(again.fake.requests).toHaveLength(4);
  });

  it('resends after 429 once the Retry-After has passed', async () => {
    const { fake, client, clock } = setup();
    fake.on('POST', MODEL, reply(429, { error_message: 'slow down' }, { 'retry-after': '7' }), reply(200, { request_id: 'r1' }));
    await clock.drive(client.submit(input()));
    expect(fake.requests.map((r) => r.at)).toEqual([0, 7_000]);
  });

  it('gives up on 429 when Retry-After is longer than the policy allows, saying how long to wait', async () => {
    const { fake, client, clock } = setup();
    fake.on('POST', MODEL, reply(429, {}, { 'retry-after': '3600' }));
    const e = await failure(clock, client.submit(input()));
    expect(e.code).toBe('rate-limited');
    expect(e.retryAfterMs).toBe(3_600_000);
    expect(e.message).toMatch(/wait 3600 s/);
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    [400, { detail: [{ loc: ['body', 'prompt'], msg: 'too long' }] }, 'invalid-input'],
    [422, { error_message: 'bad images' }, 'invalid-input'],
    [401, { error_code: 400004, error_message: 'token revoked' }, 'auth'],
    [403, {}, 'auth'],
    [402, {}, 'insufficient-balance'],
    [200, { error_code: '400002', error_message: 'insufficient balance' }, 'insufficient-balance'],
  ])('does not resend a definite rejection (HTTP %i)', async (status, body, code) => {
    const { fake, client, clock } = setup();
    fake.otherwise('POST', MODEL, reply(status, body));
    const e = await failure(clock, client.submit(input()));
    expect(e.code).toBe(code);
    expect(fake.requests).toHaveLength(1);
  });

  it('names the field of a validation error', async () => {
    const { fake, client, clock } = setup();
    fake.on('POST', MODEL, reply(422, { detail: [{ loc: ['body', 'prompt'], msg: 'too long' }] }));
    const e = (await failure(clock, client.submit(input()))) as InvalidInputError;
    expect(e.issues).toEqual([expect.objectContaining({ field: 'prompt', message: 'body.prompt: too long' })]);
    expect(e.message).toMatch(/RunComfy rejected the input \(HTTP 422\)\. RunComfy says: "body\.prompt: too long"/);
  });
});

describe('RunComfyClient reads', () => {
  it('retries 503, 503 then succeeds: 3 requests, waits of 1 s and 2 s', async () => {
    const { fake, client, clock } = setup();
    fake.on('GET', STATUS, reply(503), reply(503), reply(200, { request_id: 'r1', status: 'in_queue', queue_position: 4 }));
    expect(await clock.drive(client.status('r1'))).toEqual({ requestId: 'r1', state: 'queued', rawState: 'in_queue', queuePosition: 4 });
    expect(fake.requests.map((r) => r.at)).toEqual([0, 1_000, 3_000]);
  });

  it('applies jitter that only shortens the backoff', async () => {
    const { fake, client, clock } = setup({ random: () => 0.5 });
    fake.on('GET', STATUS, reply(503), reply(503), reply(200, { status: 'in_progress' }));
    await clock.drive(client.status('r1'));
    expect(fake.requests.map((r) => r.at)).toEqual([0, 750, 2_250]);
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const wall = Date.parse('2025-01-01T00:00:00Z');
    const { fake, client, clock } = setup({ wallNow: () => wall });
    fake.on(
      'GET',
      STATUS,
      reply(429, {}, { 'retry-after': '5' }),
      reply(503, {}, { 'retry-after': 'Wed, 01 Jan 2025 00:00:12 GMT', date: 'Wed, 01 Jan 2025 00:00:02 GMT' }),
      reply(200, { status: 'completed' }),
    );
    await clock.drive(client.status('r1'));
    expect(fake.requests.map((r) => r.at)).toEqual([0, 5_000, 15_000]);
  });

  it('gives up after 5 attempts with a clear error', async () => {
    const { fake, client, clock } = setup();
    fake.otherwise('GET', RESULT, reply(502));
    const e = await failure(clock, client.result('r1'));
    expect(e).toMatchObject({ code: 'upstream-unavailable', attempts: 5, requestId: 'r1', status: 502 });
    expect(e.message).toBe(
      'Reading the result of request r1 failed: RunComfy is unavailable (HTTP 502). This is on RunComfy\u2019s side; try again in a minute.',
    );
    expect(fake.requests.map((r) => r.at)).toEqual([0, 1_000, 3_000, 7_000, 15_000]);
  });

  it('retries a read that times out, then gives up', async () => {
    const { fake, client, clock } = setup({ timeouts: { readMs: 10_000 }, readRetry: { maxAttempts: 2 } });
    fake.otherwise('GET', STATUS, { hang: true });
    const e = await failure(clock, client.status('r1'));
    expect(e.code).toBe('timeout');
    expect(fake.requests.map((r) => r.at)).toEqual([0, 11_000]);
  });

  it('reads a state word it does not know as unrecognised, keeping the word', async () => {
    const { fake, client, clock } = setup();
    fake.otherwise('GET', STATUS, reply(200, { status: 'teleporting' }));
    expect(await clock.drive(client.status('r1'))).toEqual({ requestId: 'r1', state: 'unrecognised', rawState: 'teleporting' });
    expect(fake.requests).toHaveLength(1);
  });

  it('treats a 200 that is not JSON as a failure and does not retry it', async () => {
    const { fake, client, clock } = setup();
    fake.otherwise('GET', STATUS, { status: 200, text: '<html>maintenance</html>' });
    const e = await failure(clock, client.status('r1'));
    expect(e.code).toBe('bad-response');
    expect(e.message).toMatch(/cannot read \(the body is not JSON\)/);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a read whose 200 carries an unknown error_code: the job may be running', async () => {
    const { fake, client, clock } = setup();
    fake.on('GET', STATUS, reply(200, { error_code: 500123, error_message: 'try later' }), reply(200, { status: 'in_progress' }));
    expect((await clock.drive(client.status('r1'))).state).toBe('running');
    expect(fake.requests).toHaveLength(2);
  });

  it('treats a 200 carrying error_code as an error', async () => {
    const { fake, client, clock } = setup();
    fake.otherwise('GET', RESULT, reply(200, { error_code: 404001, error_message: 'expired' }));
    const e = await failure(clock, client.result('r1'));
    expect(e.code).toBe('not-found');
    expect(e.message).toMatch(/request r1 is unknown, deleted or expired/);
    expect(fake.requests).toHaveLength(1);
  });

  it('does not follow a redirect with the token', async () => {
    const { fake, client, clock } = setup();
    fake.otherwise('GET', STATUS, reply(307, undefined, { location: 'https://evil.test/steal' }));
    const e = await failure(clock, client.status('r1'));
    expect(e.code).toBe('bad-response');
    expect(fake.requests.map((r) => r.url)).toEqual([`https://api.test${STATUS}`]);
  });

  it('reads the result with include_cost=true', async () => {
    const { fake, client, clock } = setup();
    fake.on('GET', RESULT, reply(200, { request_id: 'r1', status: 'succeeded', output: { images: ['https://x.runcomfy.net/1.png'] }, cost: 0.12 }));
    expect(await clock.drive(client.result('r1'))).toEqual({
      requestId: 'r1',
      state: 'succeeded',
      rawState: 'succeeded',
      outputUrls: ['https://x.runcomfy.net/1.png'],
      costUsd: 0.12,
    });
    expect(fake.requests[0]!.query.get('include_cost')).toBe('true');
  });

  it('reads the cancel outcome, not the status', async () => {
    const { fake, client, clock } = setup();
    fake.on('POST', CANCEL, reply(202, { status: 'completed', outcome: 'cancelled' }), reply(202, { status: 'cancelled', outcome: 'not_cancellable' }), {
      status: 202,
    });
    expect((await clock.drive(client.cancel('r1'))).outcome).toBe('cancelled');
    expect((await clock.drive(client.cancel('r1'))).outcome).toBe('not_cancellable');
    expect((await clock.drive(client.cancel('r1'))).outcome).toBe('unknown');
  });

  it('reads the catalog price with GET on the model path', async () => {
    const { fake, client, clock } = setup();
    fake.on('GET', MODEL, reply(200, { base_price_usd: 0.04, price_unit: 'output', extra: true }));
    const catalog = await clock.drive(client.catalog());
    expect(catalog).toEqual({ basePriceUsd: 0.04, priceUnit: 'output' });
    expect(estimateCostUsd(catalog, 3)).toBe(0.12);
  });

  it('stops at once when the signal aborts, without further requests', async () => {
    const { fake, client, clock } = setup();
    fake.otherwise('GET', STATUS, reply(503));
    const ac = new AbortController();
    void clock.sleep(500).then(() => ac.abort(new Error('user stop')));
    await expect(clock.drive(client.status('r1', { signal: ac.signal }))).rejects.toThrow('user stop');
    expect(clock.now()).toBe(500);
    expect(clock.pending).toBe(0);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('RunComfyClient secrecy', () => {
  it('never puts the token in anything it throws', async () => {
    const thrown: unknown[] = [];
    const status = (c: RunComfyClient) => c.status('r1');
    const submit = (c: RunComfyClient) => c.submit(input());
    const cases: Array<[(f: FakeFetch) => void, (c: RunComfyClient) => Promise<unknown>]> = [
      [(f) => f.otherwise('GET', STATUS, { throws: new TypeError(`fetch failed for Bearer ${TOKEN}`, { cause: { header: TOKEN } }) }), status],
      [(f) => f.otherwise('GET', STATUS, reply(401, { error_message: `token ${TOKEN} is revoked` })), status],
      [(f) => f.otherwise('GET', STATUS, { status: 500, text: `<pre>Authorization: Bearer ${TOKEN}</pre>` }), status],
      [(f) => f.otherwise('GET', STATUS, { status: 200, text: `not json ${TOKEN}` }), status],
      [(f) => f.otherwise('POST', MODEL, reply(500, { error: TOKEN })), submit],
      [(f) => f.otherwise('POST', MODEL, { throws: new TypeError(`reset ${TOKEN}`, { cause: resetError() }) }), submit],
    ];
    for (const [script, call] of cases) {
      const { fake, client, clock } = setup();
      script(fake);
      thrown.push(await failure(clock, call(client)));
    }
    for (const e of thrown) {
      const text = [String(e), (e as Error).stack, JSON.stringify(e), inspect(e, { depth: 10 })].join('\n');
      expect(text).not.toContain(TOKEN);
    }
  });

  it('blanks the token out of state words and error texts an answer echoes', async () => {
    const { fake, client, clock } = setup();
    fake.on('GET', STATUS, reply(200, { status: `odd ${TOKEN}` }));
    fake.on('GET', RESULT, reply(200, { status: 'failed', error: `bad ${TOKEN}` }));
    expect(JSON.stringify(await clock.drive(client.status('r1')))).not.toContain(TOKEN);
    expect(await clock.drive(client.result('r1'))).toMatchObject({ state: 'failed', errorText: 'bad [redacted]' });
  });

  it('refuses a token over plain http to a non-loopback host, and a relative base with a token', () => {
    expect(() => new RunComfyClient({ baseUrl: 'http://api.example.com/v1', token: TOKEN })).toThrow(expect.objectContaining({ code: 'config' }));
    expect(() => new RunComfyClient({ baseUrl: '/api/v1', token: TOKEN })).toThrow(expect.objectContaining({ code: 'config' }));
    expect(new RunComfyClient({ baseUrl: 'http://127.0.0.1:8189/v1/', token: TOKEN }).baseUrl).toBe('http://127.0.0.1:8189/v1');
    expect(new RunComfyClient({ baseUrl: '/api/v1' }).requestUrl('a/b', 'status')).toBe('/api/v1/requests/a%2Fb/status');
  });
});
