import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock, type Clock } from '../../lib/clock';
import { MAX_REQUEST_BODY_BYTES, SEEDREAM_MODEL_ID } from '../../model/seedream';
import type { SimulatorCounts } from './control';
import { handleControl } from './control';
import { defaultFaultBody, FaultBook, type Fault, type ResponseFault } from './faults';
import { FrameCache } from './frames';
import { BodyTooLargeError, json, readBody, sendReply } from './http';
import { JobStore, type SimJob } from './jobs';
import { handleApiRoute, matchRoute, type RouteContext } from './routes';
import { applySettingsPatch, DEFAULT_SETTINGS, type SimulatorSettings, type SimulatorSettingsPatch } from './settings';

export interface SimulatorOptions extends SimulatorSettingsPatch {
  /** Interface to listen on; default 127.0.0.1 (never all interfaces unless asked). */
  host?: string;
  /** Default 0: any free port (read it from the handle). */
  port?: number;
  /** Where the Model API routes live; default `/v1`. */
  basePath?: string;
  /** When set, every Model API route needs `Authorization: Bearer <token>` (else 401, 400004). */
  token?: string;
  /** Drives queue and run times; default the wall clock. Tests pass a FakeClock. */
  clock?: Clock;
  /** Wall time (ms since 1970) for `created_at`/`finished_at` at start; default `Date.now()`. */
  epochMs?: number;
  /** Origin put into status/result/output URLs; default the address listened on. */
  publicUrl?: string;
  /** Server-level faults: strike every matching request (or `times` of them). */
  faults?: Fault[];
  /** Serve `/_simulator/*` control routes; default true. */
  controlRoutes?: boolean;
  /** Request id generator; default `crypto.randomUUID`. */
  requestIds?: () => string;
}

export interface SimulatorHandle {
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** `url` + base path: what an API client's base URL is set to. */
  baseUrl: string;
  /** `baseUrl/models/bytedance/seedream-4-5/edit-sequential`. */
  modelUrl: string;
  server: Server;
  /** Jobs as of the simulator's clock. */
  state: {
    jobs(): SimJob[];
    job(id: string): SimJob | undefined;
    /** Forgets a job now: later requests about it get 404 with 404001. */
    expire(id: string): void;
  };
  faults: {
    /** One-shot faults (or `times`-shot), consumed in order by the requests they match. */
    push(...faults: Fault[]): void;
    /** Replaces the server-level faults. */
    setDefaults(faults: Fault[]): void;
    /** Removes pushed and server-level faults. */
    clear(): void;
    pending(): Fault[];
  };
  /** Live counters (read them after the requests you want to count). */
  counts: Readonly<SimulatorCounts>;
  settings(): SimulatorSettings;
  /** Changes latency/behaviour for what happens next (running jobs keep their timings). */
  configure(patch: SimulatorSettingsPatch): SimulatorSettings;
  /** Stops listening and drops every connection, hanging ones included. Idempotent. */
  close(): Promise<void>;
}

