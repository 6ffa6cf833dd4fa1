/**
 * The policies a call of a target runs under — retries, its breaker, budgets — whether a plan step makes it or a
 * handler does (`HandlerContext.call`). Plans re-export them (`plan/plan.ts`).
 */

export interface RetryPolicy {
  /** Attempts in all, including the first. @default 3 */
  maxAttempts?: number;
  /** @default 100 */
  initialDelayMs?: number;
  /** @default 30000 */
  maxDelayMs?: number;
  /** @default 2 */
  backoffFactor?: number;
  /** `full` draws each delay uniformly from [0, computed delay]; `none` uses it as is. @default 'full' */
  jitter?: 'full' | 'none';
  /**
   * Wait as long as an error's `retryAfter` (or `Retry-After` header: seconds or HTTP date) asks, up to
   * `maxRetryAfterMs`. A wait that would outlast the run's deadline or the step's time budget fails the step at once
   * with that deadline's error instead of sleeping past it. @default true
   */
  respectRetryAfter?: boolean;
  /** The longest Retry-After honoured; a longer one is shortened to this. Independent of `maxDelayMs`. @default 300000 */
  maxRetryAfterMs?: number;
  /** Error codes or names never retried, in addition to errors marked non-retryable. */
  nonRetryable?: readonly string[];
}

export interface BreakerPolicy {
  /** Consecutive failures that open the breaker. @default 5 */
  threshold?: number;
  /** How long it stays open before letting one trial call through. @default 30000 */
  halfOpenAfterMs?: number;
}

export interface Budget {
  tokens?: number;
  costUsd?: number;
  timeMs?: number;
  /** Share of a budget at which a `budget-warning` event fires. @default 0.8 */
  warnAt?: number;
}
