import { describe, expect, it } from 'vitest';
import { declaredTooLarge, readCappedBody } from '../../app/lib/read-capped';

const stream = (chunks: number[], onCancel?: () => void) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const n of chunks) c.enqueue(new Uint8Array(n).fill(7));
      c.close();
    },
    cancel: onCancel,
  });

describe('readCappedBody', () => {
  it('joins the chunks when the body fits', async () => {
    const r = await readCappedBody(stream([3, 4]), 7);
    expect(r.ok && [...r.bytes]).toEqual(new Array(7).fill(7));
  });

  it('stops and cancels the stream as soon as the cap is passed', async () => {
    let cancelled = false;
    const r = await readCappedBody(
      stream([4, 4, 100], () => (cancelled = true)),
      7,
    );
    expect(r).toEqual({ ok: false, reason: 'too-large' });
    expect(cancelled).toBe(true);
  });

  it('reads a missing body as empty', async () => {
    const r = await readCappedBody(null, 10);
    expect(r.ok && r.bytes.length).toBe(0);
  });
});

describe('declaredTooLarge', () => {
  it.each([
    ['11', true],
    ['10', false],
    [null, false],
    ['nonsense', false],
  ])('content-length %s over 10 → %s', (len, over) => {
    expect(declaredTooLarge(new Headers(len === null ? {} : { 'content-length': len }), 10)).toBe(over);
  });
});
