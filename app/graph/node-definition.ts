import type { z } from 'zod';
import type { Clock } from '../lib/clock';
import type { Resolution } from '../model/seedream';
import type { Issue } from './issues';
import type { ImageRef, PortSpec, PortValue } from './ports';

/**
 * The contract of a node kind. One file in `nodes/` exports one of these; definitions hold no
 * state. A saved node instance holds only `{id, kind, kindVersion, params, position}`: ports,
 * labels and defaults always come from here.
 */
export interface NodeDefinition<P extends z.ZodObject = z.ZodObject> {
  /** Stable, namespaced id (`image.load`). Never renamed: a new contract is a new version. */
  readonly kind: string;
  /** Integer version of this contract; saved params of older versions go through migrateParams. */
  readonly version: number;
  readonly title: string;
  /** Palette grouping, e.g. `Input`, `Generate`, `Frames`, `Output`. */
  readonly category: string;
  readonly description: string;
  readonly inputs: readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  /**
   * Params as a zod object; every field has a default so `params.parse({})` gives a new node's
   * params. UI hints ride on zod metadata (`.meta({ widget, label, ... })`, see ParamMeta).
   */
  readonly params: P;
  /** Sinks (preview, save): the planner prunes the graph to what feeds them. */
  readonly isOutput?: boolean;
  /**
   * Runs on every run even when its cache key is unchanged, because its effect is the point
   * (saving files). Only for free, local work: never for paid generation.
   */
  readonly alwaysRun?: boolean;
  /** Shown in the palette as superseded by a newer kind; existing nodes keep working. */
  readonly deprecated?: boolean;
  /** Upgrades params saved by an older `kindVersion` to this version's shape. */
  migrateParams?(fromVersion: number, params: Record<string, unknown>): Record<string, unknown>;
  /**
   * Static checks beyond the param schema, run by the planner before anything executes
   * (e.g. prompt count vs max images). Returns issues without nodeId; the planner fills it.
   */
  validate?(args: ValidateArgs<z.infer<P>>): Issue[];
  // Methods (not function-typed properties) so a definition with specific params is assignable
  // to NodeDefinition<ZodObject> in a registry.
  /** Does the work. Honours `ctx.signal`; returns a value for every output port. */
  run(args: RunArgs<z.infer<P>>): Promise<Record<string, PortValue>>;
}

/** What the planner knows about a node's inputs before running. */
export interface ValidateArgs<Params> {
  params: Params;
  /** Per input port: the links feeding it, in merge order, with the source port's type. */
  links: Readonly<Record<string, readonly LinkInfo[]>>;
}
export interface LinkInfo {
  sourceNode: string;
  sourceKind: string;
  sourcePort: string;
  type: PortSpec['type'];
  /** Item count when statically known (an `image` output is 1; a Load Image is 1). */
  knownCount?: number;
}

export interface RunArgs<Params> {
  nodeId: string;
  params: Params;
  /**
   * Input values by port name. A `multiple` image-list input arrives already merged into one
   * list in link order; an unlinked optional input is absent.
   */
  inputs: Readonly<Record<string, PortValue | undefined>>;
  ctx: RunContext;
}

/** UI hints attached to a param schema with `.meta(...)`. */
export interface ParamMeta {
  label?: string;
  description?: string;
  widget?: 'text' | 'textarea' | 'number' | 'select' | 'seed' | 'image' | 'frames' | 'toggle';
  /** Textarea: show a live `n/max` counter. */
  maxChars?: number;
  step?: number;
  placeholder?: string;
}

/** Everything a node may use while running. Built per node by the executor from the host's services. */
export interface RunContext {
  /** Seedream generation through RunComfy's Model API (or the simulator). */
  readonly api: SeedreamApi;
  /** Image bytes: IndexedDB in the browser, files in Node. */
  readonly assets: AssetStore;
  /** Where Save nodes put bytes: downloads in the browser, files in the CLI. */
  readonly output: OutputSink;
  /** Aborts when the run is stopped. */
  readonly signal: AbortSignal;
  /** This node's Merkle cache key: identifies "this work with these inputs" across runs and reloads. */
  readonly cacheKey: string;
  readonly clock: Clock;
  /** Reports progress: fraction 0..1 when known, a short message, and structured detail. */
  progress(fraction: number | undefined, message?: string, detail?: ProgressDetail): void;
  /** Attaches facts to this node's result (request id, cost, output URLs); kept with cached results. */
  annotate(meta: Record<string, unknown>): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** Structured progress of a remote job, so UIs can show queue position and billing state. */
export interface ProgressDetail {
  phase?: 'validating' | 'submitting' | 'queued' | 'running' | 'downloading' | 'cancelling';
  requestId?: string;
  queuePosition?: number;
}

/** A Seedream 4.5 Edit Sequential job as nodes describe it (node terms, not wire terms). */
export interface SeedreamJobRequest {
  images: readonly ImageRef[];
  prompt: string;
  maxImages: number;
  resolution: Resolution;
  seed: number;
}

export interface SeedreamJobResult {
  requestId: string;
  /** Downloaded outputs, stored as assets: the bytes are kept, not only provider URLs. */
  images: ImageRef[];
  /** The provider's output URLs, in order (they expire). */
  outputUrls: string[];
  /** What the request was charged in USD, when the API reports it. */
  costUsd?: number;
}

/** The generation service as seen by nodes. The host wires it to the API client. */
export interface SeedreamApi {
  editSequential(request: SeedreamJobRequest, options: SeedreamCallOptions): Promise<SeedreamJobResult>;
}

export interface SeedreamCallOptions {
  signal: AbortSignal;
  onProgress?: (detail: ProgressDetail, message: string) => void;
  /**
   * Awaited right after a submit is accepted and before the first poll, so a host can write the
   * request id somewhere durable (a journal) first: a paid request id is never lost to a crash.
   */
  onSubmitted?: (requestId: string) => Promise<void> | void;
  /** Which node and which work this is, so a host can re-attach after a reload instead of resubmitting. */
  job?: { nodeId: string; cacheKey: string };
}

/** Content-addressed image bytes. */
export interface AssetStore {
  /** Stores bytes (sniffing the format) and returns a reference to them. */
  put(bytes: Uint8Array, hints?: { name?: string; sourceUrl?: string }): Promise<ImageRef & { kind: 'asset' }>;
  /** The bytes of an asset or a URL image; throws a clear error when unavailable. */
  get(ref: ImageRef, signal?: AbortSignal): Promise<Uint8Array>;
}

/** Where saved images go. Returns the names they were saved under. */
export interface OutputSink {
  save(images: readonly ImageRef[], options: { nodeId: string; prefix: string; signal: AbortSignal }): Promise<string[]>;
}
