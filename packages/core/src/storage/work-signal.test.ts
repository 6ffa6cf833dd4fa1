import { describe, expect, it } from 'vitest';
import { WorkSignal } from './work-signal.js';

describe('WorkSignal', () => {
  it('wakes every waiter', async () => {
    const signal = new WorkSignal();
    const waits = [signal.wait(10_000), signal.wait(10_000)];
    expect(signal.waiting).toBe(2);
    signal.wake();
    await Promise.all(waits);
    expect(signal.waiting).toBe(0);
  });

  it('keeps a wake-up nobody waited for, once', async () => {
    const signal = new WorkSignal();
    signal.wake();
    signal.wake();
    await signal.wait(10_000);
    const started = performance.now();
    await signal.wait(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('returns on abort, and at once for an aborted signal', async () => {
    const signal = new WorkSignal();
    const controller = new AbortController();
    const waiting = signal.wait(10_000, controller.signal);
    controller.abort();
    await waiting;
    await signal.wait(10_000, controller.signal);
    expect(signal.waiting).toBe(0);
  });

  it('releases everyone on releaseAll', async () => {
    const signal = new WorkSignal();
    const waiting = signal.wait(10_000);
    signal.releaseAll();
    await waiting;
  });
});
