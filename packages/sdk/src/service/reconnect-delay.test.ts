import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './reconnect-delay.js';

describe('reconnectDelay', () => {
  it('doubles its ceiling from the initial delay up to the maximum, with full jitter', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4].map((failures) => reconnectDelay(failures, {}, top))).toEqual([99, 199, 399, 799]);
    expect(reconnectDelay(40, {}, top)).toBe(29_999);
    expect(reconnectDelay(3, { initialDelayMs: 10, maxDelayMs: 25 }, top)).toBe(24);
    expect(reconnectDelay(5, {}, () => 0)).toBe(0);
  });
});
