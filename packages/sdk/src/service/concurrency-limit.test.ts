import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency-limit.js';

describe('ConcurrencyLimit', () => {
  it('lets at most its limit through and hands each release to the next waiter', async () => {
    const limit = new ConcurrencyLimit(1);
    const first = await limit.acquire();
    let secondIn = false;
    const second = limit.acquire().then((release) => {
      secondIn = true;
      return release;
    });
    await Promise.resolve();
    expect(secondIn).toBe(false);
    first();
    first();
    (await second)();
    expect(limit.running).toBe(0);
  });
});
