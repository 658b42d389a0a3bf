import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * CPU time used so far by each kind of process of a bench on this machine (Linux /proc), so a
 * bench can say what the machine would need to run at the ideal rate: a ratio below its goal on
 * a machine whose cores the bench's own processes fill is the machine's bound, not the code's.
 */
export type ProcessKind = 'coordinator' | 'workers' | 'simulator' | 'postgres' | 'other';
export const PROCESS_KINDS: readonly ProcessKind[] = ['coordinator', 'workers', 'simulator', 'postgres', 'other'];
export type CpuByKind = Record<ProcessKind, number>;

/** The kind a command line names, or undefined (then its parent's kind counts: tsx's esbuild belongs to its node). */
export function kindOfCommand(cmdline: string): Exclude<ProcessKind, 'coordinator' | 'other'> | undefined {
  if (cmdline.includes('queue-bench-worker')) return 'workers';
  if (cmdline.includes('simulator-main')) return 'simulator';
  // The postmaster's path, and its backends' titles ("postgres: bench bench_0 [local] idle").
  if (/(^|\/)postgres(\0|:|$)/.test(cmdline)) return 'postgres';
  return undefined;
}

interface ProcEntry {
  ppid: number;
  cmdline: string;
  cpuMs: number;
}

/** One process's `/proc/<pid>/stat` and command line; undefined when it is gone or unreadable. */
function readEntry(procDir: string, pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(join(procDir, String(pid), 'stat'), 'utf8');
    // The command name is in parentheses and may hold spaces or parentheses itself: fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(join(procDir, String(pid), 'cmdline'), 'utf8');
    // state ppid … utime(14) stime(15): fields[0] is state, so ppid is [1], utime [11], stime [12]. Ticks of 10 ms (USER_HZ 100).
    return { ppid: Number(fields[1]), cmdline, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
  } catch {
    return undefined;
  }
}

/**
 * CPU ms (user + system, since each process started) of every living process, summed by kind:
 * `coordinatorPid` and its descendants are the coordinator; others by command line, else by
 * their nearest recognised ancestor, else `other`. Undefined where there is no /proc.
 */
export function cpuByKind(coordinatorPid: number, procDir = '/proc'): CpuByKind | undefined {
  let names: string[];
  try {
    names = readdirSync(procDir);
  } catch {
    return undefined;
  }
  const entries = new Map<number, ProcEntry>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readEntry(procDir, Number(name));
    if (entry) entries.set(Number(name), entry);
  }
  const kindOf = (pid: number): ProcessKind => {
    // Bounded: a parent chain is at most as long as the process table.
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 0 && hops <= entries.size; hops++) {
      if (p === coordinatorPid) return 'coordinator';
      const e = entries.get(p);
      if (!e) break;
      const kind = kindOfCommand(e.cmdline);
      if (kind) return kind;
      p = e.ppid;
    }
    return 'other';
  };
  const sums: CpuByKind = { coordinator: 0, workers: 0, simulator: 0, postgres: 0, other: 0 };
  for (const [pid, e] of entries) sums[kindOf(pid)] += e.cpuMs;
  return sums;
}

/**
 * What each kind used between two readings. A process that ended in between takes its CPU
 * with it (a kind can then come out negative): the bench's processes all outlive the window.
 */
export function cpuBetween(before: CpuByKind, after: CpuByKind): CpuByKind {
  const d = {} as CpuByKind;
  for (const k of PROCESS_KINDS) d[k] = after[k] - before[k];
  return d;
}
