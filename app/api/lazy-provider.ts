import type { GenerationProvider } from './provider';

/**
 * A provider whose implementation loads on its first call: the editor's first screen need not
 * carry a host's whole wire client (schemas, checks, download rules) before anyone runs anything.
 * `id` and `endpoint` are known up front because ledger records are matched by them.
 */
export function lazyProvider(
  id: string,
  endpoint: string,
  load: () => Promise<GenerationProvider>,
): GenerationProvider & Required<Pick<GenerationProvider, 'priceUsd'>> {
  let loading: Promise<GenerationProvider> | undefined;
  // A load that failed (a chunk lost to a network blip) is tried again on the next call rather than
  // failing every run until the page is reloaded. Nothing reaches the host before the load succeeds.
  const get = () =>
    (loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    }));
  return {
    id,
    endpoint,
    prepare: async (request, signal) => (await get()).prepare(request, signal),
    submit: async (prepared) => (await get()).submit(prepared),
    read: async (requestId, want, signal) => (await get()).read(requestId, want, signal),
    cancel: async (requestId, signal) => (await get()).cancel(requestId, signal),
    download: async (url, signal) => (await get()).download(url, signal),
    priceUsd: async (model, signal) => (await get()).priceUsd?.(model, signal),
  };
}
