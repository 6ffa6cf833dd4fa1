import { describe, expect, it } from 'vitest';
import { NonRetryableError, RetryableError } from '../errors/retryable-error.js';
import { kit, settle } from './test-kit.js';

describe('compensation', () => {
  it('gives every attempt of a compensation the same deadline: its start plus the compensation TTL', async () => {
    const k = kit();
    const deadlines: number[] = [];
    k.add('book', () => ({ booked: true }), {
      compensate: (ctx) => {
        deadlines.push(ctx.deadline);
        if (ctx.attempt === 1) throw new RetryableError('the booking desk is busy');
      },
    });
    k.add('pay', () => {
      throw new NonRetryableError('card declined');
    });
    const before = Date.now();
    const engine = k.engine({ defaults: { retry: { maxAttempts: 1, initialDelayMs: 1 } }, compensationTtlMs: 60_000 });
    await settle(
      engine.run({
        steps: [
          { id: 'book', target: 'book' },
          { id: 'pay', target: 'pay', dependsOn: ['book'] },
        ],
      }),
    );
    expect(deadlines).toHaveLength(2);
    expect(deadlines[1]).toBe(deadlines[0]);
    expect(deadlines[0]).toBeGreaterThanOrEqual(before + 60_000);
    expect(deadlines[0]).toBeLessThanOrEqual(Date.now() + 60_000);
  });
});
