import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssetStore, OutputSink } from '../graph/node-definition';
import { embedWorkflowInPng } from '../graph/workflow-png';
import type { Workflow } from '../graph/workflow-schema';
import { sniffImageMime } from '../lib/image-info';
import { jsonText } from '../lib/json-nesting';
import { extensionOf } from './file-asset-store';
import { inFolder } from './file-dirs';

/** A file written by a Save node. */
export interface SavedFile {
  nodeId: string;
  file: string;
  index: number;
  /** The stored image the file was written from (a PNG file also carries the workflow, so its bytes differ). */
  assetId?: string;
  sourceUrl?: string;
  /** `<file>.json` holding the workflow, for formats without a text chunk (JPEG, WebP). */
  sidecar?: string;
  /** Why the workflow is neither inside the file nor beside it (the image was written anyway). */
  workflowError?: string;
}

export interface FileOutputSinkOptions {
  /**
   * The workflow being run. Embedded in every PNG as a `workflow` text chunk (drop the PNG on
   * the canvas to get the graph back); JPEG and WebP files get a `<file>.json` sidecar instead.
   */
  workflow?: Workflow;
}

const exists = (e: unknown) => (e as NodeJS.ErrnoException).code === 'EEXIST';

/**
 * Save nodes in the CLI: writes `<prefix>_<nnnnn>.<ext>` into the output folder, never
 * overwriting an existing file (numbers continue past what is there).
 */
export class FileOutputSink implements OutputSink {
  readonly saved: SavedFile[] = [];
  private readonly taken = new Set<string>();
  private readonly workflow: Workflow | undefined;

  constructor(
    private readonly outDir: string,
    private readonly assets: AssetStore,
    options: FileOutputSinkOptions = {},
  ) {
    this.workflow = options.workflow;
  }

  async save(images: Parameters<OutputSink['save']>[0], options: Parameters<OutputSink['save']>[1]): Promise<string[]> {
    // Writes make the folder when they find it missing; a save of nothing still leaves it there.
    if (images.length === 0) await mkdir(this.outDir, { recursive: true });
    const names: string[] = [];
    let n = 1;
    for (const [index, ref] of images.entries()) {
      options.signal.throwIfAborted();
      const stored = await this.assets.get(ref, options.signal);
      const mime = ref.kind === 'asset' ? ref.mime : (sniffImageMime(stored) ?? 'image/png');
      const ext = extensionOf(mime);
      const { bytes, sidecar, workflowError } = this.withWorkflow(stored, mime);
      let name: string;
      // 'wx' never overwrites: earlier runs' files in the same folder are kept and numbering continues.
      for (;;) {
        name = `${options.prefix}_${String(n++).padStart(5, '0')}.${ext}`;
        if (this.taken.has(name)) continue;
        if (await inFolder(this.outDir, () => this.write(name, bytes, sidecar))) break;
      }
      this.taken.add(name);
      names.push(name);
      this.saved.push({
        nodeId: options.nodeId,
        file: name,
        index,
        ...(ref.kind === 'asset' ? { assetId: ref.assetId, ...(ref.sourceUrl ? { sourceUrl: ref.sourceUrl } : {}) } : { sourceUrl: ref.url }),
        ...(sidecar ? { sidecar: `${name}.json` } : {}),
        ...(workflowError ? { workflowError } : {}),
      });
    }
    return names;
  }

  /**
   * PNG bytes with the workflow inside, or the bytes as stored plus the sidecar text to write.
   * Never throws: a workflow that cannot be written as JSON costs the workflow, not the paid image.
   */
  private withWorkflow(bytes: Uint8Array, mime: string): { bytes: Uint8Array; sidecar?: string; workflowError?: string } {
    if (!this.workflow) return { bytes };
    if (mime === 'image/png') {
      const embedded = embedWorkflowInPng(bytes, this.workflow);
      // A PNG we cannot splice (damaged, odd) is written as stored, with the workflow beside it.
      if (embedded.ok) return { bytes: embedded.bytes };
    }
    const json = jsonText(this.workflow, 2);
    if (!json.ok) return { bytes, workflowError: `The workflow could not be written as JSON (${json.reason}).` };
    return { bytes, sidecar: `${json.text}\n` };
  }

  /** Writes the image (and its sidecar, first) under `name`; false when either name is taken. */
  private async write(name: string, bytes: Uint8Array, sidecar: string | undefined): Promise<boolean> {
    const path = join(this.outDir, name);
    try {
      if (sidecar !== undefined) await writeFile(`${path}.json`, sidecar, { flag: 'wx' });
    } catch (e) {
      if (exists(e)) return false;
      throw e;
    }
    try {
      await writeFile(path, bytes, { flag: 'wx' });
      return true;
    } catch (e) {
      if (sidecar !== undefined) await rm(`${path}.json`, { force: true });
      if (exists(e)) return false;
      throw e;
    }
  }
}
