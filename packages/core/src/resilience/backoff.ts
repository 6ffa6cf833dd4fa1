/**
 * Exponential backoff with full jitter, overridden by a longer Retry-After the failing call asked for. The server's
 * wait has its own, wider cap (`maxRetryAfterMs`): a `Retry-After: 120` means two minutes, not `maxDelayMs`.
 */
import { requireArgument } from '../errors/require-argument.js';
import type { RetryPolicy } from '../plan/plan.js';
import { retryAfterOf } from './retry-after.js';

export interface ResolvedRetry {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  backoffFactor: number;
  jitter: 'full' | 'none';
  respectRetryAfter: boolean;
  maxRetryAfterMs: number;
  nonRetryable: readonly string[];
}

export const DEFAULT_RETRY: ResolvedRetry = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  backoffFactor: 2,
  jitter: 'full',
  respectRetryAfter: true,
  maxRetryAfterMs: 300_000,
  nonRetryable: [],
});

export function resolveRetry(
  policy: RetryPolicy | false | undefined,
  base: ResolvedRetry = DEFAULT_RETRY,
): ResolvedRetry {
  const given = policy === false || policy === undefined || (typeof policy === 'object' && policy !== null);
  requireArgument('resolveRetry', 'policy', given, 'a retry policy object, false or undefined', policy);
  requireArgument('resolveRetry', 'base', typeof base === 'object' && base !== null, 'a resolved retry policy', base);
  if (policy === false) return { ...base, maxAttempts: 1 };
  if (policy === undefined) return base;
  return {
    maxAttempts: policy.maxAttempts ?? base.maxAttempts,
    initialDelayMs: policy.initialDelayMs ?? base.initialDelayMs,
    maxDelayMs: policy.maxDelayMs ?? base.maxDelayMs,
    backoffFactor: policy.backoffFactor ?? base.backoffFactor,
    jitter: policy.jitter ?? base.jitter,
    respectRetryAfter: policy.respectRetryAfter ?? base.respectRetryAfter,
    maxRetryAfterMs: policy.maxRetryAfterMs ?? base.maxRetryAfterMs,
    nonRetryable: policy.nonRetryable ?? base.nonRetryable,
  };
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failed (1-based): `initial × factor^(attempt−1)`, capped at
 * `maxDelayMs`, jittered uniformly over [0, delay] ("full jitter") so that many clients do not retry in step.
 * A Retry-After from the error wins when it is longer, capped at `maxRetryAfterMs` (not `maxDelayMs`, which bounds
 * only our own backoff). Whether the wait still fits the run's deadline is the caller's check.
 */
export function backoffDelay(retry: ResolvedRetry, attempt: number, error: unknown, random = Math.random): number {
  const resolved = typeof retry === 'object' && retry !== null;
  requireArgument('backoffDelay', 'retry', resolved, 'a policy from resolveRetry()', retry);
  requireArgument('backoffDelay', 'attempt', Number.isInteger(attempt) && attempt >= 1, 'an integer ≥ 1', attempt);
  requireArgument('backoffDelay', 'random', typeof random === 'function', 'a function () => [0, 1)', random);
  const exponential = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.backoffFactor ** (attempt - 1));
  const jittered = retry.jitter === 'full' ? random() * exponential : exponential;
  if (!retry.respectRetryAfter) return Math.round(jittered);
  const asked = retryAfterOf(error);
  if (asked === undefined || asked <= jittered) return Math.round(jittered);
  return Math.round(Math.min(retry.maxRetryAfterMs, asked));
}
