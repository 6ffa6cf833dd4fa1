/**
 * Rebuilds a typed error from its `toJSON()` form (a run's stored error, an event's error), so that a failure read
 * back from the store is the same class, with the same typed fields, as the one that was thrown:
 * `StepFailedError.isInstance(error)` and `error.stepId` agree.
 */
import { AbortRunError } from './abort-run-error.js';
import { ApprovalError } from './approval-error.js';
import { BatonError } from './baton-error.js';
import { BreakerOpenError } from './breaker-open-error.js';
import { BudgetExceededError } from './budget-exceeded-error.js';
import { CancelledError } from './cancelled-error.js';
import { MissingDependencyError } from './missing-dependency-error.js';
import { NotFoundError } from './not-found-error.js';
import { NonRetryableError, RetryableError } from './retryable-error.js';
import { StepFailedError } from './step-failed-error.js';
import { TimeoutError } from './timeout-error.js';
import { ValidationError } from './validation-error.js';

/** The class of each code, for errors that carry fields of their own. */
const CLASSES: Record<string, { prototype: BatonError }> = {
  'run-aborted': AbortRunError,
  'approval-rejected': ApprovalError,
  'approval-expired': ApprovalError,
  'breaker-open': BreakerOpenError,
  'budget-exceeded': BudgetExceededError,
  cancelled: CancelledError,
  'missing-dependency': MissingDependencyError,
  'not-found': NotFoundError,
  retryable: RetryableError,
  'non-retryable': NonRetryableError,
  'step-failed': StepFailedError,
  timeout: TimeoutError,
  'validation-failed': ValidationError,
};

const BASE_FIELDS = new Set(['name', 'code', 'message', 'retryable', 'stack', 'cause']);

/**
 * @param classes more classes by code, for error types defined outside this folder
 * @example
 * const error = reviveError(stored.error); // a StepFailedError with stepId, target and attempts
 */
export function reviveError(serialized: unknown, classes: Record<string, { prototype: BatonError }> = {}): BatonError {
  const record = (typeof serialized === 'object' && serialized !== null ? serialized : {}) as Record<string, unknown>;
  const code = typeof record.code === 'string' ? record.code : 'run-failed';
  const message = typeof record.message === 'string' ? record.message : 'the run failed';
  const error = new BatonError(code, message, { retryable: record.retryable === true });
  const type = Object.hasOwn(classes, code) ? classes[code] : Object.hasOwn(CLASSES, code) ? CLASSES[code] : undefined;
  if (type) Object.setPrototypeOf(error, type.prototype);
  error.name = typeof record.name === 'string' ? record.name : error.name;
  for (const [key, value] of Object.entries(record)) {
    if (BASE_FIELDS.has(key)) continue;
    Object.defineProperty(error, key, { value, enumerable: true, writable: false, configurable: true });
  }
  return error;
}
