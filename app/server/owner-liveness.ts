import { readFileSync } from 'node:fs';
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
 * When a process started, as the kernel says (Linux: `/proc/<pid>/stat` field 22, clock ticks
 * since boot); undefined where it cannot be read. Pids are reused — on a busy machine within
 * minutes — so owners and locks name a process by pid AND start time.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether that process still runs: its pid is alive and, when both are known, it started when `started` says. */
export function isProcessAlive(pid: number, started: string | undefined): boolean {
  if (!isPidAlive(pid)) return false;
  if (started === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === started;
}

/**
 * Liveness of a ledger owner as this machine can tell it: an owner on this host is alive while
 * its pid is; for other hosts it cannot say (undefined), so the owner's lease decides.
 */
export function localOwnerAlive(owner: JobOwner): boolean | undefined {
  if (owner.host !== hostname() || owner.pid === undefined) return undefined;
  // The same pid under another id is an earlier ledger of this very process (it has let go).
  if (owner.pid === process.pid) return false;
  return isProcessAlive(owner.pid, startOfOwnerId(owner.id));
}

/** This process as a ledger owner. */
export function processOwner(kind: string): { id: string; host: string; pid: number } {
  const started = processStartTime(process.pid) ?? `t${Date.now().toString(36)}`;
  return { id: `${kind}:${hostname()}:${process.pid}:${started}`, host: hostname(), pid: process.pid };
}

/** The process start time an owner id made by `processOwner` carries (undefined when it has none). */
function startOfOwnerId(id: string): string | undefined {
  const last = id.slice(id.lastIndexOf(':') + 1);
  return /^\d+$/.test(last) ? last : undefined;
}
