import { readCappedBody } from '../../lib/read-capped';

/** Largest remote image the CLI reads (a Save of an https Load Image): generous, but bounded. */
export const MAX_REMOTE_IMAGE_BYTES = 64 * 1024 * 1024;

/**
 * Reads an https image the user referenced (not a provider output: those go through the API
 * client's download rules). https only, size-capped while streaming.
 */
export async function fetchHttpsImage(url: string, o: { fetch: typeof fetch; signal?: AbortSignal | undefined }): Promise<Uint8Array> {
  if (!/^https:\/\//i.test(url)) throw new Error(`Only https images can be read: ${url}`);
  const res = await o.fetch(url, { ...(o.signal ? { signal: o.signal } : {}), redirect: 'follow' });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`Could not read ${url}: HTTP ${res.status}`);
  }
  const read = await readCappedBody(res.body, MAX_REMOTE_IMAGE_BYTES);
  if (!read.ok) throw new Error(`${url} is larger than ${MAX_REMOTE_IMAGE_BYTES / 1048576} MiB`);
  return read.bytes;
}
