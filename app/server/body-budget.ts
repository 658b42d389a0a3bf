/**
 * Most request-body bytes the server holds in memory at once, across all requests: three
 * maximum-size (64 MiB) submits. Without a shared cap, a dozen concurrent 60 MiB uploads took
 * the process past a gigabyte; beyond it, a request is answered 503 with Retry-After instead.
 */
export const MAX_BUFFERED_BODY_BYTES = 192 * 1024 * 1024;

/**
 * The shared account of buffered request bodies: every body reserves its bytes here before it
 * is kept (the declared Content-Length up front, or chunk by chunk when there is none) and
 * releases them once its request is over, answered or aborted. A subclass may observe the
 * account (tests wrap {@link tryReserve} to record the peak).
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly capBytes: number = MAX_BUFFERED_BODY_BYTES) {
    if (!Number.isSafeInteger(capBytes) || capBytes <= 0) {
      throw new RangeError(`A body budget is a positive whole number of bytes, not ${capBytes}.`);
    }
  }

  /** Bytes reserved right now. */
  get bytesInUse(): number {
    return this.used;
  }

  /** Reserves `bytes` when they fit under the cap; false (and nothing reserved) when not. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.capBytes) return false;
    this.used += bytes;
    return true;
  }

  /** Gives back bytes reserved earlier. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  /** A per-request account that releases everything it reserved at once, exactly once. */
  open(): BodyReservation {
    return new BodyReservation(this);
  }
}

/** What one request has reserved of a {@link BodyBudget}. */
export class BodyReservation {
  private held = 0;

  constructor(private readonly budget: BodyBudget) {}

  /** Bytes this request holds. */
  get bytes(): number {
    return this.held;
  }

  /** Reserves `bytes` more for this request; false when the shared budget has no room. */
  take(bytes: number): boolean {
    if (!this.budget.tryReserve(bytes)) return false;
    this.held += bytes;
    return true;
  }

  /** Releases everything this request reserved; later calls do nothing. */
  release(): void {
    if (this.held > 0) this.budget.release(this.held);
    this.held = 0;
  }
}
