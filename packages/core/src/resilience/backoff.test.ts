import { describe, expect, it } from 'vitest';
import { RetryableError } from '../errors/retryable-error.js';
import { backoffDelay, DEFAULT_RETRY, type ResolvedRetry, resolveRetry } from './backoff.js';

const policy = (overrides: Partial<ResolvedRetry> = {}): ResolvedRetry => ({
  ...DEFAULT_RETRY,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  backoffFactor: 2,
  ...overrides,
});
const max = () => 1;
const min = () => 0;

describe('backoffDelay', () => {
  it('grows initial × factor^(attempt − 1) without jitter', () => {
    const retry = policy({ jitter: 'none' });
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(retry, attempt, new Error('x')))).toEqual([
      100, 200, 400, 800, 1600,
    ]);
  });

  it('uses the factor it is given', () => {
    const retry = policy({ jitter: 'none', backoffFactor: 3, initialDelayMs: 10 });
    expect([1, 2, 3].map((attempt) => backoffDelay(retry, attempt, undefined))).toEqual([10, 30, 90]);
  });

  it('caps the delay at maxDelayMs', () => {
    const retry = policy({ jitter: 'none', maxDelayMs: 500 });
    expect(backoffDelay(retry, 10, undefined)).toBe(500);
    expect(backoffDelay(retry, 1000, undefined)).toBe(500);
  });

  it('draws full jitter uniformly from 0 to the computed delay', () => {
    const retry = policy({ jitter: 'full' });
    expect(backoffDelay(retry, 3, undefined, min)).toBe(0);
    expect(backoffDelay(retry, 3, undefined, max)).toBe(400);
    expect(backoffDelay(retry, 3, undefined, () => 0.5)).toBe(200);
    expect(backoffDelay(retry, 3, undefined, () => 0.25)).toBe(100);
  });

  it('keeps jittered delays within bounds over many draws', () => {
    const retry = policy({ jitter: 'full', maxDelayMs: 300 });
    for (let attempt = 1; attempt <= 6; attempt++) {
      const cap = Math.min(300, 100 * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(retry, attempt, undefined);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(cap);
      }
    }
  });

  it('waits at least a Retry-After longer than the backoff, beyond maxDelayMs, up to maxRetryAfterMs', () => {
    const retry = policy({ jitter: 'full' });
    expect(backoffDelay(retry, 1, new RetryableError('busy', { retryAfter: 2 }), min)).toBe(2000);
    expect(backoffDelay(retry, 1, new RetryableError('busy', { retryAfter: 120 }), min)).toBe(120_000);
    expect(backoffDelay(retry, 1, new RetryableError('busy', { retryAfter: 3600 }), min)).toBe(300_000);
    const tighter = policy({ maxRetryAfterMs: 5000 });
    expect(backoffDelay(tighter, 1, new RetryableError('busy', { retryAfter: 60 }), min)).toBe(5000);
  });

  it('defaults maxRetryAfterMs to five minutes, independent of maxDelayMs', () => {
    expect(DEFAULT_RETRY.maxRetryAfterMs).toBe(300_000);
    expect(resolveRetry({ maxDelayMs: 10 }).maxRetryAfterMs).toBe(300_000);
    expect(resolveRetry({ maxRetryAfterMs: 1000 }).maxRetryAfterMs).toBe(1000);
  });

  it('keeps the backoff when it is longer than the Retry-After', () => {
    const retry = policy({ jitter: 'none', initialDelayMs: 5000 });
    expect(backoffDelay(retry, 1, new RetryableError('busy', { retryAfter: 1 }))).toBe(5000);
  });

  it('ignores Retry-After when respectRetryAfter is false', () => {
    const retry = policy({ jitter: 'none', respectRetryAfter: false });
    expect(backoffDelay(retry, 1, new RetryableError('busy', { retryAfter: 5 }))).toBe(100);
  });

  it('never returns a negative or fractional delay', () => {
    const retry = policy({ jitter: 'full', initialDelayMs: 3 });
    expect(Number.isInteger(backoffDelay(retry, 1, undefined, () => 0.333))).toBe(true);
    expect(backoffDelay(policy({ initialDelayMs: 0 }), 4, undefined)).toBe(0);
  });
});

describe('resolveRetry', () => {
  it('fills defaults and keeps what the policy sets', () => {
    expect(resolveRetry(undefined)).toEqual(DEFAULT_RETRY);
    expect(resolveRetry({ maxAttempts: 7, jitter: 'none' })).toEqual({
      ...DEFAULT_RETRY,
      maxAttempts: 7,
      jitter: 'none',
    });
  });

  it('turns retry: false into a single attempt', () => {
    expect(resolveRetry(false).maxAttempts).toBe(1);
  });

  it('layers a step policy over a base', () => {
    const base = resolveRetry({ maxAttempts: 5, initialDelayMs: 1 });
    expect(resolveRetry({ maxDelayMs: 9 }, base)).toMatchObject({ maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 9 });
  });
});
