/** At most this many look-ups for jobs another tab follows (about five minutes with 30 s leases). */
const MAX_CHECKS = 10;

/**
 * Jobs another tab was following when this one loaded: once that tab's lease runs out (it was
 * closed) they are taken over by asking the ledger to recover again. Bounded: a tab that lives
 * on keeps its jobs, and this stops asking.
 */
export function watchOtherOwners(recover: () => Promise<{ elsewhere: readonly unknown[] } | undefined>, leaseMs: number): void {
  let checks = 0;
  const check = () => {
    checks++;
    void recover().then((report) => {
      if (report?.elsewhere.length && checks < MAX_CHECKS) setTimeout(check, leaseMs + 2_000);
    });
  };
  setTimeout(check, leaseMs + 2_000);
}
