/**
 * When and how long the client waits before trying a request again: a plain options object, compiled once into a
 * policy with jittered exponential backoff that honours a server's `Retry-After`.
 */
import { InvalidClientOptionError } from './client-error.js';

export interface RetryOptions {
  /** How many times to try again after the first attempt. @default 3 */
  retries?: number;
  /** The backoff's first delay; each later one doubles, with jitter. @default 250 */
  minDelayMs?: number;
  /** The longest backoff delay. @default 5000 */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown instead. @default 60000 */
  maxRetryAfterMs?: number;
  /** Called before each wait, e.g. to log; `delayMs` is the wait about to start. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface RetryPolicy {
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
}

/** Validates the options; `false` gives a policy that never retries. */
export function compileRetryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) {
    return { retries: 0, minDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0, onRetry: undefined };
  }
  const policy = {
    retries: options?.retries ?? 3,
    minDelayMs: options?.minDelayMs ?? 250,
    maxDelayMs: options?.maxDelayMs ?? 5000,
    maxRetryAfterMs: options?.maxRetryAfterMs ?? 60_000,
    onRetry: options?.onRetry,
  };
  for (const name of ['retries', 'minDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    const value = policy[name];
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidClientOptionError(`retry.${name}`, `retry.${name} must be a whole number ≥ 0, got ${value}`);
    }
  }
  if (policy.maxDelayMs < policy.minDelayMs) {
    throw new InvalidClientOptionError(
      'retry.maxDelayMs',
      `retry.maxDelayMs (${policy.maxDelayMs}) must be at least retry.minDelayMs (${policy.minDelayMs})`,
    );
  }
  return policy;
}

/**
 * The wait before retry number `attempt` (1-based): the server's `Retry-After` when it sent one, otherwise half the
 * exponential step plus a random part of the other half, so that clients that failed together spread out.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const step = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
