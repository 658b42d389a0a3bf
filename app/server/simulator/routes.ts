import { SEEDREAM_MODEL_ID } from '../../model/seedream';
import { DEFAULT_JOB_ERROR, type Fault, type JobFault, type SimRoute } from './faults';
import { frameSize, type FrameCache } from './frames';
import { json, type Reply } from './http';
import { simulatedImageCount, type JobStore, type SimJob } from './jobs';
import type { SimulatorSettings } from './settings';
import type { SubmitLog } from './submit-log';
import { checkSubmitBody, MALFORMED_ERROR_CODE } from './validate-input';

export type RouteMatch =
  /** One of the Model API's routes (or a hosted output file). */
  | { kind: 'api'; route: SimRoute; requestId?: string; frame?: number }
  /** `/_simulator/...`: the simulator's own control routes. */
  | { kind: 'control'; path: string }
  /** Answered without a route handler; `underApi` says whether auth applies first. */
  | { kind: 'reply'; reply: Reply; underApi: boolean };

const notFound = (underApi: boolean): RouteMatch => ({ kind: 'reply', underApi, reply: json(404, { error_message: 'Not Found' }) });
const notAllowed = (allow: string, underApi = true): RouteMatch => ({
  kind: 'reply',
  underApi,
  reply: json(405, { error_message: 'Method Not Allowed' }, { allow }),
});

