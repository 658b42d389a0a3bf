import { describe, expect, it } from 'vitest';
import { IndexHeap } from '../../app/graph/min-heap';

describe('IndexHeap', () => {
  it('pops values in ascending order when pushed in any order', () => {
    const heap = new IndexHeap();
    const values = [5, 3, 9, 0, 3, 7, 1, 8, 2, 6, 4];
    for (const v of values) heap.push(v);
    const out: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
  });

  it('returns undefined when empty', () => {
    expect(new IndexHeap().pop()).toBeUndefined();
  });
});
