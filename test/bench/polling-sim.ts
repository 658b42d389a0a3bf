import { boundedPollPolicy, fixedPollPolicy, type PollPolicy } from '../../app/api/poll-policy';
import { RunTimeModel, type RunTimeEstimate, type RunTimeFactors } from '../../app/api/run-time-model';
import { JobLedger, MemoryLedgerStore } from '../../app/ledger';
import { FakeClock } from '../fixtures/fake-clock';
import { CountingAssets, FakeProvider } from '../fixtures/fake-provider';

/**
 * Polling measured on a fake clock, through the real ledger loop. Each job waits `queueMs` in
 * the queue, then runs `runMs`. The ledger reads the status endpoint while the job may be queued,
 * the result endpoint once it has been seen running (the read that sees it finish brings the
 * outputs); a status read that says `completed` is followed at once by a result read. Every
 * read is one request. Detection delay: from the job finishing to the read that brings its outputs.
 */

export interface SimJob {
  queueMs: number;
  runMs: number;
  factors: RunTimeFactors;
}

export interface JobRun {
  requests: number;
  delayMs: number;
  /**
   * The run time as the ledger measures it for learning (the finish taken mid-gap, the start at
   * the last poll that saw it queued, else the submit); undefined when it was never seen running.
   */
  measuredRunMs?: number;
}

/**
 * One job followed by the real job ledger (`JobLedger` → `followJob`) under `policy`, against a
 * fake provider whose job queues for `queueMs` then runs `runMs`: the requests counted are the
 * status/result reads the ledger really makes, the delay runs from the job finishing to the read
 * that brought its outputs.
 */
export async function runJob(policy: PollPolicy, job: SimJob): Promise<JobRun> {
  const clock = new FakeClock();
  const provider = new FakeProvider(clock);
  provider.nextJob = { queueMs: job.queueMs, runMs: job.runMs, outputs: 1 };
  const doneAt = job.queueMs + job.runMs;
  let detectedAt: number | undefined;
  const read = provider.read.bind(provider);
  provider.read = async (id, want) => {
    const seen = await read(id, want);
    if (seen.state === 'succeeded' && detectedAt === undefined) detectedAt = clock.now();
    return seen;
  };
  let measuredRunMs: number | undefined;
  const ledger = new JobLedger({
    store: new MemoryLedgerStore(),
    provider,
    assets: new CountingAssets(),
    clock,
    owner: { id: 'bench' },
    policy,
    learner: { observe: (_f, ms) => (measuredRunMs = ms) },
    random: () => 0.5,
  });
  const request = {
    model: 'bytedance/seedream-4-5/edit-sequential',
    prompt: job.factors.prompt ?? 'Generate images',
    references: [],
    params: { maxImages: job.factors.maxImages, resolution: job.factors.resolution },
    maxOutputs: job.factors.maxImages,
  };
  await clock.drive(ledger.generate(request, { signal: new AbortController().signal, job: { nodeId: 'n', cacheKey: 'k' } }), 200_000);
  if (detectedAt === undefined) throw new Error('polling sim: job never detected');
  return {
    requests: provider.calls.status + provider.calls.result,
    delayMs: detectedAt - doneAt,
    ...(measuredRunMs !== undefined ? { measuredRunMs } : {}),
  };
}

/** A seeded RNG (mulberry32), so every run of the bench measures the same jobs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const logUniform = (r: () => number, lo: number, hi: number) => lo * (hi / lo) ** r();
/** 40 % of jobs also wait 2–40 s (uniform) in the queue. */
const queueOf = (r: () => number) => (r() < 0.4 ? 2_000 + 38_000 * r() : 0);

export interface MixJob extends SimJob {
  /** The estimate the policy is given: the true run time × an error. */
  estimateMs: number;
}

/**
 * The realistic mix: run times log-uniform 4–120 s, the queue as above, and an estimate off by
 * ×0.5–×2 (log-uniform), or by exactly `errorFactor` when given.
 */
