import { hostname } from 'node:os';
import type { JobOwner } from '../ledger/job-record';

/** Whether a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Liveness of a ledger owner as this machine can tell it: an owner on this host is alive while
 * its pid is; for other hosts it cannot say (undefined), so the owner's lease decides.
 */
export function localOwnerAlive(owner: JobOwner): boolean | undefined {
  if (owner.host !== hostname() || owner.pid === undefined) return undefined;
  // The same pid under another id is an earlier ledger of this very process (it has let go).
  if (owner.pid === process.pid) return false;
  return isPidAlive(owner.pid);
}

/** This process as a ledger owner. */
export function processOwner(kind: string): { id: string; host: string; pid: number } {
  return { id: `${kind}:${hostname()}:${process.pid}:${Date.now().toString(36)}`, host: hostname(), pid: process.pid };
}
