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

const match = {
  /** Routes this fault may strike; any route when absent. */
  route: z.union([zSimRoute, z.array(zSimRoute)]).optional(),
  /** Only requests about this request id (status/result/cancel/file). */
  requestId: z.string().optional(),
  /** How many matching requests it strikes: pushed faults default to 1, server defaults to always. */
  times: z.number().int().positive().optional(),
};
const phase = { phase: zFaultPhase.optional() };

/**
 * A scripted misbehaviour. Response faults (`http`, `error-code-200`, `reset`, `hang`, `delay`)
 * change how one request is answered; `expire` forgets the job a request names; `job` changes the
 * job a submit creates (fails it, relabels its terminal status, slows it down).
 */
export const zFault = z.discriminatedUnion('kind', [
  /** Answer with this HTTP status (and body/headers, e.g. `Retry-After`); see `defaultFaultBody`. */
  z.object({
    kind: z.literal('http'),
    status: z.number().int().min(200).max(599),
    body: z.json().optional(),
    headers: z.record(z.string(), z.string()).optional(),
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
  /** Never answer; the connection stays open until the client gives up or the server closes. */
  z.object({ kind: z.literal('hang'), ...phase, ...match }),
  /** Answer normally, `ms` (model time, × timeScale, on the simulator's clock) late. */
  z.object({ kind: z.literal('delay'), ms: z.number().min(0), ...phase, ...match }),
  /** The job the request names is forgotten: this and later requests get 404 with 404001. */
  z.object({ kind: z.literal('expire'), ...match }),
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
    ...match,
  }),
]);
export type Fault = z.infer<typeof zFault>;
export type JobFault = Extract<Fault, { kind: 'job' }>;
export type ResponseFault = Exclude<Fault, { kind: 'job' | 'expire' }>;

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

/** Readable builders for the faults tests use most. */
export const simFaults = {
  rateLimited: (retryAfterSeconds = 1, m: FaultMatch = {}): Fault => ({
    kind: 'http',
    status: 429,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    ...m,
  }),
  serverError: (status = 503, m: FaultMatch = {}): Fault => ({ kind: 'http', status, ...m }),
  insufficientBalance: (m: FaultMatch = {}): Fault => ({ kind: 'http', status: 402, ...m }),
  wrongOwner: (m: FaultMatch = {}): Fault => ({ kind: 'http', status: 403, ...m }),
  errorCode200: (error_code: number, m: FaultMatch = {}): Fault => ({ kind: 'error-code-200', error_code, ...m }),
  reset: (phase: FaultPhase = 'after-body', m: FaultMatch = {}): Fault => ({ kind: 'reset', phase, ...m }),
  hang: (phase: FaultPhase = 'after-body', m: FaultMatch = {}): Fault => ({ kind: 'hang', phase, ...m }),
  expire: (m: FaultMatch = {}): Fault => ({ kind: 'expire', ...m }),
  jobFails: (error?: z.core.util.JSONType, m: FaultMatch = {}): Fault => ({ kind: 'job', fail: true, ...(error === undefined ? {} : { error }), ...m }),
  slowQueue: (queueDelayMs: number, m: FaultMatch = {}): Fault => ({ kind: 'job', queueDelayMs, ...m }),
};
export type FaultMatch = Pick<Fault, 'route' | 'requestId' | 'times'>;

interface Armed {
  fault: Fault;
  remaining: number;
}

function applies(fault: Fault, route: SimRoute, requestId: string | undefined): boolean {
  if (fault.kind === 'job' && route !== 'submit') return false;
  if (fault.kind === 'expire' && requestId === undefined) return false;
  if (fault.route !== undefined && !(Array.isArray(fault.route) ? fault.route.includes(route) : fault.route === route)) return false;
  // A submit has no request id yet, so a job fault ignores `requestId`.
  return fault.kind === 'job' || fault.requestId === undefined || fault.requestId === requestId;
}

/**
 * Pushed faults are one-shot (or `times`-shot) and consumed in order by the first request they
 * apply to; server defaults apply to every matching request (unless `times` says otherwise) once
 * no pushed fault matches. At most one fault strikes a request.
 */
export class FaultBook {
  private queue: Armed[] = [];
  private defaults: Armed[] = [];

  constructor(defaults: readonly Fault[] = []) {
    this.setDefaults(defaults);
  }

  push(...faults: Fault[]): void {
    for (const f of faults) this.queue.push({ fault: zFault.parse(f), remaining: f.times ?? 1 });
  }

  setDefaults(faults: readonly Fault[]): void {
    this.defaults = faults.map((f) => ({ fault: zFault.parse(f), remaining: f.times ?? Infinity }));
  }

  clear(): void {
    this.queue = [];
    this.defaults = [];
  }

  /** Pushed faults not yet used up. */
  pending(): Fault[] {
    return this.queue.map((a) => a.fault);
  }

  /** The fault that strikes this request, if any (and uses it up once). */
  take(route: SimRoute, requestId: string | undefined): Fault | undefined {
    for (const list of [this.queue, this.defaults]) {
      const i = list.findIndex((a) => applies(a.fault, route, requestId));
      const armed = list[i];
      if (!armed) continue;
      armed.remaining -= 1;
      if (armed.remaining <= 0) list.splice(i, 1);
      return armed.fault;
    }
    return undefined;
  }
}
