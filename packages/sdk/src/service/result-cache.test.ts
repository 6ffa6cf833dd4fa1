import { describe, expect, it } from 'vitest';
import { memoryResultCache } from './result-cache.js';

describe('memoryResultCache', () => {
  it('forgets entries after their time to live and past its size cap', async () => {
    let now = 1_000;
    const cache = memoryResultCache({ maxEntries: 2, now: () => now });
    await cache.set('a', { output: 1 }, 100);
    await cache.set('b', { output: null }, 100);
    expect(await cache.get('b')).toEqual({ output: null });
    await cache.set('c', { output: 3 }, 100);
    expect(await cache.get('a')).toBeUndefined();
    now += 100;
    expect(await cache.get('c')).toBeUndefined();
  });
});
