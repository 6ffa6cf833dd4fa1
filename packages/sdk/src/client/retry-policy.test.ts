import { describe, expect, it } from 'vitest';
import { compileRetryPolicy, retryDelayMs, sleep } from './retry-policy.js';

describe('compileRetryPolicy', () => {
  it('fills in the documented defaults', () => {
    expect(compileRetryPolicy(undefined)).toEqual({
      retries: 3,
      minDelayMs: 250,
      maxDelayMs: 5000,
      maxRetryAfterMs: 60_000,
      onRetry: undefined,
    });
  });

  it('never retries with false', () => {
    expect(compileRetryPolicy(false).retries).toBe(0);
  });
});

describe('retryDelayMs', () => {
  const policy = compileRetryPolicy({ minDelayMs: 100, maxDelayMs: 1000 });

  it('doubles the step each attempt, with jitter within its upper half', () => {
    expect([1, 2, 3].map((attempt) => retryDelayMs(policy, attempt, undefined, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((attempt) => retryDelayMs(policy, attempt, undefined, () => 1))).toEqual([100, 200, 400]);
  });

  it('never exceeds maxDelayMs', () => {
    expect(retryDelayMs(policy, 30, undefined, () => 1)).toBe(1000);
  });

  it("waits exactly the server's Retry-After when it sent one", () => {
    expect(retryDelayMs(policy, 1, 7000, () => 0.5)).toBe(7000);
  });
});

describe('sleep', () => {
  it('rejects with the reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
    await expect(sleep(1, controller.signal)).rejects.toThrow('stopped');
  });
});
