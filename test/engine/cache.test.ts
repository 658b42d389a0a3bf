import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../app/engine/cache';
import { stubImage } from '../fixtures/stub-kinds';

describe('MemoryCache', () => {
  it('returns what was stored and undefined for unknown keys', async () => {
    const cache = new MemoryCache();
    await cache.set('k', { outputs: { out: stubImage('a') }, meta: { cost: 1 } });
    expect(await cache.get('k')).toEqual({ outputs: { out: stubImage('a') }, meta: { cost: 1 } });
    expect(await cache.get('nope')).toBeUndefined();
  });

  it('hands out copies so a consumer mutating a result cannot change the cache', async () => {
    const cache = new MemoryCache();
    const result = { outputs: { out: [stubImage('a')] }, meta: {} };
    await cache.set('k', result);
    result.outputs.out.push(stubImage('late'));
    const got = await cache.get('k');
    (got!.outputs.out as unknown[]).length = 0;
    expect((await cache.get('k'))?.outputs.out).toEqual([stubImage('a')]);
  });

  it('evicts the least recently used entry when full', async () => {
    const cache = new MemoryCache(2);
    await cache.set('a', { outputs: {}, meta: {} });
    await cache.set('b', { outputs: {}, meta: {} });
    await cache.get('a');
    await cache.set('c', { outputs: {}, meta: {} });
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });
});
