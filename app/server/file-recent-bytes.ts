/**
 * The bytes of recently written or read files, up to a total size, least recently used dropped
 * first. Files bigger than `maxItemBytes` are never kept. Callers get a copy, so nothing they do
 * to the bytes changes what the next caller reads.
 */
export class RecentBytes {
  private readonly items = new Map<string, Uint8Array>();
  private total = 0;

  constructor(
    readonly maxBytes: number,
    readonly maxItemBytes: number,
  ) {}

  get(key: string): Uint8Array | undefined {
    const bytes = this.items.get(key);
    if (!bytes) return undefined;
    this.items.delete(key);
    this.items.set(key, bytes);
    return bytes.slice();
  }

  set(key: string, bytes: Uint8Array): void {
    this.delete(key);
    if (bytes.byteLength > this.maxItemBytes || bytes.byteLength > this.maxBytes) return;
    this.items.set(key, bytes.slice());
    this.total += bytes.byteLength;
    for (const [k, b] of this.items) {
      if (this.total <= this.maxBytes) break;
      this.items.delete(k);
      this.total -= b.byteLength;
    }
  }

  delete(key: string): void {
    const old = this.items.get(key);
    if (!old) return;
    this.items.delete(key);
    this.total -= old.byteLength;
  }

  /** Bytes held now. */
  get size(): number {
    return this.total;
  }
}
