/**
 * Runs `work` over `items` with at most `limit` at once, in order of `items`; stops taking new
 * items once `signal` aborts (items already started finish). `work` must not reject: a
 * rejection stops the pool and rejects with it, after the started items settle.
 */
export async function eachLimit<T>(items: Iterable<T>, limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const it = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    for (;;) {
      if (failure || signal?.aborted) return;
      const next = it.next();
      if (next.done) return;
      try {
        await work(next.value);
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(limit)) }, worker));
  if (failure) throw failure.error;
}
