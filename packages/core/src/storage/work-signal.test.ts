/** WorkSignal on a fake clock: each wait must end for the stated reason, at the stated moment, and leave no timer. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkSignal } from './work-signal.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A wait whose end can be observed without waiting for it. */
function observe(wait: Promise<void>) {
  const state = { ended: false };
  void wait.then(() => {
    state.ended = true;
  });
  return state;
}

/** Lets resolved promises run their callbacks, without moving the clock. */
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('WorkSignal', () => {
  it('wakes every waiter at once and clears their timers', async () => {
    const signal = new WorkSignal();
    const waits = [observe(signal.wait(10_000)), observe(signal.wait(10_000))];
    expect(signal.waiting).toBe(2);
    await flush();
    expect(waits.map((w) => w.ended)).toEqual([false, false]);
    signal.wake();
    await flush();
    expect(waits.map((w) => w.ended)).toEqual([true, true]);
    expect(signal.waiting).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends a wait nobody wakes at its timeout, not before', async () => {
    const signal = new WorkSignal();
    const wait = observe(signal.wait(30));
    await vi.advanceTimersByTimeAsync(29);
    expect(wait.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(wait.ended).toBe(true);
    expect(signal.waiting).toBe(0);
  });

  it('keeps a wake-up nobody waited for, once', async () => {
    const signal = new WorkSignal();
    signal.wake();
    signal.wake();
    const first = observe(signal.wait(10_000));
    await flush();
    expect(first.ended).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    const second = observe(signal.wait(30));
    await vi.advanceTimersByTimeAsync(29);
    expect(second.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second.ended).toBe(true);
  });

  it('returns on abort, and at once for an aborted signal', async () => {
    const signal = new WorkSignal();
    const controller = new AbortController();
    const waiting = observe(signal.wait(10_000, controller.signal));
    await flush();
    expect(waiting.ended).toBe(false);
    controller.abort();
    await flush();
    expect(waiting.ended).toBe(true);
    expect(signal.waiting).toBe(0);
    const again = observe(signal.wait(10_000, controller.signal));
    await flush();
    expect(again.ended).toBe(true);
    expect(signal.waiting).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('releases everyone on releaseAll', async () => {
    const signal = new WorkSignal();
    const waits = [observe(signal.wait(10_000)), observe(signal.wait(10_000))];
    signal.releaseAll();
    await flush();
    expect(waits.map((w) => w.ended)).toEqual([true, true]);
    expect(signal.waiting).toBe(0);
  });
});
