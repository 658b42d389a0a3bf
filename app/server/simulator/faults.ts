import { z } from 'zod';

/** The simulator's routes, as faults and counters name them. */
export const SIM_ROUTES = ['submit', 'catalog', 'status', 'result', 'cancel', 'file'] as const;
export const zSimRoute = z.enum(SIM_ROUTES);
export type SimRoute = z.infer<typeof zSimRoute>;

/**
 * When a response fault strikes:
 * - `before-body`: before the request body is read (nothing happened on the server);
 * - `after-body`: the body was read, the request was not processed (the default);
 * - `after-accept`: the request was processed (a submit CREATED its job, a cancel took effect),
 *   then the fault replaces the answer. This is the ambiguous submit a client must not resend.
 */
export const zFaultPhase = z.enum(['before-body', 'after-body', 'after-accept']);
export type FaultPhase = z.infer<typeof zFaultPhase>;

const zIndexes = z.union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1)]);

const match = {
  /** Routes this fault may strike; any route when absent. */
  route: z.union([zSimRoute, z.array(zSimRoute)]).optional(),
  /** Only requests about this request id (status/result/cancel/file). */
  requestId: z.string().optional(),
  /**
   * How many matching requests it strikes, or `'always'`. Pushed faults default to 1 (to
   * `'always'` when `forMs` is given), server defaults to `'always'`.
   */
  times: z.union([z.number().int().positive(), z.literal('always')]).optional(),
  /** The fault is armed for this long (model ms × timeScale) from when it was pushed or set. */
  forMs: z.number().positive().optional(),
  /**
   * Only downloads of these outputs: 0-based positions in the result's `output.images`
   * (`/files/:id/{outputIndex + 1}.png`). Implies the `file` route.
   */
  outputIndex: zIndexes.optional(),
};
const phase = { phase: zFaultPhase.optional() };

/** How `Retry-After` is written: seconds (`90`) or an HTTP-date on the simulator's wall clock. */
export const zRetryAfterForm = z.enum(['delta-seconds', 'http-date']);
export type RetryAfterForm = z.infer<typeof zRetryAfterForm>;

/**
 * A job whose status (and/or result) endpoint answers a word outside the documented ones
 * (`starting`, `preparing`, …) while it is queued or running. Both limits, when given, must
 * still hold: the first `polls` reads of that endpoint, within `forMs` (model ms) of the submit.
 */
export const zUnknownStatus = z.object({
  word: z.string().min(1),
  polls: z.number().int().positive().optional(),
  forMs: z.number().positive().optional(),
  /** Which endpoint says it; default `status`. */
  on: z.enum(['status', 'result', 'both']).optional(),
});
export type UnknownStatus = z.infer<typeof zUnknownStatus>;

/** What an expired output URL answers (storage services say 403 or 404, some 410). */
export const zExpiredFileStatus = z.number().int().min(400).max(499);

/**
 * A scripted misbehaviour. Response faults (`http`, `error-code-200`, `reset`, `hang`, `delay`)
 * change how one request is answered; `hold` processes a request and withholds its answer;
 * `expire` forgets the job a request names, `expire-files` kills its output URLs only;
 * `refuse-cancel` answers a cancel `not_cancellable`; `job` shapes the job a submit creates.
 */