/** Starts a simulated RunComfy Model API for Seedream 4.5 Edit Sequential. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const {
    host = '127.0.0.1',
    port = 0,
    basePath = '/v1',
    token,
    clock = realClock,
    epochMs = Date.now(),
    publicUrl,
    faults: defaultFaults = [],
    controlRoutes = true,
    requestIds,
    ...patch
  } = options;
  let settings = applySettingsPatch(DEFAULT_SETTINGS, patch);
  const clockAtStart = clock.now();
  const shutdown = new AbortController();
  const faults = new FaultBook(defaultFaults);
  const jobs = new JobStore(clock, () => settings, requestIds);
  const counts: SimulatorCounts = {
    submits: 0,
    get jobsCreated() {
      return jobs.created;
    },
    requests: { submit: 0, catalog: 0, status: 0, result: 0, cancel: 0, file: 0 },
    faultsFired: 0,
  };
  let origin = publicUrl ?? '';
  const ctx: RouteContext = {
    jobs,
    frames: new FrameCache(),
    settings: () => settings,
    origin: () => origin,
    basePath,
    isoTime: (t) => new Date(epochMs + (t - clockAtStart)).toISOString(),
  };
  const setSettings = (next: SimulatorSettings) => {
    jobs.catchUp();
    settings = next;
  };
  const control = { jobs, faults, counts, settings: () => settings, setSettings };

  /** Plays a response fault; true when it answered (or killed) the request. */
  async function strike(fault: ResponseFault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case 'http':
        sendReply(res, json(fault.status, fault.body ?? defaultFaultBody(fault.status), fault.headers));
        return true;
      case 'error-code-200':
        sendReply(res, json(200, { error_code: fault.error_code, error_message: fault.error_message ?? `Simulated error ${fault.error_code}.` }));
        return true;
      case 'reset':
        req.socket.destroy();
        return true;
      case 'hang':
        return true;
      case 'delay':
        await clock.sleep(fault.ms * settings.timeScale, shutdown.signal);
        return false;
    }
  }

  function authorized(req: IncomingMessage): boolean {
    const got = Buffer.from(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${token}`);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const match = matchRoute(method, url.pathname, basePath);
    if (match.kind === 'control') {
      if (!controlRoutes) return sendReply(res, json(404, { error_message: 'Not Found' }));
      return sendReply(res, handleControl(control, method, match.path, await readBody(req, 1024 * 1024)));
    }
    if (match.kind === 'api') {
      counts.requests[match.route] += 1;
      if (match.route === 'submit') counts.submits += 1;
    }
    const needsAuth = match.kind === 'api' ? match.route !== 'file' : match.underApi;
    if (needsAuth && token !== undefined && !authorized(req)) {
      return sendReply(res, json(401, { error_code: 400004, error_message: 'Missing, expired or revoked token.' }, { 'www-authenticate': 'Bearer' }));
    }
    if (match.kind === 'reply') return sendReply(res, match.reply);

    const fault = faults.take(match.route, match.requestId);
    if (fault) counts.faultsFired += 1;
    const hit = fault && fault.kind !== 'job' && fault.kind !== 'expire' ? fault : undefined;
    const when = hit?.phase ?? 'after-body';
    if (hit && when === 'before-body' && (await strike(hit, req, res))) return;
    const body = await readBody(req, MAX_REQUEST_BODY_BYTES);
    if (hit && when === 'after-body' && (await strike(hit, req, res))) return;
    if (fault?.kind === 'expire') jobs.forget(match.requestId!);
    const reply = handleApiRoute(ctx, match, body, url.searchParams, fault?.kind === 'job' ? fault : undefined);
    if (hit && when === 'after-accept' && (await strike(hit, req, res))) return;
    sendReply(res, reply);
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (shutdown.signal.aborted || res.headersSent) return void req.socket.destroy();
      if (err instanceof BodyTooLargeError) {
        sendReply(res, json(413, { error_message: err.message }, { connection: 'close' }));
        return void res.on('finish', () => req.socket.destroy());
      }
      sendReply(res, json(500, { error_message: `Simulator error: ${err instanceof Error ? err.message : String(err)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${address.port}`;
  origin = (publicUrl ?? url).replace(/\/+$/, '');
  let closing: Promise<void> | undefined;

  return {
    url,
    baseUrl: `${url}${basePath}`,
    modelUrl: `${url}${basePath}/models/${SEEDREAM_MODEL_ID}`,
    server,
    state: { jobs: () => jobs.list(), job: (id) => jobs.get(id), expire: (id) => jobs.forget(id) },
    faults: {
      push: (...f) => faults.push(...f),
      setDefaults: (f) => faults.setDefaults(f),
      clear: () => faults.clear(),
      pending: () => faults.pending(),
    },
    counts,
    settings: () => settings,
    configure(p) {
      setSettings(applySettingsPatch(settings, p));
      return settings;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
