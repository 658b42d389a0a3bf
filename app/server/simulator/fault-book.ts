import { zFault, type Fault, type SimRoute } from './faults';

/** What a request is about, as faults match it. */
export interface FaultTarget {
  route: SimRoute;
  requestId?: string | undefined;
  /** 0-based output position of a file download. */
  outputIndex?: number | undefined;
}

interface Armed {
  fault: Fault;
  remaining: number;
  /** Clock time the fault disarms at (its `forMs` window). */
  until: number;
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function applies(fault: Fault, t: FaultTarget): boolean {
  if (fault.kind === 'job' && t.route !== 'submit') return false;
  if (fault.kind === 'refuse-cancel' && t.route !== 'cancel') return false;
  if ((fault.kind === 'expire' || fault.kind === 'expire-files') && t.requestId === undefined) return false;
  if (fault.route !== undefined && !asList(fault.route).includes(t.route)) return false;
  if (fault.outputIndex !== undefined && (t.outputIndex === undefined || !asList(fault.outputIndex).includes(t.outputIndex))) return false;
  // A submit has no request id yet, so a job fault ignores `requestId`.
  return fault.kind === 'job' || fault.requestId === undefined || fault.requestId === t.requestId;
}

/**
 * Pushed faults are one-shot (or `times`-shot) and consumed in order by the first request they
 * apply to; server defaults apply to every matching request (unless `times` says otherwise) once
 * no pushed fault matches. A `forMs` window disarms a fault when it ends. At most one fault
 * strikes a request.
 */
export class FaultBook {
  private queue: Armed[] = [];
  private defaults: Armed[] = [];

  /**
   * @param now the simulator's clock; @param timeScale multiplies `forMs` (read when armed).
   */
  constructor(
    defaults: readonly Fault[] = [],
    private readonly now: () => number = () => 0,
    private readonly timeScale: () => number = () => 1,
  ) {
    this.setDefaults(defaults);
  }

  push(...faults: Fault[]): void {
    for (const f of faults) this.queue.push(this.arm(f, f.forMs === undefined ? 1 : Infinity));
  }

  setDefaults(faults: readonly Fault[]): void {
    this.defaults = faults.map((f) => this.arm(f, Infinity));
  }

  clear(): void {
    this.queue = [];
    this.defaults = [];
  }

  /** Pushed faults not yet used up (nor out of their window). */
  pending(): Fault[] {
    this.disarmExpired();
    return this.queue.map((a) => a.fault);
  }

  /** Server-level faults still armed. */
  serverDefaults(): Fault[] {
    this.disarmExpired();
    return this.defaults.map((a) => a.fault);
  }

  /** The fault that strikes this request, if any (and uses it up once). */
  take(target: FaultTarget): Fault | undefined {
    this.disarmExpired();
    for (const list of [this.queue, this.defaults]) {
      const i = list.findIndex((a) => applies(a.fault, target));
      const armed = list[i];
      if (!armed) continue;
      armed.remaining -= 1;
      if (armed.remaining <= 0) list.splice(i, 1);
      return armed.fault;
    }
    return undefined;
  }

  private arm(f: Fault, unlimited: number): Armed {
    const fault = zFault.parse(f);
    const remaining = fault.times === 'always' ? Infinity : (fault.times ?? unlimited);
    const until = fault.forMs === undefined ? Infinity : this.now() + fault.forMs * this.timeScale();
    return { fault, remaining, until };
  }

  private disarmExpired(): void {
    const now = this.now();
    this.queue = this.queue.filter((a) => a.until > now);
    this.defaults = this.defaults.filter((a) => a.until > now);
  }
}
