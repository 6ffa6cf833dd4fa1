import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headlineNumber, seed } from './example-services.js';

describe('the example news headlines', () => {
  it('number every headline from 10 to 99, also for a seed whose top bit is set', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 2 }), (value, index) => {
        const number = headlineNumber(value, index);
        return Number.isInteger(number) && number >= 10 && number <= 99;
      }),
    );
  });

  it('never show a negative number for Porto (whose seed has its top bit set)', () => {
    expect(seed('Porto')).toBeGreaterThanOrEqual(2 ** 31);
    for (const index of [0, 1, 2]) expect(headlineNumber(seed('Porto'), index)).toBeGreaterThanOrEqual(10);
  });
});
