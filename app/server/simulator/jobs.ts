import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock';
import { MAX_TOTAL_IMAGES, promptImageCount, type SeedreamInput } from '../../model/seedream';
import type { JobFault } from './faults';

/** Where a simulated job is. The two endpoints name these differently (see `routes.ts`). */
export type JobPhase = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface SimJob {
  readonly id: string;
  /** Submission order: the queue is first-in, first-out among jobs whose queue delay is over. */
  readonly seq: number;
  readonly input: SeedreamInput;
  /** Frames the job returns when it succeeds, and their pixel size (fixed at submit). */
  readonly imageCount: number;
  readonly frameSize: { width: number; height: number };
  /** Clock times (ms). */
  readonly submittedAt: number;
  /** Earliest start: `submittedAt` + the queue delay. */
  readonly readyAt: number;
  readonly runMs: number;
  readonly fault: JobFault | undefined;
  phase: JobPhase;
  startedAt?: number;
  finishedAt?: number;
  /** Reads of each endpoint while the job was queued or running (limits `unknownStatus`). */
  readonly activeReads: { status: number; result: number };
  /** Clock time its output URLs were expired by hand or by a fault, whatever the settings say. */
  filesExpiredAt?: number;
}

/**
 * How many frames the simulated model returns: the number the prompt asks for, else the maximum;
 * never more than the maximum requested (`sequential_image_generation_options` is a cap, and the
 * price), and never more than 15 − references (the upstream rule).
 */
export function simulatedImageCount(input: SeedreamInput): number {
  const wanted = promptImageCount(input.prompt) ?? input.sequential_image_generation_options;
  const cap = Math.min(input.sequential_image_generation_options, MAX_TOTAL_IMAGES - input.images.length);
  return Math.max(1, Math.min(wanted, cap));
}

export interface NewJob {
  input: SeedreamInput;
  imageCount: number;
  frameSize: { width: number; height: number };
  /** Clock milliseconds (already time-scaled). */
  queueDelayMs: number;
  runMs: number;
  fault?: JobFault | undefined;
}

export interface JobStoreLimits {
  workers: number;
  /** 0 = finished jobs never expire. */
  expireAfterMs: number;
  maxFinishedJobs: number;
}

/**
 * A virtual queue with a fixed number of workers. State is not driven by timers: every read first
 * replays, in time order, the starts and finishes that happened up to `clock.now()`. That keeps the
 * simulator deterministic (the same submit/cancel times give the same schedule), free of timers to
 * clean up, and exact on a FakeClock, where a test just advances time and reads.
 */
export class JobStore {
  private readonly jobs = new Map<string, SimJob>();
  /** Queued and running jobs, in submission order. */
  private active: SimJob[] = [];
  private finished: SimJob[] = [];
  private simTime: number;
  private seq = 0;
  /** Jobs created so far (expired ones included). */
  get created(): number {
    return this.seq;
  }

  constructor(
    private readonly clock: Clock,
    private readonly limits: () => JobStoreLimits,
    private readonly newId: () => string = randomUUID,
  ) {
    this.simTime = clock.now();
  }

  create(spec: NewJob): SimJob {
    const now = this.sync();
    const job: SimJob = {
      id: this.newId(),
      seq: this.seq++,
      input: spec.input,
      imageCount: spec.imageCount,
      frameSize: spec.frameSize,
      submittedAt: now,
      readyAt: now + spec.queueDelayMs,
      runMs: spec.runMs,
      fault: spec.fault,
      phase: 'queued',
      activeReads: { status: 0, result: 0 },
    };
    this.jobs.set(job.id, job);
    this.active.push(job);
    this.sync();
    return job;
  }

  /** The job as of now, or undefined when unknown or expired. */
  get(id: string): SimJob | undefined {
    this.sync();
    return this.jobs.get(id);
  }

  /** Every known job, in submission order. */
  list(): SimJob[] {
    this.sync();
    return [...this.jobs.values()];
  }

  /** 1-based place among queued jobs (1 = next to start), or undefined when not queued. */
  queuePosition(job: SimJob): number | undefined {
    if (job.phase !== 'queued') return undefined;
    return 1 + this.active.filter((j) => j.phase === 'queued' && j.seq < job.seq).length;
  }

  /** Cancels a queued job. Returns false when it already runs or is over (nothing changes). */
  cancel(id: string): boolean {
    const now = this.sync();
    const job = this.jobs.get(id);
    if (!job || job.phase !== 'queued') return false;
    job.phase = 'cancelled';
    job.finishedAt = now;
    this.retire(job);
    this.sync();
    return true;
  }

  /** Makes a job's output URLs stop working now (the job itself stays). False when unknown. */
  expireFiles(id: string): boolean {
    const now = this.sync();
    const job = this.jobs.get(id);
    if (!job) return false;
    job.filesExpiredAt ??= now;
    return true;
  }

  /** Forgets a job at once (an expired id). */
  forget(id: string): void {
    this.jobs.delete(id);
    this.active = this.active.filter((j) => j.id !== id);
    this.finished = this.finished.filter((j) => j.id !== id);
  }

  /** Replays every event up to now (call before changing the limits, so they apply from now on). */
  catchUp(): void {
    this.sync();
  }

  /** Replays every event up to now; returns now. */
  private sync(): number {
    const now = Math.max(this.simTime, this.clock.now());
    const { workers, expireAfterMs, maxFinishedJobs } = this.limits();
    for (;;) {
      let finishing: SimJob | undefined;
      let starting: SimJob | undefined;
      let finishAt = Infinity;
      let startAt = Infinity;
      let running = 0;
      for (const j of this.active) {
        if (j.phase === 'running') {
          running += 1;
          const at = j.startedAt! + j.runMs;
          if (at < finishAt) [finishing, finishAt] = [j, at];
        }
      }
      if (running < workers) {
        for (const j of this.active) {
          if (j.phase !== 'queued') continue;
          const at = Math.max(this.simTime, j.readyAt);
          if (at < startAt) [starting, startAt] = [j, at];
        }
      }
      // A finish frees its worker before a start at the same instant.
      if (finishing && finishAt <= startAt && finishAt <= now) {
        this.simTime = finishAt;
        finishing.phase = finishing.fault?.fail ? 'failed' : 'succeeded';
        finishing.finishedAt = finishAt;
        this.retire(finishing);
      } else if (starting && startAt <= now) {
        this.simTime = startAt;
        starting.phase = 'running';
        starting.startedAt = startAt;
      } else break;
    }
    this.simTime = now;
    if (expireAfterMs > 0) {
      for (const j of this.finished) if (j.finishedAt! + expireAfterMs <= now) this.jobs.delete(j.id);
      this.finished = this.finished.filter((j) => this.jobs.has(j.id));
    }
    while (this.finished.length > maxFinishedJobs) this.jobs.delete(this.finished.shift()!.id);
    return now;
  }

  private retire(job: SimJob): void {
    this.active = this.active.filter((j) => j !== job);
    this.finished.push(job);
  }
}
