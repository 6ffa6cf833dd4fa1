import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatonError } from '../errors/baton-error.js';
import { BreakerOpenError } from '../errors/breaker-open-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { CancelledError } from '../errors/cancelled-error.js';
import { NonRetryableError, RetryableError } from '../errors/retryable-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { Breakers } from './breakers.js';

afterEach(() => {
  vi.useRealTimers();
});
const fail =
  (error: unknown = new Error('down')) =>
  async () => {
    throw error;
  };
const ok = async () => 'ok';

async function failTimes(breakers: Breakers, target: string, n: number, error?: unknown) {
  for (let i = 0; i < n; i++) await breakers.execute(target, undefined, fail(error)).catch(() => {});
}

describe('Breakers', () => {
  it('opens after threshold consecutive failures and then fails fast without calling', async () => {
    const breakers = new Breakers({ threshold: 3, halfOpenAfterMs: 10_000 });
    await failTimes(breakers, 't', 2);
    expect(breakers.state('t')).toBe('closed');
    expect(breakers.isOpen('t')).toBe(false);
    await failTimes(breakers, 't', 1);
    expect(breakers.state('t')).toBe('open');
    expect(breakers.isOpen('t')).toBe(true);
    let called = false;
    const error = await breakers
      .execute('t', undefined, async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(BreakerOpenError.isInstance(error)).toBe(true);
    expect((error as BreakerOpenError).target).toBe('t');
  });

  it('says in its error the last failure that counted against the target, cut when long', async () => {
    const breakers = new Breakers({ threshold: 2, halfOpenAfterMs: 10_000 });
    await failTimes(breakers, 't', 1, new RetryableError('connection reset'));
    await failTimes(breakers, 't', 1, new RetryableError(`service crashed: ${'x'.repeat(5000)}`));
    const error = (await breakers.execute('t', undefined, ok).catch((e: unknown) => e)) as BreakerOpenError;
    expect(error.lastFailure).toMatch(/^service crashed: x+$/);
    expect(error.message).toContain('the last: service crashed: xxx');
    expect(error.message.length).toBeLessThan(600);
    expect(error.toJSON()).toMatchObject({ target: 't', lastFailure: error.lastFailure });
    // A refused call is not a failure of the target: the last one stays the one that opened it.
    const again = (await breakers.execute('t', undefined, ok).catch((e: unknown) => e)) as BreakerOpenError;
    expect(again.lastFailure).toBe(error.lastFailure);
  });

  it('says in its error when the open breaker lets a trial call through', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00.000Z'));
    const breakers = new Breakers({ threshold: 1, halfOpenAfterMs: 30_000 });
    await failTimes(breakers, 't', 1);
    vi.setSystemTime(new Date('2030-01-01T00:00:10.000Z'));
    const error = (await breakers.execute('t', undefined, ok).catch((e: unknown) => e)) as BreakerOpenError;
    expect(error.retryAt).toBe(Date.parse('2030-01-01T00:00:30.000Z'));
    expect(error.message).toContain('until 2030-01-01T00:00:30.000Z (in 20 s), when it lets a trial call through');
    expect(breakers.openError('t').retryAt).toBe(error.retryAt);
    expect(breakers.openError('never-called').retryAt).toBeUndefined();
  });

  it('resets the count on success: failures must be consecutive', async () => {
    const breakers = new Breakers({ threshold: 3, halfOpenAfterMs: 10_000 });
    await failTimes(breakers, 't', 2);
    await breakers.execute('t', undefined, ok);
    await failTimes(breakers, 't', 2);
    expect(breakers.state('t')).toBe('closed');
  });

  it('is no longer open once halfOpenAfterMs has passed, and closes after a successful trial', async () => {
    vi.useFakeTimers();
    const breakers = new Breakers({ threshold: 1, halfOpenAfterMs: 20 });
    await failTimes(breakers, 't', 1);
    vi.advanceTimersByTime(19);
    expect(breakers.isOpen('t')).toBe(true);
    vi.advanceTimersByTime(1);
    expect(breakers.isOpen('t')).toBe(false);
    expect(await breakers.execute('t', undefined, ok)).toBe('ok');
    expect(breakers.state('t')).toBe('closed');
  });

  it('opens again when the trial fails', async () => {
    vi.useFakeTimers();
    const breakers = new Breakers({ threshold: 1, halfOpenAfterMs: 20 });
    await failTimes(breakers, 't', 1);
    vi.advanceTimersByTime(20);
    await failTimes(breakers, 't', 1);
    expect(breakers.state('t')).toBe('open');
    vi.advanceTimersByTime(19);
    expect(breakers.isOpen('t')).toBe(true);
  });

  it('keeps one breaker per target', async () => {
    const breakers = new Breakers({ threshold: 1, halfOpenAfterMs: 10_000 });
    await failTimes(breakers, 'a', 1);
    expect(breakers.isOpen('a')).toBe(true);
    expect(breakers.isOpen('b')).toBe(false);
    expect(await breakers.execute('b', undefined, ok)).toBe('ok');
    expect(breakers.state('never-seen')).toBe('closed');
  });

  it('lets the first configuration seen for a target win over the defaults', async () => {
    const breakers = new Breakers({ threshold: 10, halfOpenAfterMs: 10_000 });
    await breakers.execute('t', { threshold: 2 }, fail()).catch(() => {});
    await breakers.execute('t', { threshold: 50 }, fail()).catch(() => {});
    expect(breakers.state('t')).toBe('open');
  });

  it('does not count validation failures, cancellations or budget refusals against the target', async () => {
    const breakers = new Breakers({ threshold: 2, halfOpenAfterMs: 10_000 });
    await failTimes(breakers, 't', 5, new ValidationError('bad input', []));
    await failTimes(breakers, 't', 5, new CancelledError());
    const refused = new BudgetExceededError({ budget: 'tokens', scope: 'run', limit: 1, amount: 2, phase: 'refused' });
    await failTimes(breakers, 't', 5, refused);
    expect(breakers.state('t')).toBe('closed');
  });

  it("does not count a target's answer that retrying cannot help, and still counts failures that may heal", async () => {
    const breakers = new Breakers({ threshold: 2, halfOpenAfterMs: 10_000 });
    await failTimes(breakers, 't', 5, new NonRetryableError('no such customer', { status: 404 }));
    await failTimes(breakers, 't', 5, Object.assign(new Error('Bad Request'), { status: 400 }));
    await failTimes(breakers, 't', 5, new BatonError('remote-task-failed', 'invalid input', { retryable: false }));
    expect(breakers.state('t')).toBe('closed');
    await failTimes(breakers, 't', 1, Object.assign(new Error('Service Unavailable'), { status: 503 }));
    await failTimes(breakers, 't', 1, new RetryableError('overloaded'));
    expect(breakers.state('t')).toBe('open');
  });

  it('passes results and errors through unchanged', async () => {
    const breakers = new Breakers();
    const boom = new Error('boom');
    expect(await breakers.execute('t', undefined, async () => 42)).toBe(42);
    await expect(breakers.execute('t', undefined, fail(boom))).rejects.toBe(boom);
  });
});
