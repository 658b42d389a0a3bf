import { z } from 'zod';

/** The types a port can carry. */
export const PORT_TYPES = ['image', 'image-list', 'text', 'number'] as const;
export const zPortType = z.enum(PORT_TYPES);
export type PortType = z.infer<typeof zPortType>;

/**
 * A reference to an image. Images flow between nodes as references, never as inline bytes:
 * `asset` is content-addressed bytes held by the run context's asset store (IndexedDB in the
 * browser, files in Node); `url` is a remote https image.
 */
export const zImageRef = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('asset'),
    /** Content address: lowercase hex SHA-256 of the bytes. */
    assetId: z.string().regex(/^[0-9a-f]{64}$/, 'an asset id is a 64-character hex SHA-256'),
    mime: z.enum(['image/png', 'image/jpeg', 'image/webp']),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    /** Where the bytes came from (e.g. a provider URL), for manifests and history. */
    sourceUrl: z.string().optional(),
    /** A display name (original file name) when known. */
    name: z.string().optional(),
  }),
  z.object({
    kind: z.literal('url'),
    url: z.url({ protocol: /^https$/, error: 'image URLs must be https://' }),
  }),
]);
export type ImageRef = z.infer<typeof zImageRef>;

/** What travels on a port of each type at run time. */
export interface PortValueByType {
  image: ImageRef;
  'image-list': ImageRef[];
  text: string;
  number: number;
}
export type PortValue = PortValueByType[PortType];

/** A port as a node definition declares it. */
export interface PortSpec {
  /** Stable name, used by edges; never renamed within a kind version. */
  readonly name: string;
  readonly type: PortType;
  readonly label?: string;
  readonly description?: string;
  /** Inputs only: the node can run without this input linked. */
  readonly optional?: boolean;
  /**
   * Inputs only: accepts several links, merged in the edges' explicit `order`. Only an
   * `image-list` input may be `multiple`; its links are concatenated (an `image` adds one item).
   */
  readonly multiple?: boolean;
  /** Inputs only: when linked, this input replaces the param of the same name (its widget hides). */
  readonly replacesParam?: string;
}

/**
 * Whether a value of `from` type may feed an input of `to` type. An `image` may feed an
 * `image-list` input (it becomes a one-item list); everything else must match exactly.
 */
export function canConnectTypes(from: PortType, to: PortType): boolean {
  return from === to || (from === 'image' && to === 'image-list');
}
