import type { z } from 'zod';
import type { Clock } from '../lib/clock';
import type { PaidGeneration, ProgressDetail } from './generation';
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
  /** What the rest of the app needs to know about this kind (billing, frames, sinks): read these, never the kind name. */
  readonly traits?: NodeTraits;
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

/** Facts about a kind that the cost dialog, history, canvas and CLI read instead of checking `kind`. */
export interface NodeTraits {
  /** Each run submits a paid job for `model`, priced per output: the price follows the number param `priceParam`. */
  readonly billing?: { readonly model: string; readonly priceParam: string };
  /** Its image-list output is a sequence of frames the user can pick from (frame strip with a picker). */
  readonly frames?: { readonly pickable: boolean };
  /** A sink: `preview` shows images (the CLI writes them when nothing saves), `save` writes them. */
  readonly sink?: 'preview' | 'save';
  /** Its output `port` is its param `param` as it is (a Prompt's text): known before running, so the planner passes it to the nodes it feeds. */
  readonly staticOutput?: { readonly port: string; readonly param: string };
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
  /** The text a `text` link carries when statically known (its source declares `traits.staticOutput`). */
  knownText?: string;
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
  /** Paid generation, through the host's job ledger (RunComfy, or the simulator). */
  readonly generation: PaidGeneration;
  /** Image bytes: IndexedDB in the browser, files in Node. */
  readonly assets: AssetStore;
  /** Where Save nodes put bytes: downloads in the browser, files in the CLI. */
  readonly output: OutputSink;
  /** Aborts when the run is stopped. */
  readonly signal: AbortSignal;
  /** This node's Merkle cache key: identifies "this work with these inputs" across runs and reloads. */
  readonly cacheKey: string;
  /** The run this node runs in. */
  readonly runId: string;
  readonly clock: Clock;
  /** Reports progress: fraction 0..1 when known, a short message, and structured detail. */
  progress(fraction: number | undefined, message?: string, detail?: ProgressDetail): void;
  /** Attaches facts to this node's result (its job: request id, cost, output URLs); kept with cached results. */
  annotate(meta: Record<string, unknown>): void;
  /** Keeps this result out of the cache (e.g. some paid images are still missing: a later run fetches them). */
  doNotCache(reason: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export type { ProgressDetail };

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
