import type { JobOwner, JobRecord, JobState } from './job-record';

/**
 * The one state machine of a paid job. Every change to a record goes through `applyJobEvent`, a
 * pure function: the ledger decides *when* (it talks to the provider), this decides *what*. An
 * event that would move a job somewhere it cannot go is a bug and throws; an observation that
 * only looks backwards (a read saying "queued" after one said "running") is ignored.
 */
export type JobEvent =
  | { type: 'submitted'; requestId: string }
  | { type: 'submit-unknown'; message: string }
  | { type: 'submit-refused'; code: string; message: string }
  | { type: 'intent-orphaned'; message: string }
  | { type: 'observed'; state: 'queued' | 'running'; queuePosition?: number }
  | { type: 'succeeded'; outputUrls: readonly string[]; costUsd?: number }
  | { type: 'failed'; code: string; message: string }
  | { type: 'cancelled'; message: string }
  | { type: 'lost'; message: string }
  | { type: 'cancel-requested' }
  | { type: 'cancel-answered'; outcome: 'cancelled' | 'not_cancellable' | 'unknown' | 'failed' }
  | { type: 'output-stored'; index: number; assetId: string; mime?: 'image/png' | 'image/jpeg' | 'image/webp'; width?: number; height?: number }
  | { type: 'output-failed'; index: number; error: string; expired: boolean }
  | { type: 'downloads-settled' }
  | { type: 'note'; note: string | undefined }
  | { type: 'owner'; owner: JobOwner | undefined }
  | { type: 'superseded'; by: string }
  | { type: 'dismissed' };

export class LedgerTransitionError extends Error {
  readonly code = 'ledger-transition';
  constructor(record: JobRecord, event: JobEvent) {
    super(`Job ${record.jobId} cannot take "${event.type}" in state ${record.state}.`);
    this.name = 'LedgerTransitionError';
  }
}

/** Where each state may go next. */
const NEXT: Readonly<Record<JobState, readonly JobState[]>> = {
  intent: ['submitted', 'unknown-submission', 'failed'],
  submitted: ['queued', 'running', 'completed', 'failed', 'cancelled', 'lost'],
  queued: ['queued', 'running', 'completed', 'failed', 'cancelled', 'lost'],
  running: ['running', 'completed', 'failed', 'cancelled', 'lost'],
  completed: ['completed', 'stored', 'outputs-expired', 'lost'],
  stored: ['stored'],
  // Hosts sometimes answer 404 for a file that comes back later: a free re-fetch may still store it.
  'outputs-expired': ['stored', 'outputs-expired'],
  failed: [],
  cancelled: [],
  'unknown-submission': [],
  lost: [],
};

const ORDER: Partial<Record<JobState, number>> = { submitted: 0, queued: 1, running: 2, completed: 3 };

export const canMove = (from: JobState, to: JobState): boolean => NEXT[from].includes(to);

/** The record after `event`, stamped at `now` (wall ms), with `rev` bumped. */
export function applyJobEvent(record: JobRecord, event: JobEvent, now: number): JobRecord {
  const r: JobRecord = { ...record, rev: record.rev + 1, updatedAt: now };
  const move = (to: JobState): JobRecord => {
    if (!canMove(record.state, to)) throw new LedgerTransitionError(record, event);
    r.state = to;
    return r;
  };
  switch (event.type) {
    case 'submitted':
      move('submitted');
      r.requestId = event.requestId;
      r.submittedAt = now;
      return r;
    case 'submit-unknown':
    case 'intent-orphaned':
      move('unknown-submission');
      r.error = { code: 'unknown-submission', message: event.message };
      r.finishedAt = now;
      return r;
    case 'submit-refused':
      move('failed');
      r.notCreated = true;
      r.error = { code: event.code, message: event.message };
      r.finishedAt = now;
      return r;
    case 'observed': {
      // A read that lags behind an earlier one does not move the job back.
      if ((ORDER[record.state] ?? 9) > (ORDER[event.state] ?? 0)) return record;
      move(event.state);
      if (event.state === 'queued' && event.queuePosition !== undefined) r.queuePosition = event.queuePosition;
      if (event.state === 'running') delete r.queuePosition;
      return r;
    }
    case 'succeeded':
      move('completed');
      delete r.queuePosition;
      r.outputs = event.outputUrls.map((url, index) => record.outputs.find((o) => o.index === index && o.url === url) ?? { index, url, attempts: 0 });
      if (event.costUsd !== undefined) r.costUsd = event.costUsd;
      r.finishedAt = now;
      return r;
    case 'failed':
      move('failed');
      r.error = { code: event.code, message: event.message };
      r.finishedAt = now;
      return r;
    case 'cancelled':
      move('cancelled');
      r.error = { code: 'cancelled', message: event.message };
      r.finishedAt = now;
      return r;
    case 'lost':
      move('lost');
      r.error = { code: 'not-found', message: event.message };
      r.finishedAt = now;
      return r;
    case 'cancel-requested':
      r.cancel = { requestedAt: now };
      return r;
    case 'cancel-answered':
      r.cancel = { requestedAt: record.cancel?.requestedAt ?? now, outcome: event.outcome, answeredAt: now };
      return r;
    case 'output-stored':
    case 'output-failed': {
      if (!['completed', 'stored', 'outputs-expired'].includes(record.state)) throw new LedgerTransitionError(record, event);
      const i = r.outputs.findIndex((o) => o.index === event.index);
      const old = r.outputs[i];
      if (!old) throw new LedgerTransitionError(record, event);
      const attempts = old.attempts + 1;
      const next =
        event.type === 'output-stored'
          ? {
              index: old.index,
              url: old.url,
              assetId: event.assetId,
              attempts,
              ...(event.mime ? { mime: event.mime } : {}),
              ...(event.width ? { width: event.width } : {}),
              ...(event.height ? { height: event.height } : {}),
            }
          : { ...old, attempts, error: event.error, expired: event.expired };
      r.outputs = r.outputs.map((o, j) => (j === i ? next : o));
      return r;
    }
    case 'downloads-settled': {
      const stored = r.outputs.filter((o) => o.assetId !== undefined).length;
      const missing = r.outputs.length - stored;
      if (stored > 0) {
        move('stored');
        r.partial = missing > 0;
      } else if (r.outputs.every((o) => o.expired)) {
        move('outputs-expired');
        r.partial = true;
      } else {
        // Nothing fetched yet for a passing reason: stays completed, to be fetched for free later.
        r.partial = true;
      }
      return r;
    }
    case 'note':
      if (event.note === undefined) delete r.note;
      else r.note = event.note;
      return r;
    case 'owner':
      if (event.owner === undefined) delete r.owner;
      else r.owner = event.owner;
      return r;
    case 'superseded':
      r.supersededBy = event.by;
      return r;
    case 'dismissed':
      r.dismissed = true;
      return r;
  }
}