export function realisticMix(n: number, seed: number, errorFactor?: number): MixJob[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const runMs = logUniform(r, 4_000, 120_000);
    const queueMs = queueOf(r);
    const error = errorFactor ?? logUniform(r, 0.5, 2);
    return { queueMs, runMs, estimateMs: runMs * error, factors: { maxImages: 3, resolution: '2048x2048 (1:1)' } };
  });
}

/** An estimate that is only a guess (never learned, so never a floor). */
export const guessedEstimate = (expectedMs: number) => ({ estimate: (): RunTimeEstimate => ({ expectedMs, learned: false }) });

/**
 * Jobs of known classes, each run ×0.87–×1.15 of its class's typical time (× `speed`, to make
 * outliers). `long`: 4K, 2–15 images, typically 140 s + 12 s per image beyond two (all ≥ 120 s).
 * `short`: 2K, 1–15 images, typically 3 s + 2 s per image (4–38 s).
 */
export const JOB_KINDS = {
  long: { resolution: '4K', images: [2, 15], typicalMs: (images: number) => 140_000 + 12_000 * (images - 2) },
  short: { resolution: '2K', images: [1, 15], typicalMs: (images: number) => 3_000 + 2_000 * images },
} as const;
export type JobKind = keyof typeof JOB_KINDS;

function classJob(kind: JobKind, images: number, r: () => number, speed: number): SimJob {
  const k = JOB_KINDS[kind];
  return { queueMs: queueOf(r), runMs: k.typicalMs(images) * logUniform(r, 0.87, 1.15) * speed, factors: { maxImages: images, resolution: k.resolution } };
}

export function classJobs(kind: JobKind, n: number, seed: number, speed = 1): SimJob[] {
  const r = seededRandom(seed);
  const [lo, hi] = JOB_KINDS[kind].images;
  return Array.from({ length: n }, () => classJob(kind, lo + Math.floor(r() * (hi - lo + 1)), r, speed));
}

/** A model that has seen `perClass` jobs of every class of `kind`, measured by the loop as the ledger would. */
export async function learnedModel(kind: JobKind, perClass: number, seed: number): Promise<RunTimeModel> {
  const model = new RunTimeModel();
  const policy = boundedPollPolicy(model);
  const r = seededRandom(seed);
  const [lo, hi] = JOB_KINDS[kind].images;
  for (let images = lo; images <= hi; images++) {
    for (let i = 0; i < perClass; i++) {
      const job = classJob(kind, images, r, 1);
      const { measuredRunMs } = await runJob(policy, job);
      if (measuredRunMs !== undefined) model.observe(job.factors, measuredRunMs);
    }
  }
  return model;
}

export interface RowStats {
  meanRequests: number;
  meanDelayMs: number;
  maxDelayMs: number;
}

export function summarise(runs: readonly JobRun[]): RowStats {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    meanRequests: mean(runs.map((r) => r.requests)),
    meanDelayMs: mean(runs.map((r) => r.delayMs)),
    maxDelayMs: Math.max(...runs.map((r) => r.delayMs)),
  };
}

export interface BenchRow {
  label: string;
  jobs: number;
  bounded: RowStats;
  fixed: RowStats;
  /** The goals this row is held to, as [description, met] pairs. */
  goals: [string, boolean][];
}

export const FIXED_2S = fixedPollPolicy(2_000);

/** Runs `jobs` under a per-job policy and under fixed 2 s; `learn` feeds each measured run back. */
export async function measureRow(
  label: string,
  jobs: readonly SimJob[],
  policyFor: (job: SimJob) => PollPolicy,
  goals: (b: RowStats, f: RowStats) => [string, boolean][],
  learn?: RunTimeModel,
): Promise<BenchRow> {
  const bounded: JobRun[] = [];
  const fixed: JobRun[] = [];
  for (const job of jobs) {
    const run = await runJob(policyFor(job), job);
    if (run.measuredRunMs !== undefined) learn?.observe(job.factors, run.measuredRunMs);
    bounded.push(run);
    fixed.push(await runJob(FIXED_2S, job));
  }
  const [b, f] = [summarise(bounded), summarise(fixed)];
  return { label, jobs: jobs.length, bounded: b, fixed: f, goals: goals(b, f) };
}
