import { describe, expect, it, vi } from 'vitest';
import { CancelledError } from '../errors/cancelled-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { abortError, onTimeout, raceAbort, sleep } from './abort.js';

describe('abort helpers', () => {
  it('abortError keeps an Error reason and wraps anything else in a CancelledError', () => {
    const timeout = new TimeoutError('s', 5);
    expect(abortError(AbortSignal.abort(timeout))).toBe(timeout);
    const wrapped = abortError(AbortSignal.abort('stop'));
    expect(CancelledError.isInstance(wrapped)).toBe(true);
    expect((wrapped as CancelledError).reason).toBe('stop');
  });

  it('sleep resolves after the delay and rejects as soon as the signal aborts', async () => {
    const controller = new AbortController();
    await sleep(1, controller.signal);
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new CancelledError('now'));
    await expect(waiting).rejects.toSatisfy(CancelledError.isInstance);
    await expect(sleep(1, controller.signal)).rejects.toSatisfy(CancelledError.isInstance);
  });

  it('raceAbort settles with the work, or rejects when the signal aborts first', async () => {
    const controller = new AbortController();
    expect(await raceAbort(Promise.resolve(1), controller.signal)).toBe(1);
    expect(await raceAbort(2, controller.signal)).toBe(2);
    await expect(raceAbort(Promise.reject(new Error('x')), controller.signal)).rejects.toThrow('x');
    const never = new Promise(() => {});
    const racing = raceAbort(never, controller.signal);
    controller.abort(new CancelledError());
    await expect(racing).rejects.toSatisfy(CancelledError.isInstance);
    await expect(raceAbort(Promise.reject(new Error('late')), controller.signal)).rejects.toSatisfy(
      CancelledError.isInstance,
    );
  });

  it('onTimeout fires after the delay unless cancelled, and never for delays timers cannot hold', () => {
    vi.useFakeTimers();
    let fired = 0;
    onTimeout(1, () => fired++);
    const cancel = onTimeout(1, () => fired++);
    cancel();
    onTimeout(2 ** 31, () => fired++);
    onTimeout(Number.POSITIVE_INFINITY, () => fired++);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(2 ** 32);
    expect(fired).toBe(1);
    vi.useRealTimers();
  });
});
