import { describe, expect, it } from 'vitest';
import { RecentBytes } from '../../app/server/file-recent-bytes';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe('RecentBytes', () => {
  it('drops the least recently used bytes first when over its size', () => {
    const recent = new RecentBytes(10, 10);
    recent.set('a', bytes(4, 1));
    recent.set('b', bytes(4, 2));
    expect(recent.get('a')).toEqual(bytes(4, 1));
    recent.set('c', bytes(4, 3));
    expect(recent.get('b')).toBeUndefined();
    expect(recent.get('a')).toEqual(bytes(4, 1));
    expect(recent.get('c')).toEqual(bytes(4, 3));
    expect(recent.size).toBe(8);
  });

  it('never keeps bytes bigger than one item may be', () => {
    const recent = new RecentBytes(100, 8);
    recent.set('big', bytes(9));
    expect(recent.get('big')).toBeUndefined();
    expect(recent.size).toBe(0);
  });

  it('hands out copies when a caller changes the bytes it put or got', () => {
    const recent = new RecentBytes(100, 100);
    const put = bytes(4, 7);
    recent.set('a', put);
    put.fill(0);
    const got = recent.get('a')!;
    got.fill(9);
    expect(recent.get('a')).toEqual(bytes(4, 7));
  });

  it('counts a replaced key once', () => {
    const recent = new RecentBytes(100, 100);
    recent.set('a', bytes(4));
    recent.set('a', bytes(6));
    expect(recent.size).toBe(6);
    recent.delete('a');
    expect(recent.size).toBe(0);
  });
});
