import { describe, expect, it } from 'vitest';
import {
  BatonError,
  BreakerOpenError,
  BudgetExceededError,
  CancelledError,
  hasErrorCode,
  NonRetryableError,
  NotFoundError,
  RetryableError,
  StepFailedError,
  TimeoutError,
  ValidationError,
} from './index.js';

/** What another copy of @baton/core would throw: same marker, different class. */
function foreignError(code: string, extra: Record<string, unknown> = {}): object {
  return { [Symbol.for('baton.error')]: true, code, message: 'from another copy', ...extra };
}

describe('BatonError', () => {
  it('carries code, message, cause and retryable', () => {
    const cause = new Error('root');
    const error = new BatonError('custom', 'went wrong', { cause, retryable: true });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('custom');
    expect(error.message).toBe('went wrong');
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(new BatonError('x', 'y').retryable).toBe(false);
    expect('cause' in new BatonError('x', 'y')).toBe(false);
  });

  it('isInstance recognises the marker, not the class', () => {
    expect(BatonError.isInstance(new ValidationError('bad', []))).toBe(true);
    expect(BatonError.isInstance(foreignError('anything'))).toBe(true);
    expect(BatonError.isInstance(new Error('plain'))).toBe(false);
    expect(BatonError.isInstance({ code: 'not-found' })).toBe(false);
    expect(BatonError.isInstance({ [Symbol('baton.error')]: true })).toBe(false);
    expect(BatonError.isInstance(null)).toBe(false);
    expect(BatonError.isInstance('validation-failed')).toBe(false);
  });

  it('hasErrorCode checks marker and code', () => {
    expect(hasErrorCode(new TimeoutError('a', 5), 'timeout')).toBe(true);
    expect(hasErrorCode(new TimeoutError('a', 5), 'cancelled')).toBe(false);
    expect(hasErrorCode(foreignError('timeout'), 'timeout')).toBe(true);
    expect(hasErrorCode({ code: 'timeout' }, 'timeout')).toBe(false);
  });

  it('toJSON is a plain object with name, code, message and retryable', () => {
    const json = new BatonError('custom', 'went wrong').toJSON();
    expect(json).toEqual({ name: 'BatonError', code: 'custom', message: 'went wrong', retryable: false });
    expect(JSON.parse(JSON.stringify(new BatonError('c', 'm')))).toEqual({ ...json, code: 'c', message: 'm' });
  });
});

describe('subclasses', () => {
  const cases = [
    { make: () => new ValidationError('bad', []), type: ValidationError, code: 'validation-failed' },
    { make: () => new NotFoundError('none', { query: 'x' }), type: NotFoundError, code: 'not-found' },
    { make: () => new TimeoutError('step-a', 100), type: TimeoutError, code: 'timeout' },
    { make: () => new CancelledError(), type: CancelledError, code: 'cancelled' },
    { make: () => new BreakerOpenError('svc'), type: BreakerOpenError, code: 'breaker-open' },
    { make: () => new RetryableError('again'), type: RetryableError, code: 'retryable' },
    { make: () => new NonRetryableError('never'), type: NonRetryableError, code: 'non-retryable' },
    { make: () => new StepFailedError('a', 't', 1, new Error('x')), type: StepFailedError, code: 'step-failed' },
    {
      make: () => new BudgetExceededError({ budget: 'tokens', scope: 'run', limit: 1, amount: 2, phase: 'exceeded' }),
      type: BudgetExceededError,
      code: 'budget-exceeded',
    },
  ] as const;

  for (const { make, type, code } of cases) {
    it(`${type.name} has code ${code} and its isInstance matches only that code`, () => {
      const error = make();
      expect(error.code).toBe(code);
      expect(error.name).toBe(type.name);
      expect(type.isInstance(error)).toBe(true);
      expect(type.isInstance(foreignError(code))).toBe(true);
      expect(BatonError.isInstance(error)).toBe(true);
      for (const other of cases) if (other.code !== code) expect(other.type.isInstance(error)).toBe(false);
    });
  }
});

