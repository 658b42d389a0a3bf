import { z } from 'zod';
import type { ImageRef } from './ports';

/**
 * Paid generation as nodes see it: provider-neutral. A node describes the work in its own terms
 * (model id, prompt, references, model params); the host runs it through the job ledger, which
 * owns the paid job from intent to stored images. Nothing here names a provider or a model.
 */
export interface GenerationRequest {
  /** The model, e.g. `bytedance/seedream-4-5/edit-sequential`. */
  model: string;
  prompt: string;
  /** Reference images in order. */
  references: readonly ImageRef[];
  /** Model params in node terms (Seedream: maxImages, resolution, seed). */
  params: Readonly<Record<string, string | number | boolean>>;
  /** The most outputs the job can bill for (the price follows it). */
  maxOutputs: number;
}

/** Structured progress of a paid job, so UIs can show queue position and billing state. */
export interface ProgressDetail {
  phase?: 'validating' | 'submitting' | 'queued' | 'running' | 'downloading' | 'cancelling' | 'waiting';
  /** The ledger's id for the job (known before the request id). */
  jobId?: string;
  requestId?: string;
  queuePosition?: number;
  /** A transient problem the ledger is riding out (a 503, a reset): shown, not fatal. */
  retrying?: string;
}

export interface GenerationCallOptions {
  signal: AbortSignal;
  onProgress?: (detail: ProgressDetail, message: string) => void;
  /** Which node and which work this is: the ledger finds earlier attempts of the same work by `cacheKey`. */
  job: {
    nodeId: string;
    cacheKey: string;
    nodeTitle?: string;
    /** The run that asked, so views can tie the job to it. */
    runId?: string;
    /** The batch row it belongs to, for batch runs. */
    batch?: { batchId: string; rowId: string };
  };
}

/** An output the provider returned whose bytes could not be fetched (yet). */
export interface MissingOutput {
  index: number;
  url: string;
  reason: string;
}

export interface GenerationResult {
  /** The ledger's id for the job. */
  jobId: string;
  requestId: string;
  /** The outputs whose bytes are stored, in provider order (the bytes are kept, not only URLs). */
  images: ImageRef[];
  /** Outputs that could not be fetched: the job is `partial`; a free re-fetch may get them later. */
  missing: MissingOutput[];
  /** Every output URL the provider gave, in order (they expire). */
  outputUrls: string[];
  /** What the job was charged in USD, when the provider says. */
  costUsd?: number;
  /** The result came from an earlier job (re-attached, or stored before): nothing new was paid. */
  reused: boolean;
}

/** The port nodes reach through `RunContext.generation`. */
export interface PaidGeneration {
  generate(request: GenerationRequest, options: GenerationCallOptions): Promise<GenerationResult>;
}

/**
 * What a paid node attaches to its result (`meta.job`): one schema, parsed where it is read
 * (manifests, history, the run panel, the lightbox), so the request summary is declared once.
 */
export const zJobMeta = z.object({
  jobId: z.string(),
  requestId: z.string(),
  outputUrls: z.array(z.string()),
  /** What was asked (references by count and hash, never bytes). */
  request: z.object({
    model: z.string(),
    prompt: z.string(),
    references: z.int().min(0),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  }),
  costUsd: z.number().optional(),
  /** Outputs whose bytes could not be fetched (the job is partial). */
  missing: z.array(z.object({ index: z.int(), url: z.string(), reason: z.string() })).default([]),
  /** Came from an earlier job (stored, joined or re-attached): nothing new was paid. */
  reused: z.boolean().default(false),
});
export type JobMeta = z.infer<typeof zJobMeta>;

/** The job facts in a node result's meta, when there are any and they parse. */
export function readJobMeta(meta: Readonly<Record<string, unknown>> | undefined): JobMeta | undefined {
  const parsed = zJobMeta.safeParse(meta?.job);
  return parsed.success ? parsed.data : undefined;
}
