import { Position, type InternalNode, type NodeHandle } from '@xyflow/react';
import { z } from 'zod';
import type { Size } from '../../store/ui-slice';

/**
 * Node geometry remembered from the last time the page measured it: size and handle bounds per
 * node id. React Flow must draw a node once to measure it; with a remembered size and handles
 * it can leave every node outside the view undrawn on open, so a large graph opens at the cost
 * of what is on screen. Only a hint: a node that is drawn is measured again, and a size that
 * changed replaces the remembered one.
 */
export interface NodeGeometry {
  kind: string;
  size: Size;
  handles: NodeHandle[];
}

export type RememberedGeometry = ReadonlyMap<string, NodeGeometry>;

/** What remembered geometry must match to be used: the node's kind, and whether it is collapsed (a title bar only). */
export const geometryKey = (node: { kind: string; collapsed?: boolean }): string => (node.collapsed ? `${node.kind} collapsed` : node.kind);

const STORAGE_KEY = 'sequence-studio:node-geometry';
/** Entries beyond this are not kept (a localStorage item is limited to a few MB). */
const MAX_NODES = 5000;

const POSITIONS = { l: Position.Left, r: Position.Right, t: Position.Top, b: Position.Bottom } as const;
const POSITION_CODE = Object.fromEntries(Object.entries(POSITIONS).map(([k, v]) => [v, k])) as Record<Position, keyof typeof POSITIONS>;

// Compact on disk: a 1,000-node graph takes about 100 KB.
const zHandle = z.tuple([z.enum(['s', 't']), z.string(), z.enum(['l', 'r', 't', 'b']), z.number(), z.number(), z.number(), z.number()]);
const zEntry = z.tuple([z.string(), z.number().positive(), z.number().positive(), z.array(zHandle)]);
const zStored = z.object({ v: z.literal(1), build: z.string(), nodes: z.record(z.string(), zEntry) });

/**
 * What the drawn DOM depends on: the hashed script and style sheet names change with every
 * build that changes them, so geometry measured under another build is not used.
 */
export function buildSignature(doc: Pick<Document, 'querySelectorAll'> | undefined = globalThis.document): string {
  const sheets = doc ? [...doc.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((l) => l.getAttribute('href') ?? '') : [];
  return [import.meta.url, ...sheets].join(' ');
}

/** The remembered geometry, or none when storage is unavailable, unreadable or from another build. */
export function loadGeometry(storage: Pick<Storage, 'getItem'> | undefined, build: string): RememberedGeometry {
  let raw: string | null;
  try {
    raw = storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return new Map();
  }
  if (!raw) return new Map();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return new Map();
  }
  const parsed = zStored.safeParse(json);
  if (!parsed.success || parsed.data.build !== build) return new Map();
  const out = new Map<string, NodeGeometry>();
  for (const [id, [kind, width, height, handles]] of Object.entries(parsed.data.nodes)) {
    out.set(id, {
      kind,
      size: { width, height },
      handles: handles.map(([type, hid, pos, x, y, w, h]) => ({
        type: type === 's' ? 'source' : 'target',
        id: hid,
        position: POSITIONS[pos],
        x,
        y,
        width: w,
        height: h,
      })),
    });
  }
  return out;
}

/** The geometry of a measured internal node (React Flow's `getInternalNode`), or undefined before it is measured. */
export function geometryOf(node: Pick<InternalNode, 'type' | 'measured' | 'internals'> & { data?: unknown }, kind: string): NodeGeometry | undefined {
  const { width, height } = node.measured;
  const bounds = node.internals.handleBounds;
  if (!width || !height || !bounds) return undefined;
  const handles = [...(bounds.source ?? []), ...(bounds.target ?? [])].map((h): NodeHandle => ({
    type: h.type,
    id: h.id ?? '',
    position: h.position,
    x: h.x,
    y: h.y,
    width: h.width,
    height: h.height,
  }));
  return { kind, size: { width, height }, handles };
}

/** Writes the geometry of the current graph's nodes; a full or unavailable storage is not an error (it is only a hint). */
export function saveGeometry(storage: Pick<Storage, 'setItem'> | undefined, build: string, geometry: Iterable<[string, NodeGeometry]>): void {
  const nodes: Record<string, z.infer<typeof zEntry>> = {};
  let count = 0;
  for (const [id, g] of geometry) {
    if (count++ >= MAX_NODES) break;
    const round = (n: number) => Math.round(n * 100) / 100;
    nodes[id] = [
      g.kind,
      round(g.size.width),
      round(g.size.height),
      g.handles.map((h) => [
        h.type === 'source' ? 's' : 't',
        h.id ?? '',
        POSITION_CODE[h.position],
        round(h.x),
        round(h.y),
        round(h.width ?? 1),
        round(h.height ?? 1),
      ]),
    ];
  }
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify({ v: 1, build, nodes }));
  } catch {
    // Quota or private mode: the next open measures every node, as without a hint.
  }
}
