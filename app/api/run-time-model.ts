import { z } from 'zod';
import { DEFAULT_RESOLUTION, MAX_OUTPUT_IMAGES, promptImageCount, resolutionSize, zResolution } from '../model/seedream';

/**
 * How long Seedream jobs run (queue excluded), learned per class (2K- or 4K-class pixel count ×
 * the number of images the job is expected to make) and persisted, so a new process starts warm.
 * The poll policy uses the typical time to poll densely where a job is likely to finish, and the
 * learned floor (fastest recent runs of the class, with a margin) to poll sparsely while a job
 * cannot have finished yet. Guesses never give a floor: only the class's own observations do.
 */

/** What the run time of a Seedream job depends on. */
export interface RunTimeFactors {
  maxImages: number;
  /** A resolution label as sent (see RESOLUTIONS); anything else counts as RunComfy's default, 2048×2048. */
  resolution: string;
  prompt?: string;
}

/** 4096² is 16.8 MP, the largest 2K-class label 4.2 MP: anything from 8 MP up is 4K class. */
const FOUR_K_PIXELS = 8_000_000;

export type ResolutionClass = '2K' | '4K';

/** The class a job's run time is learned under. */
export interface RunTimeClass {
  resolution: ResolutionClass;
  /** Expected images: min(maxImages, the count the prompt asks for), 1–15. */
  images: number;
}

export function runTimeClass(f: RunTimeFactors): RunTimeClass {
  const asked = f.prompt !== undefined ? promptImageCount(f.prompt) : undefined;
  const images = Math.max(1, Math.min(MAX_OUTPUT_IMAGES, f.maxImages, asked ?? f.maxImages));
  const label = zResolution.safeParse(f.resolution);
  const { width, height } = resolutionSize(label.success ? label.data : DEFAULT_RESOLUTION);
  return { resolution: width * height >= FOUR_K_PIXELS ? '4K' : '2K', images };
}

/**
 * Starting guesses, before a class has been measured: fitted loosely to three measured jobs
 * (3 images 2K: 12.7 s, 15 images 2K: 25 s, a 4K job: 60 s). RunComfy publishes no numbers.
 * The poll schedule keeps its bound whatever this says; a good guess only saves requests.
 */
export const RUN_TIME_GUESS = { overheadMs: 8_000, perImageMs: 2_000, fourKFactor: 3 } as const;

export function guessRunMs(c: RunTimeClass): number {
  const base = RUN_TIME_GUESS.overheadMs + c.images * RUN_TIME_GUESS.perImageMs;
  return c.resolution === '4K' ? base * RUN_TIME_GUESS.fourKFactor : base;
}

const zClassRecord = z.object({
  resolution: z.enum(['2K', '4K']),
  images: z.number().int().min(1).max(MAX_OUTPUT_IMAGES),
  /** Jobs observed in this class, ever. */
  observed: z.number().int().nonnegative(),
  /** The most recent run times, oldest first. */
  recentMs: z.array(z.number().positive().finite()),
});

/** What a RunTimeModel persists. A snapshot of another version is ignored (the model starts cold). */
export const zRunTimeSnapshot = z.object({
  version: z.literal(1),
  classes: z.array(zClassRecord),
});
export type RunTimeSnapshot = z.infer<typeof zRunTimeSnapshot>;
type ClassRecord = z.infer<typeof zClassRecord>;