describe('typed fields', () => {
  it('ValidationError lists every problem in its message and JSON', () => {
    const problems = [
      { path: 'name', code: 'pattern', message: 'name is bad' },
      { path: '', code: 'type', message: 'root is bad' },
    ];
    const error = new ValidationError('invalid registration', problems);
    expect(error.problems).toEqual(problems);
    expect(error.message).toBe('invalid registration: name: name is bad; (root): root is bad');
    expect(new ValidationError('nothing more', []).message).toBe('nothing more');
    expect(error.toJSON()).toMatchObject({ code: 'validation-failed', problems });
  });

  it('NotFoundError keeps query, unavailable and available', () => {
    const error = new NotFoundError('no usable target', {
      query: 'capability "search"',
      unavailable: [{ name: 'a', version: '1.0.0', reason: 'down' }],
      available: ['a', 'b'],
    });
    expect(error.query).toBe('capability "search"');
    expect(error.unavailable).toEqual([{ name: 'a', version: '1.0.0', reason: 'down' }]);
    expect(error.available).toEqual(['a', 'b']);
    expect(error.toJSON()).toMatchObject({
      query: 'capability "search"',
      available: ['a', 'b'],
      unavailable: [{ name: 'a' }],
    });
    expect(new NotFoundError('x', { query: 'q' }).unavailable).toEqual([]);
  });

  it('TimeoutError is retryable for a step, not for the run', () => {
    const step = new TimeoutError('fetch', 250);
    expect(step).toMatchObject({ scope: 'fetch', timeoutMs: 250, retryable: true });
    expect(step.message).toBe('step "fetch" timed out after 250 ms');
    const run = new TimeoutError('run', 1000);
    expect(run.retryable).toBe(false);
    expect(run.message).toBe('the run timed out after 1000 ms');
    expect(new TimeoutError('fetch', 1, { retryable: false }).retryable).toBe(false);
    expect(step.toJSON()).toMatchObject({ code: 'timeout', scope: 'fetch', timeoutMs: 250, retryable: true });
  });

  it('CancelledError keeps the reason and says it', () => {
    expect(new CancelledError().message).toBe('cancelled');
    expect(new CancelledError('user left').message).toBe('cancelled: user left');
    const reason = new Error('shutdown');
    const error = new CancelledError(reason);
    expect(error.reason).toBe(reason);
    expect(error.message).toBe('cancelled: shutdown');
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'cancelled', reason: 'shutdown' });
  });

  it('BreakerOpenError names the target and is not retryable', () => {
    const error = new BreakerOpenError('payments');
    expect(error.target).toBe('payments');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('"payments"');
    expect(error.toJSON()).toMatchObject({ code: 'breaker-open', target: 'payments' });
  });

  it('RetryableError and NonRetryableError carry retryAfter and status', () => {
    const retry = new RetryableError('busy', { retryAfter: '120', status: 503 });
    expect(retry).toMatchObject({ retryable: true, retryAfter: '120', status: 503 });
    const never = new NonRetryableError('forbidden', { status: 403 });
    expect(never).toMatchObject({ retryable: false, status: 403 });
    expect(retry.toJSON()).toMatchObject({ retryAfter: '120', status: 503 });
    expect(never.toJSON()).toMatchObject({ code: 'non-retryable', status: 403 });
  });

  it('StepFailedError names step, target and attempts', () => {
    const cause = new Error('boom');
    const error = new StepFailedError('charge', 'payments@^2', 3, cause);
    expect(error).toMatchObject({ stepId: 'charge', target: 'payments@^2', attempts: 3, cause });
    expect(error.message).toBe('step "charge" (payments@^2) failed after 3 attempts: boom');
    expect(new StepFailedError('a', undefined, 1, 'x').message).toBe('step "a" failed after 1 attempt: x');
    expect(error.toJSON()).toMatchObject({ stepId: 'charge', target: 'payments@^2', attempts: 3 });
  });

  it('BudgetExceededError says which budget, the limit and the amount', () => {
    const exceeded = new BudgetExceededError({
      budget: 'costUsd',
      scope: 'run',
      limit: 0.5,
      amount: 0.5000004,
      phase: 'exceeded',
    });
    expect(exceeded.message).toBe('the run used up its costUsd budget: 0.5 used, limit 0.5');
    const refused = new BudgetExceededError({
      budget: 'tokens',
      scope: 'draft',
      limit: 100,
      amount: 150,
      phase: 'refused',
      stepId: 'draft',
    });
    expect(refused.message).toBe(
      'refused to start step "draft": its estimate would bring the tokens budget of the step "draft" to 150 (limit 100)',
    );
    expect(refused.toJSON()).toMatchObject({
      budget: 'tokens',
      scope: 'draft',
      limit: 100,
      amount: 150,
      phase: 'refused',
    });
  });
});
