import { zipSync, type Zippable } from 'fflate';
import type { AssetStore, OutputSink } from '../graph/node-definition';
import type { ImageRef } from '../graph/ports';
import { embedWorkflowInPng } from '../graph/workflow-png';
import type { Workflow } from '../graph/workflow-schema';
import { readImageInfo } from '../lib/image-info';
import { jsonText } from '../lib/json-nesting';
import { abortReason } from '../lib/clock';
import { deliveryKey, type DeliveryMemory } from './delivery-memory';

/** More images than this are saved as one zip instead of one download each. */
export const ZIP_THRESHOLD = 3;

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export interface DownloadOutputSinkOptions {
  /**
   * The workflow being run. PNGs carry it in a `workflow` text chunk (drop one on the canvas to
   * get the graph back); JPEG/WebP files, and zips, get a `<prefix>.json` sidecar holding it.
   */
  workflow?: () => Workflow | undefined;
  /**
   * What was already delivered. With it, a Save whose images and prefix did not change (a fully
   * cached run) downloads nothing and answers the names it was saved under; without it, every
   * save downloads.
   */
  memory?: DeliveryMemory;
}

/** The browser's Save, plus the explicit "Save again" that downloads even what was delivered before. */
export interface DownloadOutputSink extends OutputSink {
  saveAgain(images: readonly ImageRef[], options: { prefix: string; signal?: AbortSignal }): Promise<string[]>;
}

/**
 * The browser's Save: the images go to the downloads folder, one file each (`prefix-01.png`), or
 * one `prefix.zip` when there are more than {@link ZIP_THRESHOLD} (browsers block bursts of
 * downloads). Image data is stored, not recompressed; PNGs only gain the workflow text chunk.
 * The same images under the same prefix are delivered once (see `memory`), because the downloads
 * folder is shared by every run and a repeat only adds "(1)" copies; the CLI's sink writes each
 * run into its own --out folder and keeps no such memory.
 */
export function createDownloadOutputSink(
  assets: AssetStore,
  download: (name: string, blob: Blob) => void,
  options: DownloadOutputSinkOptions = {},
): DownloadOutputSink {
  const { memory } = options;
  // Two Save nodes of one run given the same images and prefix deliver once.
  const inFlight = new Map<string, Promise<string[]>>();

  const write = async (images: readonly ImageRef[], prefix: string, signal: AbortSignal): Promise<string[]> => {
    const workflow = options.workflow?.();
    const files: { name: string; bytes: Uint8Array; mime: string }[] = [];
    let needsSidecar = false;
    const width = Math.max(2, String(images.length).length);
    for (const [i, ref] of images.entries()) {
      if (signal.aborted) throw abortReason(signal);
      let bytes = await assets.get(ref, signal);
      const mime = ref.kind === 'asset' ? ref.mime : (readImageInfo(bytes)?.mime ?? 'image/png');
      if (workflow) {
        const embedded = mime === 'image/png' ? embedWorkflowInPng(bytes, workflow) : undefined;
        if (embedded?.ok) bytes = embedded.bytes;
        else needsSidecar = true;
      }
      files.push({ name: `${prefix}-${String(i + 1).padStart(width, '0')}.${EXT[mime] ?? 'png'}`, bytes, mime });
    }
    if (signal.aborted) throw abortReason(signal);
    // A workflow that cannot be written as JSON costs the sidecar, never the paid images.
    const json = workflow ? jsonText(workflow, 2) : undefined;
    const sidecar = json?.ok ? { name: `${prefix}.json`, bytes: new TextEncoder().encode(`${json.text}\n`) } : undefined;
    if (files.length > ZIP_THRESHOLD) {
      const entries: Zippable = Object.fromEntries(files.map((f) => [f.name, [f.bytes, { level: 0 }]]));
      if (sidecar) entries[sidecar.name] = [sidecar.bytes, { level: 6 }];
      const zip = zipSync(entries);
      const name = `${prefix}.zip`;
      download(name, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      return [name];
    }
    for (const f of files) download(f.name, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.mime }));
    if (sidecar && needsSidecar) {
      download(sidecar.name, new Blob([sidecar.bytes as Uint8Array<ArrayBuffer>], { type: 'application/json' }));
      return [...files.map((f) => f.name), sidecar.name];
    }
    return files.map((f) => f.name);
  };

  const deliver = async (images: readonly ImageRef[], prefix: string, signal: AbortSignal): Promise<string[]> => {
    const names = await write(images, prefix, signal);
    // Forgetting costs at most one duplicate download later, never a missing one.
    await memory?.put(deliveryKey(prefix, images), names).catch(() => undefined);
    return names;
  };

  return {
    async save(images, { prefix, signal }) {
      if (signal.aborted) throw abortReason(signal);
      if (!memory) return write(images, prefix, signal);
      const key = deliveryKey(prefix, images);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const delivery = (async () => {
        const known = await memory.get(key).catch(() => undefined);
        return known ? [...known] : deliver(images, prefix, signal);
      })();
      inFlight.set(key, delivery);
      try {
        return await delivery;
      } finally {
        inFlight.delete(key);
      }
    },
    saveAgain(images, { prefix, signal }) {
      return deliver(images, prefix, signal ?? new AbortController().signal);
    },
  };
}
