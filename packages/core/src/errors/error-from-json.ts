/**
 * Turns an error's JSON (`toJSON()`, as events, results and the run store keep it) back into the class it came from,
 * with its typed fields, message and `retryable` as they were — so `StepFailedError.isInstance(error)` and
 * `error.stepId` hold for an error read back from a store as for the one thrown. A code this module does not know
 * becomes a `BatonError` with that code, name and every extra field kept.
 */
import { AbortRunError } from './abort-run-error.js';
import { ApprovalError } from './approval-error.js';
import { BatonError } from './baton-error.js';
import { BreakerOpenError } from './breaker-open-error.js';
import { BudgetExceededError } from './budget-exceeded-error.js';
import { CancelledError } from './cancelled-error.js';
import { NotFoundError } from './not-found-error.js';
import { NonRetryableError, RetryableError } from './retryable-error.js';
import { StepFailedError } from './step-failed-error.js';
import { TimeoutError } from './timeout-error.js';
import { type Problem, ValidationError } from './validation-error.js';

type Fields = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** How each code's class is built again from its fields; the message and `retryable` are restored afterwards. */
const REBUILDERS: Record<string, (fields: Fields, message: string) => BatonError> = {
  'run-aborted': (f, message) => new AbortRunError(f.payload, message),
  'approval-rejected': approval,
  'approval-expired': approval,
  'breaker-open': (f) => {
    const retryAt = count(f.retryAt);
    const lastFailure = text(f.lastFailure);
    return new BreakerOpenError(text(f.target) ?? '', {
      ...(retryAt === undefined ? {} : { retryAt }),
      ...(lastFailure === undefined ? {} : { lastFailure }),
    });
  },
  'budget-exceeded': (f) =>
    new BudgetExceededError({
      budget: (text(f.budget) ?? 'tokens') as BudgetExceededError['budget'],
      scope: text(f.scope) ?? 'run',
      limit: count(f.limit) ?? 0,
      amount: count(f.amount) ?? 0,
      phase: f.phase === 'refused' ? 'refused' : 'exceeded',
      stepId: text(f.stepId),
    }),
  cancelled: (f) => new CancelledError(f.reason),
  'not-found': (f, message) =>
    new NotFoundError(message, {
      query: text(f.query) ?? '',
      unavailable: list(f.unavailable),
      available: list(f.available),
    }),
  retryable: (f, message) =>
    new RetryableError(message, {
      retryAfter: typeof f.retryAfter === 'number' || typeof f.retryAfter === 'string' ? f.retryAfter : undefined,
      status: count(f.status),
    }),
  'non-retryable': (f, message) => new NonRetryableError(message, { status: count(f.status) }),
  'step-failed': (f) => new StepFailedError(text(f.stepId) ?? '', text(f.target), count(f.attempts) ?? 0, f.cause),
  timeout: (f) => new TimeoutError(text(f.scope) ?? 'run', count(f.timeoutMs) ?? 0),
  'validation-failed': (f, message) => new ValidationError(message, list<Problem>(f.problems)),
};

function approval(f: Fields): BatonError {
  return new ApprovalError({
    approvalId: text(f.approvalId) ?? '',
    stepId: text(f.stepId) ?? '',
    outcome: f.outcome === 'expired' ? 'expired' : 'rejected',
    reason: text(f.reason),
  });
}

/**
 * @example
 * const run = await store.getRun(runId);
 * const error = errorFromJSON(run.error);
 * if (StepFailedError.isInstance(error)) console.log(error.stepId, error.attempts);
 */
export function errorFromJSON(json: unknown): BatonError {
  const fields: Fields = typeof json === 'object' && json !== null ? { ...(json as Fields) } : {};
  const code = text(fields.code) ?? 'run-failed';
  const message = text(fields.message) ?? (typeof json === 'string' ? json : 'the run failed');
  const rebuild = REBUILDERS[code];
  const error = rebuild ? rebuild(fields, message) : new BatonError(code, message);
  const writable = error as unknown as Fields;
  // Exactly as stored: messages built by constructors may have changed since, and retryable depends on context.
  writable.message = message;
  if (typeof fields.retryable === 'boolean') writable.retryable = fields.retryable;
  if (rebuild === undefined) {
    if (text(fields.name) !== undefined) error.name = fields.name as string;
    for (const [key, value] of Object.entries(fields)) {
      if (!(key in error)) writable[key] = value;
    }
    writable.toJSON = () => ({ ...fields, name: error.name, code, message, retryable: error.retryable });
  }
  return error;
}