/** `decodeURIComponent` that answers undefined on a malformed escape instead of throwing. */
function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** Routes by method and path (the model id is matched verbatim, slashes included). */
export function matchRoute(method: string, pathname: string, basePath: string): RouteMatch {
  if (pathname.startsWith('/_simulator')) return { kind: 'control', path: pathname.slice('/_simulator'.length) || '/' };
  const file = /^\/files\/([^/]+)\/(\d+)\.png$/.exec(pathname);
  if (file) {
    if (method !== 'GET' && method !== 'HEAD') return notAllowed('GET', false);
    const requestId = decode(file[1]!);
    return requestId === undefined ? notFound(false) : { kind: 'api', route: 'file', requestId, frame: Number(file[2]) };
  }
  if (pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return notFound(false);
  const rest = pathname.slice(basePath.length);
  if (rest.startsWith('/models/')) {
    if (decode(rest.slice('/models/'.length)) !== SEEDREAM_MODEL_ID) {
      return { kind: 'reply', underApi: true, reply: json(400, { error_code: MALFORMED_ERROR_CODE, error_message: 'Unknown model id.' }) };
    }
    if (method === 'POST') return { kind: 'api', route: 'submit' };
    if (method === 'GET') return { kind: 'api', route: 'catalog' };
    return notAllowed('GET, POST');
  }
  const req = /^\/requests\/([^/]+)\/(status|result|cancel)$/.exec(rest);
  if (!req) return notFound(true);
  const route = req[2] as 'status' | 'result' | 'cancel';
  const wanted = route === 'cancel' ? 'POST' : 'GET';
  if (method !== wanted) return notAllowed(wanted);
  const requestId = decode(req[1]!);
  return requestId === undefined ? notFound(true) : { kind: 'api', route, requestId };
}

export interface RouteContext {
  jobs: JobStore;
  frames: FrameCache;
  settings: () => SimulatorSettings;
  /** Origin the simulator is reached at, e.g. `http://127.0.0.1:8189`. */
  origin: () => string;
  basePath: string;
  /** ISO-8601 wall time of a clock reading. */
  isoTime: (clockMs: number) => string;
  /** The simulator's clock. */
  now: () => number;
  submits: SubmitLog;
}

const unknownId = (id: string) => json(404, { error_code: 404001, error_message: `Unknown, deleted or expired request id: ${id}` });

/**
 * Answers one Model API request. Of the fault that struck it, a `job` fault shapes the job a
 * submit creates and `refuse-cancel` turns a cancel down; response faults are played elsewhere.
 */
export function handleApiRoute(
  ctx: RouteContext,
  match: Extract<RouteMatch, { kind: 'api' }>,
  body: Uint8Array,
  query: URLSearchParams,
  fault: Fault | undefined,
): Reply {
  if (match.route === 'submit') return submit(ctx, body, fault?.kind === 'job' ? fault : undefined);
  if (match.route === 'catalog') return catalog(ctx);
  const id = match.requestId!;
  const job = ctx.jobs.get(id);
  if (!job) return unknownId(id);
  switch (match.route) {
    case 'status':
      return json(200, statusBody(ctx, job, unknownWord(ctx, job, 'status')));
    case 'result':
      return json(200, resultBody(ctx, job, query.get('include_cost') === 'true', unknownWord(ctx, job, 'result')));
    case 'cancel': {
      const refused = fault?.kind === 'refuse-cancel' && job.phase !== 'cancelled';
      const cancelled = !refused && (ctx.jobs.cancel(id) || job.phase === 'cancelled');
      return json(202, { request_id: id, status: statusWord(job), outcome: cancelled ? 'cancelled' : 'not_cancellable' });
    }
    case 'file': {
      const n = match.frame!;
      if (job.phase !== 'succeeded' || n < 1 || n > job.imageCount) return json(404, { error_message: `No output file ${n} for ${id}` });
      if (filesExpired(ctx, job)) return expiredFile(job.fault?.expiredFileStatus ?? ctx.settings().expiredFileStatus);
      return { status: 200, bytes: ctx.frames.png(job, n), contentType: 'image/png', headers: { 'cache-control': 'no-store' } };
    }
  }
}

function submit(ctx: RouteContext, body: Uint8Array, fault: JobFault | undefined): Reply {
  const checked = checkSubmitBody(body);
  if (!checked.ok) return json(checked.status, checked.body);
  const s = ctx.settings();
  const imageCount = simulatedImageCount(checked.input);
  const job = ctx.jobs.create({
    input: checked.input,
    imageCount,
    frameSize: frameSize(checked.input, s.outputScale),
    queueDelayMs: (fault?.queueDelayMs ?? s.queueDelayMs) * s.timeScale,
    runMs: ((fault?.baseMs ?? s.baseMs) + (fault?.perImageMs ?? s.perImageMs) * imageCount) * s.timeScale,
    fault,
  });
  ctx.submits.record(job.id, checked.input, job.submittedAt);
  ctx.frames.renderAhead(job);
  return json(200, s.omitSubmitUrls ? { request_id: job.id } : { request_id: job.id, ...requestUrls(ctx, job.id) });
}

function catalog(ctx: RouteContext): Reply {
  return json(200, {
    model_id: SEEDREAM_MODEL_ID,
    name: 'Seedream 4.5 Edit Sequential (simulated)',
    base_price_usd: ctx.settings().pricePerOutputUsd,
    price_unit: 'output',
    currency: 'USD',
    simulated: true,
  });
}

function requestUrls(ctx: RouteContext, id: string) {
  const base = `${ctx.origin()}${ctx.basePath}/requests/${encodeURIComponent(id)}`;
  return { status_url: `${base}/status`, result_url: `${base}/result`, cancel_url: `${base}/cancel` };
}

/** The status endpoint's word: a finished job is `completed` (failed or not) unless a fault says otherwise. */
function statusWord(job: SimJob): string {
  switch (job.phase) {
    case 'queued':
      return 'in_queue';
    case 'running':
      return 'in_progress';
    case 'cancelled':
      return 'cancelled';
    default:
      return job.fault?.terminalStatus ?? 'completed';
  }
}

/**
 * The unknown word this read of an active job reports, if its `unknownStatus` (the job fault's,
 * else the setting's) says so now. Counts the read either way.
 */
function unknownWord(ctx: RouteContext, job: SimJob, endpoint: 'status' | 'result'): string | undefined {
  if (job.phase !== 'queued' && job.phase !== 'running') return undefined;
  const reads = ++job.activeReads[endpoint];
  const s = ctx.settings();
  const u = job.fault?.unknownStatus ?? s.unknownStatus;
  if (!u || ((u.on ?? 'status') !== endpoint && u.on !== 'both')) return undefined;
  if (u.polls !== undefined && reads > u.polls) return undefined;
  if (u.forMs !== undefined && ctx.now() >= job.submittedAt + u.forMs * s.timeScale) return undefined;
  return u.word;
}

/** Whether a finished job's output URLs have stopped working (the job itself is still known). */
function filesExpired(ctx: RouteContext, job: SimJob): boolean {
  const now = ctx.now();
  if (job.filesExpiredAt !== undefined && now >= job.filesExpiredAt) return true;
  const s = ctx.settings();
  const ttl = job.fault?.filesExpireAfterMs ?? s.filesExpireAfterMs;
  return ttl > 0 && job.finishedAt !== undefined && now >= job.finishedAt + ttl * s.timeScale;
}

/** What object storage answers for an expired signed URL (403) or a removed object (404, 410). */
function expiredFile(status: number): Reply {
  const [code, message] = status === 403 ? ['AccessDenied', 'Request has expired'] : ['NoSuchKey', 'The specified key does not exist.'];
  const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message} (simulated)</Message></Error>`;
  return { status, bytes: Buffer.from(xml), contentType: 'application/xml', headers: { 'cache-control': 'no-store' } };
}

function statusBody(ctx: RouteContext, job: SimJob, unknown: string | undefined) {
  const { status_url, result_url } = requestUrls(ctx, job.id);
  const position = unknown === undefined ? ctx.jobs.queuePosition(job) : undefined;
  return { request_id: job.id, status: unknown ?? statusWord(job), ...(position === undefined ? {} : { queue_position: position }), status_url, result_url };
}

const RESULT_WORD = { queued: 'in_queue', running: 'in_progress', succeeded: 'succeeded', failed: 'failed', cancelled: 'cancelled' } as const;

function resultBody(ctx: RouteContext, job: SimJob, includeCost: boolean, unknown: string | undefined) {
  const s = ctx.settings();
  const done = job.finishedAt !== undefined;
  const billed = s.billing === 'requested' ? job.input.sequential_image_generation_options : job.imageCount;
  const cost = job.phase === 'succeeded' ? Math.round(s.pricePerOutputUsd * billed * 1e6) / 1e6 : 0;
  const files = Array.from({ length: job.imageCount }, (_, i) => `${ctx.origin()}/files/${encodeURIComponent(job.id)}/${i + 1}.png`);
  return {
    request_id: job.id,
    status: unknown ?? RESULT_WORD[job.phase],
    ...(job.phase === 'succeeded' ? { output: { images: files } } : {}),
    ...(job.phase === 'failed' ? { error: job.fault?.error ?? DEFAULT_JOB_ERROR } : {}),
    created_at: ctx.isoTime(job.submittedAt),
    ...(done ? { finished_at: ctx.isoTime(job.finishedAt!) } : {}),
    ...(includeCost && done ? { cost } : {}),
  };
}
