import { describe, expect, it } from 'vitest';
import { CompensationTimeoutError } from '../run/compensation.js';
import { errorFromStored } from '../run/run-launcher.js';
import { AbortRunError } from './abort-run-error.js';
import { ApprovalError } from './approval-error.js';
import type { BatonError } from './baton-error.js';
import { BreakerOpenError } from './breaker-open-error.js';
import { BudgetExceededError } from './budget-exceeded-error.js';
import { CancelledError } from './cancelled-error.js';
import { NotFoundError } from './not-found-error.js';
import { NonRetryableError, RetryableError } from './retryable-error.js';
import { reviveError } from './revive-error.js';
import { StepFailedError } from './step-failed-error.js';
import { TimeoutError } from './timeout-error.js';
import { ValidationError } from './validation-error.js';

/** What a store keeps: the error's JSON, parsed back. */
const stored = (error: BatonError) => JSON.parse(JSON.stringify(error.toJSON()));

const cases: [string, BatonError, { isInstance(error: unknown): boolean }][] = [
  ['StepFailedError', new StepFailedError('charge', 'payments@1.0.0', 3, new Error('card declined')), StepFailedError],
  [
    'BudgetExceededError',
    new BudgetExceededError({ budget: 'tokens', scope: 'run', limit: 10, amount: 12, phase: 'exceeded' }),
    BudgetExceededError,
  ],
  ['TimeoutError', new TimeoutError('step "a"', 250), TimeoutError],
  ['CancelledError', new CancelledError('the customer left'), CancelledError],
  ['BreakerOpenError', new BreakerOpenError('search@1.0.0'), BreakerOpenError],
  [
    'ApprovalError',
    new ApprovalError({ approvalId: 'ap-1', stepId: 'ok', outcome: 'rejected', reason: 'too much' }),
    ApprovalError,
  ],
  ['AbortRunError', new AbortRunError({ refund: 30 }), AbortRunError],
  ['NotFoundError', new NotFoundError('no target "x"', { query: 'x', available: ['y'] }), NotFoundError],
  ['RetryableError', new RetryableError('busy', { status: 503, retryAfter: 2 }), RetryableError],
  ['NonRetryableError', new NonRetryableError('bad request', { status: 400 }), NonRetryableError],
  [
    'ValidationError',
    new ValidationError('bad', [{ path: 'a', code: 'type', message: 'a must be x' }]),
    ValidationError,
  ],
];

describe('reviveError', () => {
  it.each(cases)('rebuilds a %s with its class and every typed field', (_name, original, type) => {
    const revived = reviveError(stored(original));
    expect(type.isInstance(revived)).toBe(true);
    expect(Object.getPrototypeOf(revived)).toBe(Object.getPrototypeOf(original));
    expect(revived.toJSON()).toEqual(stored(original));
    expect(revived.message).toBe(original.message);
    expect(revived.name).toBe(original.name);
    expect(revived.retryable).toBe(original.retryable);
  });

  it('gives a run read back from the store its StepFailedError fields', () => {
    const error = errorFromStored(stored(new StepFailedError('charge', 'payments@1.0.0', 3, 'declined')));
    expect(error).toBeInstanceOf(StepFailedError);
    const failed = error as StepFailedError;
    expect([failed.stepId, failed.target, failed.attempts]).toEqual(['charge', 'payments@1.0.0', 3]);
    const timeout = errorFromStored(stored(new CompensationTimeoutError('a', 'undo@1.0.0', 500)));
    expect(CompensationTimeoutError.isInstance(timeout) && timeout.ttlMs).toBe(500);
  });

  it('keeps an unknown code as a BatonError with its fields, and a non-object as a generic failure', () => {
    const revived = reviveError({ code: 'storage-corrupt', message: 'bad page', path: '/x.db' });
    expect(revived.code).toBe('storage-corrupt');
    expect((revived as unknown as { path: string }).path).toBe('/x.db');
    expect(reviveError(null)).toMatchObject({ code: 'run-failed', message: 'the run failed' });
  });

  it('takes __proto__ in a stored error as data, never as the prototype', () => {
    const revived = reviveError(JSON.parse('{"code":"step-failed","message":"m","__proto__":{"polluted":true}}'));
    expect((revived as unknown as { polluted?: boolean }).polluted).toBeUndefined();
    expect(StepFailedError.isInstance(revived)).toBe(true);
  });
});
