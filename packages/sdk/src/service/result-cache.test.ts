import { describe, expect, it } from 'vitest';
import { memoryResultCache, serviceResultCache } from './result-cache.js';

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

describe('serviceResultCache', () => {
  it('keeps the results of services sharing one cache apart, under the same idempotency key', async () => {
    const shared = memoryResultCache();
    const pay = serviceResultCache(shared, 'pay');
    const ship = serviceResultCache(shared, 'ship');
    await pay.set('order-7', { output: { charged: 10 } }, 1000);
    expect(await ship.get('order-7')).toBeUndefined();
    expect(await pay.get('order-7')).toEqual({ output: { charged: 10 } });
    expect(await shared.get('pay:order-7')).toEqual({ output: { charged: 10 } });
  });
});
