/** Exponential backoff with full jitter, overridden by a longer Retry-After the failing call asked for. */
import type { RetryPolicy } from '../plan/plan.js';
import { retryAfterOf } from './retry-after.js';

export interface ResolvedRetry {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  backoffFactor: number;
  jitter: 'full' | 'none';
  respectRetryAfter: boolean;
  nonRetryable: readonly string[];
}

export const DEFAULT_RETRY: ResolvedRetry = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  backoffFactor: 2,
  jitter: 'full',
  respectRetryAfter: true,
  nonRetryable: [],
});

export function resolveRetry(
  policy: RetryPolicy | false | undefined,
  base: ResolvedRetry = DEFAULT_RETRY,
): ResolvedRetry {
  if (policy === false) return { ...base, maxAttempts: 1 };
  if (policy === undefined) return base;
  return {
    maxAttempts: policy.maxAttempts ?? base.maxAttempts,
    initialDelayMs: policy.initialDelayMs ?? base.initialDelayMs,
    maxDelayMs: policy.maxDelayMs ?? base.maxDelayMs,
    backoffFactor: policy.backoffFactor ?? base.backoffFactor,
    jitter: policy.jitter ?? base.jitter,
    respectRetryAfter: policy.respectRetryAfter ?? base.respectRetryAfter,
    nonRetryable: policy.nonRetryable ?? base.nonRetryable,
  };
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failed (1-based): `initial × factor^(attempt−1)`, capped at
 * `maxDelayMs`, jittered uniformly over [0, delay] ("full jitter") so that many clients do not retry in step.
 * A Retry-After from the error wins when it is longer, capped at `maxDelayMs` too.
 */
export function backoffDelay(retry: ResolvedRetry, attempt: number, error: unknown, random = Math.random): number {
  const exponential = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.backoffFactor ** (attempt - 1));
  const jittered = retry.jitter === 'full' ? random() * exponential : exponential;
  if (!retry.respectRetryAfter) return Math.round(jittered);
  const asked = retryAfterOf(error);
  return Math.round(asked === undefined ? jittered : Math.min(retry.maxDelayMs, Math.max(asked, jittered)));
}
