import { ACTIVE_STATES, REPAY_STATES, type JobOwner, type JobRecord } from './job-record';

/**
 * What the ledger knows about one piece of work (a cache key): the answer to "what would running
 * this node now cost, and what would it do?". The cost dialog, the CLI's cost line and the
 * ledger's own `generate` all read it.
 */
export type WorkStatus =
  /** Nothing recorded (or only definitive failures/cancels): a run submits a new, paid job. */
  | { kind: 'none'; previous?: JobRecord }
  /** Its images are stored: a run reuses them at $0. */
  | { kind: 'stored'; record: JobRecord }
  /** Finished and billed, some images still missing: a run fetches them for free. */
  | { kind: 'partial'; record: JobRecord }
  /** In flight (here or in another process): a run joins it at $0. */
  | { kind: 'in-flight'; record: JobRecord; elsewhere: boolean }
  /** An earlier attempt may have been billed (unknown submission, expired outputs, lost): paying again needs the user's choice. */
  | { kind: 'blocked'; record: JobRecord };

export interface OwnerView {
  /** This process's owner id. */
  me: string;
  wallNow: () => number;
  /** Whether another owner is alive, when it can be told (same host: is its pid alive?). */
  isOwnerAlive?: (owner: JobOwner) => boolean | undefined;
}

/** Whether `r` is followed by a living owner other than this process. */
export function ownedElsewhere(r: JobRecord, v: OwnerView): boolean {
  const o = r.owner;
  if (!o || o.id === v.me) return false;
  const alive = v.isOwnerAlive?.(o);
  return alive ?? o.leaseUntil > v.wallNow();
}

/**
 * Classifies the records of one cache key (newest first). The newest record that says anything
 * decides; records superseded by a later paid-again job are skipped; a definitive failure or a
 * cancel leaves the work free to run again.
 */
export function workStatus(records: readonly JobRecord[], v: OwnerView): WorkStatus {
  for (const r of records) {
    if (r.supersededBy) continue;
    if (ACTIVE_STATES.has(r.state)) {
      if (r.state === 'completed' && r.partial && !ownedElsewhere(r, v)) return { kind: 'partial', record: r };
      return { kind: 'in-flight', record: r, elsewhere: ownedElsewhere(r, v) };
    }
    if (r.state === 'stored') return r.partial ? { kind: 'partial', record: r } : { kind: 'stored', record: r };
    if (REPAY_STATES.has(r.state)) return { kind: 'blocked', record: r };
    return { kind: 'none', previous: r };
  }
  return { kind: 'none' };
}