/** The snapshot in `raw`, or undefined when it is not a valid current snapshot. */
export function parseRunTimeSnapshot(raw: unknown): RunTimeSnapshot | undefined {
  const parsed = zRunTimeSnapshot.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export interface RunTimeEstimate {
  /** Typical run time (queue excluded). */
  expectedMs: number;
  /**
   * Present only when this class has been observed often enough: no run is expected to finish
   * sooner. A job that does (an outlier) is seen late, by at most the policy's sparse gap.
   */
  floorMs?: number;
  /** True when the estimate comes from this class's own observations, not a guess or a neighbour. */
  learned: boolean;
}

export interface RunTimeModelOptions {
  /** Run times kept per class (the median and the floor are taken over these). */
  recent: number;
  /** Observations of a class before it gets a floor. */
  floorAfter: number;
  /**
   * floor = fastest recent run × floorMargin − floorSlackMs. The slack covers the error of a
   * measured run time (up to about one poll gap each side); the margin covers runs faster than
   * any seen so far.
   */
  floorMargin: number;
  floorSlackMs: number;
}

export const DEFAULT_RUN_TIME_MODEL: RunTimeModelOptions = { recent: 12, floorAfter: 3, floorMargin: 0.8, floorSlackMs: 3_000 };

const keyOf = (c: RunTimeClass) => `${c.resolution}:${c.images}`;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Learned run times per class; see the top of this file. */
export class RunTimeModel {
  private readonly classes = new Map<string, ClassRecord>();
  private readonly o: RunTimeModelOptions;

  constructor(options: Partial<RunTimeModelOptions> = {}) {
    this.o = { ...DEFAULT_RUN_TIME_MODEL, ...options };
  }

  /**
   * A model from a persisted snapshot. Anything that is not a valid current snapshot (corrupt,
   * an older version, undefined) gives a cold model: learned times are a cache, never a reason
   * to fail.
   */
  static from(snapshot: unknown, options: Partial<RunTimeModelOptions> = {}): RunTimeModel {
    const model = new RunTimeModel(options);
    for (const c of parseRunTimeSnapshot(snapshot)?.classes ?? []) {
      if (c.recentMs.length > 0) model.classes.set(keyOf(c), { ...c, recentMs: c.recentMs.slice(-model.o.recent) });
    }
    return model;
  }

  estimate(f: RunTimeFactors): RunTimeEstimate {
    const cls = runTimeClass(f);
    const own = this.classes.get(keyOf(cls));
    if (own) {
      const expectedMs = median(own.recentMs);
      if (own.recentMs.length < this.o.floorAfter) return { expectedMs, learned: true };
      const floorMs = Math.max(0, Math.min(...own.recentMs) * this.o.floorMargin - this.o.floorSlackMs);
      return { expectedMs, learned: true, ...(floorMs > 0 ? { floorMs } : {}) };
    }
    return { expectedMs: this.fromNeighbours(cls) ?? guessRunMs(cls), learned: false };
  }

  /**
   * Records a finished job's run time: the best estimate from first possible start to finish
   * (for instance from the middle of the gap before the first poll that saw it running to the
   * middle of the gap before the poll that saw it done). Non-positive or non-finite values are
   * ignored.
   */
  observe(f: RunTimeFactors, runMs: number): void {
    if (!(runMs > 0 && Number.isFinite(runMs))) return;
    const cls = runTimeClass(f);
    const key = keyOf(cls);
    const rec = this.classes.get(key) ?? { ...cls, observed: 0, recentMs: [] };
    rec.observed += 1;
    rec.recentMs = [...rec.recentMs, runMs].slice(-this.o.recent);
    this.classes.set(key, rec);
  }

  snapshot(): RunTimeSnapshot {
    const classes = [...this.classes.values()].map((c) => ({ ...c, recentMs: [...c.recentMs] }));
    classes.sort((a, b) => a.resolution.localeCompare(b.resolution) || a.images - b.images);
    return { version: 1, classes };
  }

  /**
   * An unmeasured class from measured image counts of the same resolution class (linear between
   * the nearest below and above, else the nearest scaled by the guesses' ratio), else from the
   * other resolution class the same way; undefined when nothing was measured.
   */
  private fromNeighbours(cls: RunTimeClass): number | undefined {
    for (const resolution of [cls.resolution, cls.resolution === '2K' ? '4K' : '2K'] as const) {
      const known = [...this.classes.values()].filter((c) => c.resolution === resolution).sort((a, b) => a.images - b.images);
      if (known.length === 0) continue;
      const below = known.filter((c) => c.images < cls.images).at(-1);
      const above = known.find((c) => c.images > cls.images);
      if (below && above && resolution === cls.resolution) {
        const [lo, hi] = [median(below.recentMs), median(above.recentMs)];
        return lo + ((hi - lo) * (cls.images - below.images)) / (above.images - below.images);
      }
      const near = known.reduce((a, b) => (Math.abs(b.images - cls.images) < Math.abs(a.images - cls.images) ? b : a));
      return median(near.recentMs) * (guessRunMs(cls) / guessRunMs(near));
    }
    return undefined;
  }
}

/** Where learned run times live between processes (IndexedDB in the browser, a file in Node). */
export interface RunTimeStore {
  /** The stored snapshot, or undefined when there is none (or it is unreadable). */
  load(): Promise<RunTimeSnapshot | undefined>;
  save(snapshot: RunTimeSnapshot): Promise<void>;
}

/** A store in memory (tests, and hosts that persist nothing). */
export class MemoryRunTimeStore implements RunTimeStore {
  private stored: RunTimeSnapshot | undefined;

  constructor(initial?: RunTimeSnapshot) {
    this.stored = initial && structuredClone(initial);
  }

  load(): Promise<RunTimeSnapshot | undefined> {
    return Promise.resolve(this.stored && structuredClone(this.stored));
  }

  save(snapshot: RunTimeSnapshot): Promise<void> {
    this.stored = structuredClone(snapshot);
    return Promise.resolve();
  }
}

/** The model a store holds; a store that fails to load gives a cold model instead of an error. */
export async function loadRunTimeModel(store: RunTimeStore, options: Partial<RunTimeModelOptions> = {}): Promise<RunTimeModel> {
  try {
    return RunTimeModel.from(await store.load(), options);
  } catch {
    // Learned times only save requests; polling is bounded without them.
    return new RunTimeModel(options);
  }
}
