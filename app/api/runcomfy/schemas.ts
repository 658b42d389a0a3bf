import { z } from 'zod';

/**
 * Wire schemas of RunComfy's Model API answers (see ../shared/runcomfy-model-api.md), tolerant by
 * design: unknown keys are dropped, URL fields may be missing, both state vocabularies (and
 * `canceled`) are read, a state word this client does not know is `unrecognised` (never an error:
 * the job may be running and billed), `error` may have any shape, and optional extras (cost, queue
 * position) that do not parse are ignored rather than failing a paid result. The submit body is
 * the model's own `zSeedreamInput` (app/model/seedream.ts).
 */

/**
 * One internal vocabulary for both endpoints. `completed` is the status endpoint's "finished,
 * success or failure unknown": the result endpoint tells which. `unrecognised`: a word this client
 * does not know (kept as `rawState`).
 */
export type JobState = 'queued' | 'running' | 'completed' | 'succeeded' | 'failed' | 'cancelled' | 'unrecognised';

const STATE_WORDS: Readonly<Record<string, JobState>> = {
  in_queue: 'queued',
  queued: 'queued',
  pending: 'queued',
  in_progress: 'running',
  running: 'running',
  processing: 'running',
  completed: 'completed',
  complete: 'completed',
  finished: 'completed',
  succeeded: 'succeeded',
  success: 'succeeded',
  failed: 'failed',
  failure: 'failed',
  error: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

/** The internal state for a wire word (case-insensitive), or undefined for a word we do not know. */
export function normaliseState(word: string): JobState | undefined {
  return STATE_WORDS[word.trim().toLowerCase()];
}

/** Whether nothing more will happen to a job in this state (an unrecognised one may still be running). */
export function isTerminal(state: JobState): boolean {
  return state !== 'queued' && state !== 'running' && state !== 'unrecognised';
}

const MAX_ERROR_TEXT = 500;

/**
 * Any `error`/`detail` value as one line of text for people: a string, an object (its message-like
 * field, else its JSON), or an array (FastAPI-style `{loc, msg}` items become `loc: msg`).
 */
export function errorText(value: unknown): string | undefined {
  const text = errorTextOf(value, 0);
  if (!text) return undefined;
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT - 1)}…` : text;
}

function errorTextOf(value: unknown, depth: number): string | undefined {
  if (value === null || value === undefined || depth > 3) return undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map((v) => errorTextOf(v, depth + 1)).filter((t): t is string => !!t);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.loc) && typeof o.msg === 'string') return `${o.loc.map(String).join('.')}: ${o.msg}`;
    for (const key of ['message', 'error_message', 'msg', 'detail', 'error', 'description', 'reason']) {
      const text = errorTextOf(o[key], depth + 1);
      if (text) return text;
    }
    try {
      return JSON.stringify(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const zRequestId = z.union([z.string().trim().min(1), z.number().int().nonnegative().transform(String)]);
const zNumberish = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);
/** Optional extras: when present but unreadable they are dropped, never fatal. */
const zOptionalCount = zNumberish.pipe(z.number().int().nonnegative()).optional().catch(undefined);
const zOptionalUsd = zNumberish.pipe(z.number().nonnegative()).optional().catch(undefined);
const zOptionalText = z.string().optional().catch(undefined);

const MAX_RAW_STATE = 60;

/** A state of any shape: a word we do not know (or not a string at all) is `unrecognised`, never a parse failure. */
const zState = z.unknown().transform((value): { state: JobState; raw: string | undefined } => {
  if (typeof value === 'string') return { state: normaliseState(value) ?? 'unrecognised', raw: value.slice(0, MAX_RAW_STATE) };
  const raw = value === undefined || value === null ? undefined : (JSON.stringify(value) ?? String(value)).slice(0, MAX_RAW_STATE);
  return { state: 'unrecognised', raw };
});

/** `POST /models/{id}`: `request_id` stays optional here so its absence is an "unknown submission". */
export const zSubmitResponse = z.object({
  request_id: zRequestId.optional().catch(undefined),
  status_url: zOptionalText,
  result_url: zOptionalText,
  cancel_url: zOptionalText,
});

export const zStatusResponse = z.object({
  request_id: zRequestId.optional().catch(undefined),
  status: zState.optional(),
  queue_position: zOptionalCount,
});

/** An output item: a URI string, or `{url}` as some RunComfy APIs send. */
const zOutputUri = z.union([z.string().trim().min(1), z.object({ url: z.string().trim().min(1) }).transform((o) => o.url)]);

export const zResultResponse = z.object({
  request_id: zRequestId.optional().catch(undefined),
  status: zState.optional(),
  output: z.object({ images: z.array(zOutputUri).optional(), image: zOutputUri.optional() }).nullish(),
  error: z.unknown().optional(),
  cost: zOptionalUsd,
  created_at: zOptionalText,
  finished_at: zOptionalText,
});

export const zCancelResponse = z.object({
  request_id: zRequestId.optional().catch(undefined),
  outcome: z.string().optional().catch(undefined),
});

export const zCatalogResponse = z.object({
  model_id: zOptionalText,
  name: zOptionalText,
  base_price_usd: zOptionalUsd,
  price_unit: zOptionalText,
});

/** Error bodies: every key RunComfy clients have been seen to read, all optional. */
export const zErrorBody = z.object({
  error_code: z.union([z.string(), z.number()]).nullish().catch(undefined),
  error_message: z.unknown().optional(),
  message: z.unknown().optional(),
  error: z.unknown().optional(),
  detail: z.unknown().optional(),
});

export interface JobStatus {
  requestId: string;
  state: JobState;
  /** RunComfy's own word, when it sent one. */
  rawState?: string;
  /** Only while queued. */
  queuePosition?: number;
}

export interface JobResult {
  requestId: string;
  /** Never `completed`: the result endpoint's answer is normalised to success or failure. */
  state: Exclude<JobState, 'completed'>;
  /** RunComfy's own word, when it sent one. */
  rawState?: string;
  /** Output image URLs, in order; empty unless succeeded. */
  outputUrls: string[];
  /** The job's error, as text, when it failed. */
  errorText?: string;
  /** What RunComfy charged, in USD, when it says (`include_cost=true`). */
  costUsd?: number;
  createdAt?: string;
  finishedAt?: string;
}

export type CancelOutcome = 'cancelled' | 'not_cancellable' | 'unknown';
export interface CancelResult {
  requestId: string;
  outcome: CancelOutcome;
}

export interface CatalogInfo {
  modelId?: string;
  name?: string;
  basePriceUsd?: number;
  priceUnit?: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function problemOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function parseStatus(body: unknown, requestId: string): Parsed<JobStatus> {
  const r = zStatusResponse.safeParse(body);
  if (!r.success) return { ok: false, problem: problemOf(r.error) };
  const { state, raw } = r.data.status ?? { state: 'unrecognised', raw: undefined };
  const position = r.data.queue_position;
  return {
    ok: true,
    value: {
      requestId,
      state,
      ...(raw !== undefined ? { rawState: raw } : {}),
      ...(state === 'queued' && position !== undefined ? { queuePosition: position } : {}),
    },
  };
}

export function parseResult(body: unknown, requestId: string): Parsed<JobResult> {
  const r = zResultResponse.safeParse(body);
  if (!r.success) return { ok: false, problem: problemOf(r.error) };
  const d = r.data;
  const outputUrls = d.output?.images ?? (d.output?.image !== undefined ? [d.output.image] : []);
  const failure = errorText(d.error);
  const raw = d.status?.raw;
  const word = raw === undefined ? undefined : d.status?.state;
  const state: JobResult['state'] =
    // No status, or the status endpoint's `completed`: output or error tells which it was.
    word === undefined || word === 'completed'
      ? failure !== undefined && outputUrls.length === 0
        ? 'failed'
        : outputUrls.length > 0 || word === 'completed'
          ? 'succeeded'
          : 'unrecognised'
      : word;
  return {
    ok: true,
    value: {
      requestId,
      state,
      ...(raw !== undefined ? { rawState: raw } : {}),
      outputUrls: state === 'succeeded' ? outputUrls : [],
      ...(failure !== undefined && state !== 'succeeded' ? { errorText: failure } : {}),
      ...(d.cost !== undefined ? { costUsd: d.cost } : {}),
      ...(d.created_at !== undefined ? { createdAt: d.created_at } : {}),
      ...(d.finished_at !== undefined ? { finishedAt: d.finished_at } : {}),
    },
  };
}

/** `outcome` is what counts; the reply's `status` is unreliable and ignored. */
export function parseCancel(body: unknown, requestId: string): Parsed<CancelResult> {
  const r = zCancelResponse.safeParse(body ?? {});
  if (!r.success) return { ok: false, problem: problemOf(r.error) };
  const word = (r.data.outcome ?? '').trim().toLowerCase();
  const outcome: CancelOutcome =
    word === 'cancelled' || word === 'canceled' ? 'cancelled' : word === 'not_cancellable' || word === 'not_cancelable' ? 'not_cancellable' : 'unknown';
  return { ok: true, value: { requestId, outcome } };
}

export function parseCatalog(body: unknown): Parsed<CatalogInfo> {
  const r = zCatalogResponse.safeParse(body);
  if (!r.success) return { ok: false, problem: problemOf(r.error) };
  const d = r.data;
  return {
    ok: true,
    value: {
      ...(d.model_id !== undefined ? { modelId: d.model_id } : {}),
      ...(d.name !== undefined ? { name: d.name } : {}),
      ...(d.base_price_usd !== undefined ? { basePriceUsd: d.base_price_usd } : {}),
      ...(d.price_unit !== undefined ? { priceUnit: d.price_unit } : {}),
    },
  };
}

/** RunComfy's `error_code` and the most useful text of an error body (any shape). */
export function readErrorBody(body: unknown): { apiCode?: string; text?: string } {
  if (typeof body === 'string') return { text: errorText(body) };
  const r = zErrorBody.safeParse(body);
  if (!r.success) return {};
  const { error_code, error_message, message, error, detail } = r.data;
  // Some APIs send `error_code: 0` on success; only a non-zero code is an error.
  const code = error_code === null || error_code === undefined ? '' : String(error_code).trim();
  const apiCode = code === '' || code === '0' ? undefined : code;
  const text = errorText(error_message) ?? errorText(message) ?? errorText(error) ?? errorText(detail);
  return { ...(apiCode !== undefined ? { apiCode } : {}), ...(text !== undefined ? { text } : {}) };
}
