export { BatonError, type BatonErrorOptions, hasErrorCode } from './baton-error.js';
export { BreakerOpenError } from './breaker-open-error.js';
export { type BudgetExceededDetails, BudgetExceededError, type BudgetName } from './budget-exceeded-error.js';
export { CancelledError } from './cancelled-error.js';
export { type NotFoundDetails, NotFoundError } from './not-found-error.js';
export { NonRetryableError, RetryableError, type RetryableErrorOptions } from './retryable-error.js';
export { StepFailedError } from './step-failed-error.js';
export { TimeoutError } from './timeout-error.js';
export { type Problem, ValidationError } from './validation-error.js';
