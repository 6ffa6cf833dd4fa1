export { abortError, onTimeout, raceAbort, sleep } from './abort.js';
export { backoffDelay, DEFAULT_RETRY, type ResolvedRetry, resolveRetry } from './backoff.js';
export { type BreakerState, Breakers, DEFAULT_BREAKER } from './breakers.js';
export { isRetryable } from './is-retryable.js';
export { parseRetryAfter, retryAfterOf } from './retry-after.js';
