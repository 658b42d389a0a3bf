import type { Issue } from '../../graph/issues';
import type { AssetStore } from '../../graph/node-definition';
import type { ImageRef } from '../../graph/ports';
import { abortReason } from '../../lib/clock';
import { bytesHash } from '../../lib/hash';
import { checkImageBytes, checkImageEntry, checkImagePixels, imagePlace, toDataUri } from './input-checks';

/** Reads the bytes of an https reference (size-capped); the host injects it (CLI: direct, browser: the asset proxy). */
export type FetchReference = (url: string, signal: AbortSignal) => Promise<Uint8Array>;

export interface ResolvedReferences {
  /** Wire entries in order: local bytes as data URIs, https references as their URL. */
  images: string[];
  labels: (string | undefined)[];
  /** SHA-256 (hex) of each reference's bytes. */
  hashes: string[];
  /** Every broken rule of every reference; empty when all can be sent. */
  issues: Issue[];
}

/**
 * Every reference's bytes, checked like a local file: format, size, pixel size and aspect from the
 * header, then the whole image decoded. An https reference is fetched once, checked the same way,
 * and sent as its URL (RunComfy fetches it again); one that cannot be fetched is refused, naming
 * the reference and the URL. Aborts with the signal between references.
 */
export async function resolveReferences(
  refs: readonly ImageRef[],
  deps: { assets: AssetStore; fetchReference: FetchReference },
  signal: AbortSignal,
): Promise<ResolvedReferences> {
  const out: ResolvedReferences = { images: [], labels: [], hashes: [], issues: [] };
  for (const [index, ref] of refs.entries()) {
    if (signal.aborted) throw abortReason(signal);
    const label = ref.kind === 'asset' ? (ref.name ?? `asset ${ref.assetId.slice(0, 8)}`) : fileNameOf(ref.url);
    const place = imagePlace(index, label);
    out.labels.push(label);
    const bad = (code: string, message: string) => out.issues.push({ severity: 'error', code, field: place.field, message: `${place.label}: ${message}` });
    if (ref.kind === 'url') {
      const form = checkImageEntry(ref.url, place);
      if (form.length > 0) {
        out.issues.push(...form);
        continue;
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = ref.kind === 'asset' ? await deps.assets.get(ref, signal) : await deps.fetchReference(ref.url, signal);
    } catch (e) {
      if (signal.aborted) throw abortReason(signal);
      const why = e instanceof Error ? e.message : String(e);
      if (ref.kind === 'url') {
        bad(
          'image-unreachable',
          `${ref.url.slice(0, 200)} could not be fetched (${why.slice(0, 200)}). Nothing was sent. Check that the URL is public and still valid, or download the image and load it as a local file.`,
        );
      } else {
        bad('image-missing', `its stored bytes could not be read (${why.slice(0, 200)}). Load the image again.`);
      }
      continue;
    }
    const checked = checkImageBytes(bytes, place);
    const hash = bytesHash(bytes);
    const issues = checked.issues.length === 0 ? await checkImagePixels(bytes, place, hash) : checked.issues;
    out.issues.push(...issues);
    out.hashes.push(hash);
    out.images.push(ref.kind === 'url' ? ref.url : checked.image ? toDataUri(bytes, checked.image.mime) : '');
  }
  return out;
}

/** The last path segment of a URL, as a label for messages. */
function fileNameOf(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last).slice(0, 80) : undefined;
  } catch {
    return undefined;
  }
}
