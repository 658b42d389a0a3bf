import { request as httpRequest, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEEDREAM_MODEL_ID } from '../../app/model/seedream';
import { BodyBudget, MAX_BUFFERED_BODY_BYTES } from '../../app/server/body-budget';
import { createAppServer, type AppServer } from '../../app/server/http-server';
import { BUSY_RETRY_AFTER_SECONDS } from '../../app/server/proxy';
import { makeDist, send, startFakeUpstream, type FakeUpstream, type HttpAnswer } from './server-fixtures';

const MiB = 1024 * 1024;
const SUBMIT_PATH = `/api/v1/models/${SEEDREAM_MODEL_ID}`;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** A submit body of about `mib` MiB that is a JSON object. */
const bigSubmit = (mib: number) => Buffer.from(`{"prompt":"${' '.repeat(mib * MiB - 14)}"}`);

/** The real account, with the most it ever held recorded at every reservation. */
class WatchedBudget extends BodyBudget {
  peak = 0;
  refused = 0;
  override tryReserve(bytes: number): boolean {
    const ok = super.tryReserve(bytes);
    if (!ok) this.refused++;
    this.peak = Math.max(this.peak, this.bytesInUse);
    return ok;
  }
}

describe('BodyBudget', () => {
  it('reserves up to the cap and refuses what would pass it', () => {
    const budget = new BodyBudget(10);
    expect(budget.tryReserve(6)).toBe(true);
    expect(budget.tryReserve(5)).toBe(false);
    expect(budget.tryReserve(4)).toBe(true);
    expect(budget.bytesInUse).toBe(10);
    budget.release(6);
    expect(budget.bytesInUse).toBe(4);
  });

  it('releases what one request reserved exactly once', () => {
    const budget = new BodyBudget(10);
    const mine = budget.open();
    expect(mine.take(3) && mine.take(4)).toBe(true);
    expect(mine.take(4)).toBe(false);
    expect(mine.bytes).toBe(7);
    mine.release();
    mine.release();
    expect(budget.bytesInUse).toBe(0);
  });

  it('defaults to 192 MiB and refuses a cap that is not a positive whole number', () => {
    expect(new BodyBudget().capBytes).toBe(192 * MiB);
    expect(MAX_BUFFERED_BODY_BYTES).toBe(192 * MiB);
    expect(() => new BodyBudget(0)).toThrow(/positive whole number/);
  });
});

describe('the server body budget', () => {
  const CAP = 8 * MiB;
  let upstream: FakeUpstream;
  let server: AppServer;
  let dist: Awaited<ReturnType<typeof makeDist>>;
  let budget: WatchedBudget;
  let held: ServerResponse[];

  const answerHeld = () => {
    for (const res of held.splice(0)) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ request_id: 'req_1' }));
    }
  };

  beforeEach(async () => {
    upstream = await startFakeUpstream();
    held = [];
    // The upstream keeps every submit waiting until the test answers: their bodies stay buffered.
    upstream.respond((_req, res) => held.push(res));
    dist = await makeDist();
    budget = new WatchedBudget(CAP);
    server = await createAppServer({
      distDir: dist.dir,
      upstreamBaseUrl: upstream.baseUrl,
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
      bodyBudget: budget,
    });
  });
  afterEach(async () => {
    answerHeld();
    await server.close();
    await upstream.close();
    await dist.remove();
  });

  const expectBusy = (r: HttpAnswer) => {
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe(String(BUSY_RETRY_AFTER_SECONDS));
    expect(r.json()).toMatchObject({
      error_code: 'proxy_server_busy',
      error_message: expect.stringMatching(/more than 8 MiB of request bodies at once. Nothing was sent to RunComfy/),
    });
  };

  it('answers 503 with Retry-After to the bodies beyond the cap, never holds more, and serves again once they finish', async () => {
    const answers: HttpAnswer[] = [];
    const all = Array.from({ length: 8 }, () =>
      send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: bigSubmit(3) }).then((r) => {
        answers.push(r);
        return r;
      }),
    );
    // Two 3 MiB bodies fit under 8 MiB; while the upstream holds them, the other six are refused.
    await vi.waitFor(() => expect(answers.length + held.length).toBe(8));
    expect(held).toHaveLength(2);
    answers.forEach(expectBusy);
    answerHeld();
    const statuses = (await Promise.all(all)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503, 503, 503, 503, 503]);
    expect(upstream.seen).toHaveLength(2);
    expect(budget.peak).toBeLessThanOrEqual(CAP);
    expect(budget.peak).toBe(2 * bigSubmit(3).length);
    expect(budget.bytesInUse).toBe(0);

    upstream.respond((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ request_id: 'req_2' }));
    });
    const again = await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: bigSubmit(3) });
    expect(again.status).toBe(200);
  });

  it('refuses a declared body that does not fit without reading any of it', async () => {
    const first = send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: bigSubmit(6) });
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const inUse = budget.bytesInUse;
    expectBusy(await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: bigSubmit(3) }));
    expect(budget.bytesInUse).toBe(inUse);
    answerHeld();
    expect((await first).status).toBe(200);
  });

  it('still forwards a cancel while the budget is full', async () => {
    const first = send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: bigSubmit(7) });
    await vi.waitFor(() => expect(held).toHaveLength(1));
    expectBusy(await send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: JSON_HEADERS, body: bigSubmit(2) }));
    const cancel = send(server.url, { method: 'POST', path: '/api/v1/requests/req_1/cancel', headers: JSON_HEADERS, body: '{}' });
    await vi.waitFor(() => expect(held).toHaveLength(2));
    answerHeld();
    expect((await cancel).status).toBe(200);
    expect((await first).status).toBe(200);
  });

  it('counts chunked bodies as their bytes arrive and keeps the total under the cap', async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    function* chunked3MiB(): Iterable<Buffer> {
      yield Buffer.from('{"prompt":"');
      for (let i = 0; i < 12; i++) yield chunk;
      yield Buffer.from('"}');
    }
    const answers: HttpAnswer[] = [];
    const all = Array.from({ length: 4 }, () =>
      send(server.url, { method: 'POST', path: SUBMIT_PATH, headers: { ...JSON_HEADERS, 'Transfer-Encoding': 'chunked' }, body: chunked3MiB }).then((r) => {
        answers.push(r);
        return r;
      }),
    );
    await vi.waitFor(() => expect(answers.length + held.length).toBe(4));
    answers.forEach(expectBusy);
    answerHeld();
    const statuses = (await Promise.all(all)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(budget.peak).toBeLessThanOrEqual(CAP);
    expect(budget.bytesInUse).toBe(0);
  });

  it('releases the reservation of an upload the client abandons halfway', async () => {
    const total = 6 * MiB;
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: SUBMIT_PATH,
      headers: { ...JSON_HEADERS, 'Content-Length': String(total) },
      agent: false,
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(MiB, 0x20));
    await vi.waitFor(() => expect(budget.bytesInUse).toBe(total));
    req.destroy();
    await vi.waitFor(() => expect(budget.bytesInUse).toBe(0));
    expect(upstream.seen).toHaveLength(0);
  });
});
