/** Largest remote image the CLI reads (a Save of an https Load Image): generous, but bounded. */
export const MAX_REMOTE_IMAGE_BYTES = 64 * 1024 * 1024;

/**
 * Reads an https image the user referenced (not a provider output: those go through the API
 * client's download rules). https only, size-capped while streaming.
 */
export async function fetchHttpsImage(url: string, o: { fetch: typeof fetch; signal?: AbortSignal | undefined }): Promise<Uint8Array> {
  if (!/^https:\/\//i.test(url)) throw new Error(`Only https images can be read: ${url}`);
  const res = await o.fetch(url, { ...(o.signal ? { signal: o.signal } : {}), redirect: 'follow' });
  if (!res.ok || !res.body) throw new Error(`Could not read ${url}: HTTP ${res.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_REMOTE_IMAGE_BYTES) {
      await reader.cancel();
      throw new Error(`${url} is larger than ${MAX_REMOTE_IMAGE_BYTES / 1048576} MiB`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