export const zFault = z.discriminatedUnion('kind', [
  /** Answer with this HTTP status (and body/headers); see `defaultFaultBody`. */
  z.object({
    kind: z.literal('http'),
    status: z.number().int().min(200).max(599),
    body: z.json().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Adds `Retry-After` (an HTTP-date form also sets `Date`, both on the simulator's wall clock). */
    retryAfter: z.object({ seconds: z.number().int().min(0), form: zRetryAfterForm.optional() }).optional(),
    ...phase,
    ...match,
  }),
  /** Answer HTTP 200 with `{error_code, error_message}`, as some RunComfy APIs do. */
  z.object({
    kind: z.literal('error-code-200'),
    error_code: z.number().int(),
    error_message: z.string().optional(),
    ...phase,
    ...match,
  }),
  /** Destroy the connection without an answer. */
  z.object({ kind: z.literal('reset'), ...phase, ...match }),
  /** Never answer: the connection stays open until the client gives up, or for `ms` then resets. */
  z.object({ kind: z.literal('hang'), ms: z.number().min(0).optional(), ...phase, ...match }),
  /** Answer normally, `ms` (model time, × timeScale, on the simulator's clock) late. */
  z.object({ kind: z.literal('delay'), ms: z.number().min(0), ...phase, ...match }),
  /**
   * Process the request (a submit creates its job), then withhold the answer, headers included,
   * until released (`sim.release`, `POST /_simulator/release`), `ms` elapsed, or forever.
   */
  z.object({ kind: z.literal('hold'), ms: z.number().min(0).optional(), ...match }),
  /** The job the request names is forgotten: this and later requests get 404 with 404001. */
  z.object({ kind: z.literal('expire'), ...match }),
  /** The output URLs of the job the request names stop working now; status/result still answer. */
  z.object({ kind: z.literal('expire-files'), ...match }),
  /** A cancel answers 202 `not_cancellable` and leaves the job as it is (even a queued one). */
  z.object({ kind: z.literal('refuse-cancel'), ...match }),
  /** Applies to the job the next matching submit creates. */
  z.object({
    kind: z.literal('job'),
    /** The job fails when its run ends; the result carries `error` (any JSON shape). */
    fail: z.boolean().optional(),
    error: z.json().optional(),
    /** What the status endpoint says once the job is over instead of `completed` (e.g. `failed`). */
    terminalStatus: z.string().optional(),
    /** Per-job timing overrides (model ms). */
    queueDelayMs: z.number().min(0).optional(),
    baseMs: z.number().min(0).optional(),
    perImageMs: z.number().min(0).optional(),
    /** Its output URLs stop working this long (model ms) after it finished (overrides the setting). */
    filesExpireAfterMs: z.number().positive().optional(),
    expiredFileStatus: zExpiredFileStatus.optional(),
    /** It reports an unknown status word while queued/running (overrides the setting). */
    unknownStatus: zUnknownStatus.optional(),
    ...match,
  }),
]);
export type Fault = z.infer<typeof zFault>;
export type FaultKind = Fault['kind'];
export type JobFault = Extract<Fault, { kind: 'job' }>;
export type HoldFault = Extract<Fault, { kind: 'hold' }>;
/** Faults that replace or postpone an answer, played by `strike`. */
export type ResponseFault = Extract<Fault, { kind: 'http' | 'error-code-200' | 'reset' | 'hang' | 'delay' }>;
export type FaultMatch = Pick<Fault, 'route' | 'requestId' | 'times' | 'forMs' | 'outputIndex'>;

const RESPONSE_KINDS: ReadonlySet<FaultKind> = new Set(['http', 'error-code-200', 'reset', 'hang', 'delay']);
export const isResponseFault = (f: Fault | undefined): f is ResponseFault => f !== undefined && RESPONSE_KINDS.has(f.kind);

/** The error object a failed job reports unless the fault gives one. */
export const DEFAULT_JOB_ERROR = { code: 'SIMULATED_FAILURE', message: 'The simulated job failed (scripted fault).' };

/** Body of an `http` fault without an explicit body: what RunComfy's documented codes suggest. */
export function defaultFaultBody(status: number): Record<string, unknown> {
  switch (status) {
    case 401:
      return { error_code: 400004, error_message: 'The token is missing, expired or revoked (simulated).' };
    case 402:
      return { error_code: 400002, error_message: 'Insufficient balance (simulated).' };
    case 403:
      return { error_code: 403001, error_message: 'The resource belongs to another user (simulated).' };
    case 404:
      return { error_code: 404001, error_message: 'Unknown, deleted or expired request id (simulated).' };
    case 429:
      return { error_message: 'Too many requests (simulated).' };
    default:
      return { error_message: status >= 500 ? `Upstream unavailable (simulated ${status}).` : `Simulated HTTP ${status}.` };
  }
}

/**
 * The `Retry-After` (and, for the HTTP-date form, `Date`) headers for `seconds` from `wallMs`.
 * HTTP-dates have whole seconds: `Date` is rounded down and the target up, so the gap a client
 * computes from the two headers is never shorter than asked.
 */
export function retryAfterHeaders(seconds: number, form: RetryAfterForm, wallMs: number): Record<string, string> {
  if (form === 'delta-seconds') return { 'Retry-After': String(seconds) };
  const at = Math.ceil((wallMs + seconds * 1000) / 1000) * 1000;
  return { 'Retry-After': new Date(at).toUTCString(), date: new Date(Math.floor(wallMs / 1000) * 1000).toUTCString() };
}
