import { encode } from 'fast-png';
import { RunComfyClient, RunComfyProvider } from '../../app/api/runcomfy';
import { loadWorkflow } from '../../app/graph/load-workflow';
import type { AssetStore } from '../../app/graph/node-definition';
import type { ImageRef } from '../../app/graph/ports';
import type { Workflow } from '../../app/graph/workflow-schema';
import { findBuiltinTemplate } from '../../app/templates';
import { registry } from '../../nodes';
import { MemoryAssetStore } from '../fixtures/fake-run-context';

/** A small valid PNG whose pixels follow `seed` (distinct bytes per seed). */
export function png(seed = 1, width = 48, height = 32): Uint8Array {
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 13 + seed * 7) % 256);
  return encode({ width, height, data, channels: 3, depth: 8 });
}

/** A built-in template, loaded through parse-and-migrate. */
export function template(id: string): Workflow {
  const t = findBuiltinTemplate(id);
  if (!t) throw new Error(`no template ${id}`);
  const loaded = loadWorkflow(t.workflow, registry);
  if (!loaded.ok) throw new Error(`template ${id} does not load`);
  return loaded.workflow;
}

/**
 * An image resolver over named in-memory files (the CLI's is relative to the rows file):
 * `files[name]` bytes are stored as assets; https URLs pass through; anything else is "not found".
 */
export function memoryImages(files: Record<string, Uint8Array>, assets: AssetStore = new MemoryAssetStore()) {
  const calls: string[] = [];
  const resolve = async (raw: string): Promise<ImageRef> => {
    calls.push(raw);
    if (raw.startsWith('https://')) return { kind: 'url', url: raw };
    const bytes = files[raw];
    if (!bytes) throw new Error(`Image file not found: ${raw}`);
    return assets.put(bytes, { name: raw });
  };
  return { resolve, assets, calls };
}

/** The real RunComfy provider's `prepare` (every contract rule, images decoded), with no network: https references come from `remote`. */
export function realPrepare(assets: AssetStore, remote: Record<string, Uint8Array> = {}) {
  const provider = new RunComfyProvider({
    client: new RunComfyClient({ baseUrl: 'http://127.0.0.1:9/v1', token: 'unused' }),
    assets,
    fetchReference: async (url) => {
      const bytes = remote[url];
      if (!bytes) throw new Error('HTTP 404');
      return bytes;
    },
  });
  return (request: Parameters<RunComfyProvider['prepare']>[0], signal: AbortSignal) => provider.prepare(request, signal);
}

export { registry };
