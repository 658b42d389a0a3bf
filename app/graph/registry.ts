import type { ZodObject } from 'zod';
import type { NodeDefinition } from './node-definition';

/** The explicit list of node kinds a host knows, looked up by kind. */
export interface NodeRegistry {
  get(kind: string): NodeDefinition | undefined;
  list(): readonly NodeDefinition[];
}

/** Builds a registry, refusing duplicate kinds (a kind is an identity, never shared). */
export function createRegistry(definitions: readonly NodeDefinition[]): NodeRegistry {
  const byKind = new Map<string, NodeDefinition>();
  for (const def of definitions) {
    if (byKind.has(def.kind)) throw new Error(`Node kind "${def.kind}" is registered twice`);
    if (!Number.isInteger(def.version) || def.version < 1) {
      throw new Error(`Node kind "${def.kind}" has an invalid version ${String(def.version)}`);
    }
    byKind.set(def.kind, def);
  }
  const list = [...byKind.values()];
  return { get: (kind) => byKind.get(kind), list: () => list };
}

/** Identity helper that keeps a definition's param types when declaring it. */
export function defineNode<P extends ZodObject>(def: NodeDefinition<P>): NodeDefinition<P> {
  return def;
}
