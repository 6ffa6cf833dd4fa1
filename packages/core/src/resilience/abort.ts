/** Small helpers to make waiting and calling respect an AbortSignal. */

import { CancelledError } from '../errors/cancelled-error.js';
import { requireArgument } from '../errors/require-argument.js';
import { MAX_TIMER_MS } from '../plan/max-timer.js';

/** The error a signal was aborted with, as a Baton error where the reason is not one already. */
export function abortError(signal: AbortSignal): unknown {
  requireSignal('abortError', signal);
  const reason = signal.reason;
  return reason instanceof Error ? reason : new CancelledError(reason);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  requireArgument('sleep', 'ms', typeof ms === 'number' && !Number.isNaN(ms), 'a number of milliseconds', ms);
  requireSignal('sleep', signal);
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(abortError(signal));
    };
    const cancel = onTimeout(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles with `work`, or rejects when `signal` aborts first, so a handler that ignores its signal cannot hold a
 * cancelled run open.
 */
export function raceAbort<T>(work: T | Promise<T>, signal: AbortSignal): Promise<T> {
  requireSignal('raceAbort', signal);
  if (!(work instanceof Promise)) return Promise.resolve(work);
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Calls `fire` after `ms` and returns a function that cancels it. A delay past what timers can hold (about 24.8 days)
 * never fires rather than firing at once, as a bare `setTimeout` would.
 */
export function onTimeout(ms: number, fire: () => void): () => void {
  requireArgument('onTimeout', 'ms', typeof ms === 'number' && !Number.isNaN(ms), 'a number of milliseconds', ms);
  requireArgument('onTimeout', 'fire', typeof fire === 'function', 'a function', fire);
  if (!(ms <= MAX_TIMER_MS)) return () => {};
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
}

/** Sleeps until the clock reaches `at` (ms since epoch), in hops short enough for setTimeout; rejects on abort. */
export async function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  requireArgument('sleepUntil', 'at', typeof at === 'number' && !Number.isNaN(at), 'ms since the epoch', at);
  requireSignal('sleepUntil', signal);
  for (let left = at - Date.now(); left > 0; left = at - Date.now()) {
    await sleep(Math.min(left, MAX_TIMER_MS), signal);
  }
  if (signal.aborted) throw abortError(signal);
}

function requireSignal(fn: string, signal: unknown): void {
  requireArgument(fn, 'signal', signal instanceof AbortSignal, 'an AbortSignal', signal);
}
