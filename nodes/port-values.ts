import type { LinkInfo } from '../app/graph/node-definition';
import type { ImageRef, PortValue } from '../app/graph/ports';
import { abortReason } from '../app/lib/clock';
import { NodeInputError } from './errors';

/** The part of a node's run args the readers need. */
interface RunInputs {
  nodeId: string;
  inputs: Readonly<Record<string, PortValue | undefined>>;
}

const isImageRef = (v: unknown): v is ImageRef =>
  typeof v === 'object' && v !== null && ((v as { kind?: unknown }).kind === 'asset' || (v as { kind?: unknown }).kind === 'url');

/**
 * The image list on input `port`. A single `image` value becomes a one-item list (an `image`
 * output may feed an `image-list` input). Throws `NodeInputError` when the input is absent or
 * holds something else: the executor should never allow that, so the message says which port.
 */
export function readImageList({ nodeId, inputs }: RunInputs, port: string): ImageRef[] {
  const value = inputs[port];
  if (value === undefined) {
    throw new NodeInputError({ code: 'input-missing', field: port, nodeId, message: `Input "${port}" is not connected` });
  }
  if (isImageRef(value)) return [value];
  if (Array.isArray(value) && value.every(isImageRef)) return value;
  throw new NodeInputError({
    code: 'input-type',
    field: port,
    nodeId,
    message: `Input "${port}" expected a list of images but got ${describe(value)}`,
  });
}

/** The text on input `port`, or undefined when the (optional) input is not linked. */
export function readOptionalText({ nodeId, inputs }: RunInputs, port: string): string | undefined {
  const value = inputs[port];
  if (value === undefined || typeof value === 'string') return value;
  throw new NodeInputError({
    code: 'input-type',
    field: port,
    nodeId,
    message: `Input "${port}" expected text but got ${describe(value)}`,
  });
}

/** Throws the signal's reason when the run was stopped, so no further work (or spend) starts. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/**
 * How many items the links feeding an input carry, as far as the planner knows: `min` sums the
 * known counts (an `image` link counts 1 even when the planner left it blank); `exact` says
 * whether every link's count was known, so `min` is the real total.
 */
export function knownItemCount(links: readonly LinkInfo[]): { min: number; exact: boolean } {
  let min = 0;
  let exact = true;
  for (const link of links) {
    const count = link.knownCount ?? (link.type === 'image' ? 1 : undefined);
    if (count === undefined) exact = false;
    else min += count;
  }
  return { min, exact };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list with something other than images in it';
  return value === null ? 'null' : `a ${typeof value}`;
}
