import type { AssetStore } from '../../graph/node-definition';
import type { ImageRef } from '../../graph/ports';
import { bytesHash } from '../../lib/hash';
import { readImageInfo } from '../../lib/image-info';
import { registry } from '../../../nodes';
import { applySets } from './apply-sets';
import { UsageError, type CliCommand } from './args';
import { missingTemplateFields } from './required-fields';
import { buildEditWorkflow, imageFromArg, loadSource, type LoadedSource } from './workflow-source';

type RunLike = Extract<CliCommand, { command: 'edit' | 'run' }>;

/** The workflow a command line asks for, with `--set` applied, and what loading it had to say. */
export type CommandWorkflow = LoadedSource;

/**
 * Builds the workflow of `edit`/`run` from the command line: images read and checked by content,
 * `--set` applied in order, and a template's sample fields refused (issue 8, item 7: its sample
 * pictures and story are never submitted, and paid for, silently). Every mistake is a UsageError.
 */
export async function commandWorkflow(cmd: RunLike, assets: AssetStore, cwd: string): Promise<CommandWorkflow> {
  if (cmd.command === 'edit') {
    const images = [];
    for (const arg of cmd.images) images.push(await imageFromArg(arg, assets, cwd));
    return { workflow: buildEditWorkflow({ ...cmd, images }), origin: 'edit', warnings: [] };
  }
  const loaded = await loadSource(cmd.source, registry, cwd);
  const workflow = await applySets(loaded.workflow, cmd.sets, registry, assets, cwd);
  const unset = missingTemplateFields(loaded.workflow, cmd.sets, registry, cmd);
  if (unset.missing.length) throw new UsageError(unset.message);
  return { workflow, origin: loaded.origin, warnings: loaded.warnings };
}

/**
 * Checks a command line before anything starts (the simulator, the ledger lock, the cache dir):
 * a usage error then costs nothing and leaves nothing behind. Images are checked as the real
 * asset store checks them, but not stored. Throws the UsageError the run would.
 */
export async function checkCommandLine(cmd: RunLike, cwd: string): Promise<void> {
  await commandWorkflow(cmd, new CheckingAssetStore(), cwd);
}

/** Accepts what the file asset store accepts (PNG, JPEG, WebP by content) and keeps nothing. */
class CheckingAssetStore implements AssetStore {
  async put(bytes: Uint8Array, hints: { name?: string; sourceUrl?: string } = {}): Promise<ImageRef & { kind: 'asset' }> {
    const info = readImageInfo(bytes);
    if (!info) throw new Error(`Not a PNG, JPEG or WebP image${hints.name ? `: ${hints.name}` : ''} (checked by content, not file name).`);
    return { kind: 'asset', assetId: bytesHash(bytes), mime: info.mime, width: info.width, height: info.height, ...(hints.name ? { name: hints.name } : {}) };
  }

  async get(): Promise<Uint8Array> {
    throw new Error('Images are not read while the command line is checked.');
  }
}
