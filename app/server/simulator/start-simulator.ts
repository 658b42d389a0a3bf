import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock, type Clock } from '../../lib/clock';
import { SEEDREAM_MODEL_ID } from '../../model/seedream';
import { Chaos, type ChaosEvent } from './chaos';
import type { ControlContext, SimulatorCounts } from './control';
import { FaultBook } from './fault-book';
import type { Fault } from './faults';
import { FrameCache } from './frames';
import { createRequestHandler } from './handle-request';
import { HoldBook, type HeldReply } from './holds';
import { BodyTooLargeError, json, sendReply } from './http';
import { JobStore, type SimJob } from './jobs';
import type { RouteContext } from './routes';
import { applySettingsPatch, DEFAULT_SETTINGS, type SimulatorSettings, type SimulatorSettingsPatch } from './settings';
import { SubmitLog, type SubmitRecord } from './submit-log';

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
  /** Wall time (ms since 1970) for `created_at`/`finished_at` and HTTP-dates at start; default `Date.now()`. */
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
  /** Jobs as of the simulator's clock (a held submit's job is here though its client has no id). */
  state: {
    jobs(): SimJob[];
    job(id: string): SimJob | undefined;
    /** Forgets a job now: later requests about it get 404 with 404001. */
    expire(id: string): void;
    /** Its output URLs stop working now; status and result still answer. False when unknown. */
    expireFiles(id: string): boolean;
  };
  faults: {
    /** One-shot faults (or `times`-shot, or for a `forMs` window), consumed in order by the requests they match. */
    push(...faults: Fault[]): void;
    /** Replaces the server-level faults. */
    setDefaults(faults: Fault[]): void;
    /** Removes pushed and server-level faults. */
    clear(): void;
    pending(): Fault[];
  };
  /** Every accepted submit with its input hash and what became of its answer. */
  submits(): SubmitRecord[];
  /** Answers held right now (`hold` faults, chaos). */
  held(): HeldReply[];
  /** Sends the held answers for a request id, or `'all'`; returns the released ones. */
  release(target: string): HeldReply[];
  /** Faults chaos mode injected (the most recent 1000). */
  chaosLog(): ChaosEvent[];
  /** Live counters (read them after the requests you want to count). */
  counts: Readonly<SimulatorCounts>;
  settings(): SimulatorSettings;
  /** Changes latency/behaviour for what happens next (running jobs keep their timings); a new `chaos` reseeds. */
  configure(patch: SimulatorSettingsPatch): SimulatorSettings;
  /** Stops listening and drops every connection, hanging and held ones included. Idempotent. */
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
  const faults = new FaultBook(
    defaultFaults,
    () => clock.now(),
    () => settings.timeScale,
  );
  const jobs = new JobStore(clock, () => settings, requestIds);
  const holds = new HoldBook(clock, shutdown.signal);
  const submits = new SubmitLog();
  const chaos = new Chaos();
  chaos.configure(settings.chaos);
  const counts: SimulatorCounts = {
    submits: 0,
    get jobsCreated() {
      return jobs.created;
    },
    get duplicateSubmits() {
      return submits.duplicates;
    },
    get held() {
      return holds.list().length;
    },
    requests: { submit: 0, catalog: 0, status: 0, result: 0, cancel: 0, file: 0 },
    faultsFired: 0,
    chaosFired: 0,
  };
  let origin = publicUrl ?? '';
  const wallNow = () => epochMs + (clock.now() - clockAtStart);
  const frames = new FrameCache();
  const routes: RouteContext = {
    jobs,
    frames,
    settings: () => settings,
    origin: () => origin,
    basePath,
    isoTime: (t) => new Date(epochMs + (t - clockAtStart)).toISOString(),
    now: () => clock.now(),
    submits,
  };
  const setSettings = (next: SimulatorSettings) => {
    jobs.catchUp();
    if (JSON.stringify(next.chaos) !== JSON.stringify(settings.chaos)) chaos.configure(next.chaos);
    settings = next;
  };
  const control: ControlContext = { jobs, faults, holds, submits, chaos, counts, settings: () => settings, setSettings };
  const onRequest = createRequestHandler({
    clock,
    shutdown: shutdown.signal,
    basePath,
    token,
    controlRoutes,
    faults,
    chaos,
    holds,
    jobs,
    submits,
    counts,
    routes,
    control,
    settings: () => settings,
    wallNow,
  });

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (shutdown.signal.aborted || res.headersSent || req.socket.destroyed) return void req.socket.destroy();
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
    state: {
      jobs: () => jobs.list(),
      job: (id) => jobs.get(id),
      expire: (id) => jobs.forget(id),
      expireFiles: (id) => jobs.expireFiles(id),
    },
    faults: {
      push: (...f) => faults.push(...f),
      setDefaults: (f) => faults.setDefaults(f),
      clear: () => faults.clear(),
      pending: () => faults.pending(),
    },
    submits: () => submits.list(),
    held: () => holds.list(),
    release: (target) => holds.release(target),
    chaosLog: () => chaos.log(),
    counts,
    settings: () => settings,
    configure(p) {
      setSettings(applySettingsPatch(settings, p));
      return settings;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort();
        frames.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
