import { describe, expect, it } from 'vitest';
import { BreakerOpenError } from '../errors/breaker-open-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { CancelledError } from '../errors/cancelled-error.js';
import { NonRetryableError, RetryableError } from '../errors/retryable-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { isRetryable } from './is-retryable.js';

const withStatus = (status: number, key: 'status' | 'statusCode' = 'status') =>
  Object.assign(new Error(`HTTP ${status}`), { [key]: status });

describe('isRetryable', () => {
  it('follows what Baton errors say about themselves', () => {
    expect(isRetryable(new RetryableError('again'))).toBe(true);
    expect(isRetryable(new TimeoutError('step', 10))).toBe(true);
    expect(isRetryable(new NonRetryableError('never'))).toBe(false);
    expect(isRetryable(new ValidationError('bad', []))).toBe(false);
    expect(isRetryable(new CancelledError())).toBe(false);
    expect(isRetryable(new BreakerOpenError('t@1.0.0'))).toBe(false);
    expect(isRetryable(new TimeoutError('run', 10))).toBe(false);
    expect(
      isRetryable(new BudgetExceededError({ budget: 'tokens', scope: 'run', limit: 1, amount: 2, phase: 'exceeded' })),
    ).toBe(false);
  });

  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(isRetryable(withStatus(status))).toBe(true);
    expect(isRetryable(withStatus(status, 'statusCode'))).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 422])('does not retry HTTP %i', (status) => {
    expect(isRetryable(withStatus(status))).toBe(false);
    expect(isRetryable(withStatus(status, 'statusCode'))).toBe(false);
  });

  it('reads the status of an HTTP response an error carries', () => {
    expect(isRetryable(Object.assign(new Error('x'), { response: { status: 400 } }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { response: { status: 503 } }))).toBe(true);
  });

  it('honours isRetryable and retryable flags set by client libraries', () => {
    expect(isRetryable(Object.assign(new Error('x'), { isRetryable: false, status: 503 }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { retryable: true, status: 400 }))).toBe(true);
  });

  it('retries anything else, including non-errors', () => {
    expect(isRetryable(new Error('network'))).toBe(true);
    expect(isRetryable('string failure')).toBe(true);
    expect(isRetryable(undefined)).toBe(true);
  });

  it('refuses codes and names listed as non-retryable, even on retryable errors', () => {
    const quota = Object.assign(new Error('quota'), { code: 'QUOTA_EXCEEDED', status: 429 });
    expect(isRetryable(quota, ['QUOTA_EXCEEDED'])).toBe(false);
    expect(isRetryable(new TypeError('bug'), ['TypeError'])).toBe(false);
    expect(isRetryable(new RetryableError('again'), ['retryable'])).toBe(false);
    expect(isRetryable(new RetryableError('again'), ['other'])).toBe(true);
  });
});
