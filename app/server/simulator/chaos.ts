import { z } from 'zod';
import type { Fault, SimRoute } from './faults';

const p = z.number().min(0).max(1);
const atMostOne = (o: Record<string, number | undefined>) => Object.values(o).reduce<number>((a, b) => a + (b ?? 0), 0) <= 1;
const category = <T extends z.ZodRawShape>(shape: T) =>
  z.union([
    p,
    z.strictObject(shape).refine((o) => atMostOne(o as Record<string, number | undefined>), 'the probabilities of one category add up to at most 1'),
  ]);

/** The chaos kinds, per category of request. */
export const CHAOS_KINDS = {
  /** status, result and cancel requests. */
  read: ['serverError', 'rateLimited', 'reset', 'hang'],
  /** submits: the ambiguous ones (the job IS created) and held answers. */
  submit: ['errorAfterAccept', 'resetAfterAccept', 'hold'],
  /** output file downloads: a transient failure, or the job's URLs expire for good. */
  file: ['fail', 'expire'],
} as const;
type Category = keyof typeof CHAOS_KINDS;
export type ChaosKind = (typeof CHAOS_KINDS)[Category][number];

/**
 * Chaos mode: random faults at given probabilities, from a seeded generator, for soak tests.
 * Each category is one probability (spread evenly over its kinds) or one per kind. Every
 * status/result/cancel, submit and file request draws from the generator in arrival order (also
 * when a scripted fault strikes it instead), so the same seed and request order give the same faults.
 */
export const zChaos = z.strictObject({
  seed: z.number().int(),
  read: category({ serverError: p.optional(), rateLimited: p.optional(), reset: p.optional(), hang: p.optional() }).optional(),
  submit: category({ errorAfterAccept: p.optional(), resetAfterAccept: p.optional(), hold: p.optional() }).optional(),
  file: category({ fail: p.optional(), expire: p.optional() }).optional(),
  /** How long a chaos-held submit answer waits (model ms; default 5000); the client may give up first. */
  holdMs: z.number().min(0).optional(),
  /** A chaos hang resets the connection after this long (model ms); default: until the client gives up. */
  hangMs: z.number().min(0).optional(),
});
export type ChaosConfig = z.infer<typeof zChaos>;

const DEFAULT_HOLD_MS = 5000;
/** Events kept for `sim.chaosLog()` (the oldest are dropped). */
const MAX_LOG = 1000;

/** One fault chaos injected. */
export interface ChaosEvent {
  /** 1-based number of the chaos draw (eligible requests since chaos was configured). */
  draw: number;
  route: SimRoute;
  requestId?: string;
  kind: ChaosKind;
  fault: Fault;
}

/** mulberry32: tiny, fast, and good enough to pick faults; reproducible from a 32-bit seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function categoryOf(route: SimRoute): Category | undefined {
  if (route === 'status' || route === 'result' || route === 'cancel') return 'read';
  if (route === 'submit' || route === 'file') return route;
  return undefined;
}

function weights(cat: Category, spec: ChaosConfig[Category]): [ChaosKind, number][] {
  const kinds: readonly ChaosKind[] = CHAOS_KINDS[cat];
  if (spec === undefined) return [];
  if (typeof spec === 'number') return kinds.map((k) => [k, spec / kinds.length]);
  return kinds.map((k) => [k, (spec as Partial<Record<ChaosKind, number>>)[k] ?? 0]);
}

/** The fault a chaos kind plays; `u` (0 ≤ u < 1) picks its details. */
function faultFor(kind: ChaosKind, u: number, config: ChaosConfig): Fault {
  switch (kind) {
    case 'serverError':
      return { kind: 'http', status: [500, 502, 503][Math.floor(u * 3)]! };
    case 'rateLimited':
      return { kind: 'http', status: 429, retryAfter: { seconds: 1 + Math.floor(u * 3) } };
    case 'reset':
      return { kind: 'reset', phase: 'after-body' };
    case 'hang':
      return { kind: 'hang', phase: 'after-body', ...(config.hangMs === undefined ? {} : { ms: config.hangMs }) };
    case 'errorAfterAccept':
      return { kind: 'http', status: 502, phase: 'after-accept' };
    case 'resetAfterAccept':
      return { kind: 'reset', phase: 'after-accept' };
    case 'hold':
      return { kind: 'hold', ms: config.holdMs ?? DEFAULT_HOLD_MS };
    case 'fail':
      return u < 0.5 ? { kind: 'http', status: 503 } : { kind: 'reset', phase: 'after-body' };
    case 'expire':
      return { kind: 'expire-files' };
  }
}

/** Draws chaos faults; reseeded whenever it is configured. */
export class Chaos {
  private config: ChaosConfig | null = null;
  private rng: () => number = () => 0;
  private draws = 0;
  private events: ChaosEvent[] = [];

  configure(config: ChaosConfig | null): void {
    this.config = config === null ? null : zChaos.parse(config);
    this.rng = mulberry32(config?.seed ?? 0);
    this.draws = 0;
    this.events = [];
  }

  /** The fault chaos injects into this request, if any. Draws twice per eligible request. */
  draw(route: SimRoute, requestId: string | undefined): Fault | undefined {
    const cat = categoryOf(route);
    if (!this.config || !cat) return undefined;
    const pick = this.rng();
    const detail = this.rng();
    this.draws += 1;
    let acc = 0;
    for (const [kind, w] of weights(cat, this.config[cat])) {
      acc += w;
      if (pick >= acc) continue;
      const fault = faultFor(kind, detail, this.config);
      this.events.push({ draw: this.draws, route, ...(requestId === undefined ? {} : { requestId }), kind, fault });
      if (this.events.length > MAX_LOG) this.events.shift();
      return fault;
    }
    return undefined;
  }

  /** Recent injected faults, oldest first. */
  log(): ChaosEvent[] {
    return [...this.events];
  }
}
