import { z } from 'zod';
import { zChaos } from './chaos';
import { zExpiredFileStatus, zUnknownStatus } from './faults';

/**
 * What the simulator charges per output in its catalog (`GET /v1/models/{id}`). Other hosts
 * charge about $0.04 per Seedream 4.5 image; RunComfy's real number comes from its catalog.
 */
export const CATALOG_PRICE_USD = 0.04;

/**
 * The simulator's switchable behaviour. All durations are in "model" milliseconds and are
 * multiplied by `timeScale` before they touch the clock, so `timeScale: 0.01` makes a demo
 * 100× faster in real time while every ratio (and every test on a FakeClock) stays the same.
 * A crossing boundary (CLI flags, the `/_simulator/settings` control route), hence zod.
 */
export const zSimulatorSettings = z.object({
  /** Jobs run at once; the rest wait in the queue (with a `queue_position`). */
  workers: z.number().int().min(1).max(64),
  /** Minimum time a job spends `in_queue` even when a worker is free. */
  queueDelayMs: z.number().min(0),
  /** Running time of a job = `baseMs + perImageMs × images`. */
  baseMs: z.number().min(0),
  perImageMs: z.number().min(0),
  /** Multiplies every model duration: the ones above and below, and those in faults and chaos. */
  timeScale: z.number().positive(),
  /** Output frames are `resolutionSize(label) × outputScale` (at least 1 px each way). */
  outputScale: z.number().positive().max(1),
  /**
   * What `cost` says: `requested` bills `price × sequential_image_generation_options` (the model
   * page: "the final price will be calculated based on this value"); `delivered` bills the
   * images actually returned.
   */
  billing: z.enum(['requested', 'delivered']),
  pricePerOutputUsd: z.number().min(0),
  /** Submit answers with `request_id` only, as some deployments do; clients must rebuild URLs. */
  omitSubmitUrls: z.boolean(),
  /** A finished job is forgotten this long after it finished (then 404 with 404001); 0 = never. */
  expireAfterMs: z.number().min(0),
  /** Finished jobs kept at most; older finished jobs are forgotten (bounds memory of a long run). */
  maxFinishedJobs: z.number().int().min(1),
  /**
   * Output URLs stop working this long after their job finished (model ms; 0 = never), while
   * status and result still answer: unlike `expireAfterMs`, the job is not forgotten.
   */
  filesExpireAfterMs: z.number().min(0),
  /** What an expired output URL answers (403 like an expired signed URL, or 404, 410). */
  expiredFileStatus: zExpiredFileStatus,
  /** Every job reports this unknown status word while queued/running (within its limits); null = never. */
  unknownStatus: zUnknownStatus.nullable(),
  /** Seeded random faults for soak tests (see `chaos.ts`); null = off. Setting it reseeds. */
  chaos: zChaos.nullable(),
});
export type SimulatorSettings = z.infer<typeof zSimulatorSettings>;
export const zSimulatorSettingsPatch = zSimulatorSettings.partial().strict();
export type SimulatorSettingsPatch = z.infer<typeof zSimulatorSettingsPatch>;

/**
 * Defaults: a short queue and a few seconds per job, so a demo feels like a remote service
 * without being tedious. Frames render at full size (≈0.2 s per 2048² frame, ≈0.7 s per 4096²,
 * once per frame, then cached); tests pass `outputScale: 1/16`.
 */
export const DEFAULT_SETTINGS: SimulatorSettings = {
  workers: 2,
  queueDelayMs: 500,
  baseMs: 1500,
  perImageMs: 1000,
  timeScale: 1,
  outputScale: 1,
  billing: 'requested',
  pricePerOutputUsd: CATALOG_PRICE_USD,
  omitSubmitUrls: false,
  expireAfterMs: 0,
  maxFinishedJobs: 100,
  filesExpireAfterMs: 0,
  expiredFileStatus: 403,
  unknownStatus: null,
  chaos: null,
};

/** Settings with a patch applied and re-validated (throws a ZodError on a bad patch). */
export function applySettingsPatch(current: SimulatorSettings, patch: SimulatorSettingsPatch): SimulatorSettings {
  const next = { ...current };
  for (const [k, v] of Object.entries(zSimulatorSettingsPatch.parse(patch))) {
    if (v !== undefined) Object.assign(next, { [k]: v });
  }
  return zSimulatorSettings.parse(next);
}
