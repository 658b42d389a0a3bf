import type { NodeDefinition } from '../graph/node-definition';
import { zImageRef, type ImageRef, type PortSpec, type PortValue } from '../graph/ports';
import type { NodeErrorInfo, NodeOutputs } from './events';
import type { PlannedNode } from './plan';

/**
 * A node's input values from its upstream outputs. An `image-list` input concatenates its links
 * in merge order (an `image` adds one item, a list all of its items); any other input takes its
 * one link's value. Unlinked inputs are absent.
 */
export function gatherInputs(planned: PlannedNode, outputsOf: ReadonlyMap<string, NodeOutputs>): Record<string, PortValue | undefined> {
  const inputs: Record<string, PortValue | undefined> = {};
  for (const input of planned.def.inputs) {
    const links = planned.inputs[input.name] ?? [];
    if (links.length === 0) continue;
    const values = links.map((l) => outputsOf.get(l.sourceNode)?.[l.sourcePort]);
    if (input.type === 'image-list') {
      // Outputs were checked against their ports, so a value here is an image or an image list.
      inputs[input.name] = values.flatMap((v): ImageRef[] => (Array.isArray(v) ? v : v === undefined ? [] : [v as ImageRef]));
    } else {
      inputs[input.name] = values[0];
    }
  }
  return inputs;
}

export type OutputCheck = { ok: true; outputs: NodeOutputs } | { ok: false; message: string; field?: string };

/**
 * Checks what a node returned (or what a cache gave back) against its declared outputs: every
 * port present with a value of its type and nothing undeclared. Downstream nodes and the cache
 * then trust the values, so a buggy node fails itself instead of a node further on.
 */
export function checkOutputs(def: NodeDefinition, value: unknown): OutputCheck {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: `${def.title} returned ${describe(value)} instead of an object of outputs.` };
  }
  const record = value as Record<string, unknown>;
  const outputs: NodeOutputs = {};
  for (const port of def.outputs) {
    const v = record[port.name];
    const problem = shapeProblem(port, v);
    if (problem) {
      return { ok: false, field: port.name, message: `${def.title} output "${port.name}" (${port.type}) ${problem}.` };
    }
    outputs[port.name] = v as PortValue;
  }
  const extra = Object.keys(record).filter((k) => !def.outputs.some((p) => p.name === k));
  if (extra.length) {
    return { ok: false, field: extra[0], message: `${def.title} returned undeclared output(s): ${extra.join(', ')}.` };
  }
  return { ok: true, outputs };
}

function shapeProblem(port: PortSpec, v: unknown): string | undefined {
  if (v === undefined) return 'is missing';
  switch (port.type) {
    case 'image':
      return zImageRef.safeParse(v).success ? undefined : `is not an image reference (got ${describe(v)})`;
    case 'image-list': {
      if (!Array.isArray(v)) return `is not a list (got ${describe(v)})`;
      const bad = v.findIndex((item) => !zImageRef.safeParse(item).success);
      return bad < 0 ? undefined : `item ${bad} is not an image reference`;
    }
    case 'text':
      return typeof v === 'string' ? undefined : `is not text (got ${describe(v)})`;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : `is not a finite number (got ${describe(v)})`;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a string' : String(v);
}

/**
 * A thrown value as a node error: the error's own `code` (typed API errors carry one, e.g.
 * `rate-limited`), `field` and `retryable`, else `node-failed`. A DOM AbortError becomes `aborted`.
 */
export function toErrorInfo(err: unknown): NodeErrorInfo {
  if (err === null || typeof err !== 'object') return { code: 'node-failed', message: String(err) };
  const e = err as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
    field?: unknown;
    retryable?: unknown;
    requestId?: unknown;
    details?: unknown;
    detail?: unknown;
  };
  const info: NodeErrorInfo = {
    code: typeof e.code === 'string' && e.code ? e.code : e.name === 'AbortError' ? 'aborted' : 'node-failed',
    message: typeof e.message === 'string' && e.message ? e.message : String(err),
  };
  if (typeof e.field === 'string') info.field = e.field;
  if (typeof e.retryable === 'boolean') info.retryable = e.retryable;
  if (typeof e.requestId === 'string' && e.requestId) info.requestId = e.requestId;
  // ApiError carries `detail` (e.g. the earlier job a repay-required error names).
  if (e.details !== undefined) info.details = e.details;
  else if (e.detail !== undefined) info.details = e.detail;
  return info;
}
