import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ECHO_MS, untilStopped, untilStoppedAgain } from './until-stopped.js';

/** Whether `promise` has settled by the time the microtasks queued now have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('untilStopped', () => {
  it('resolves with the first SIGINT or SIGTERM', async () => {
    const signals = new EventEmitter();
    const stopped = untilStopped(signals);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await stopped).toBe('SIGTERM');
  });
});

describe('untilStoppedAgain', () => {
  it('takes the same Ctrl-C arriving twice (npm forwards it) as one, and a later one as a request to stop at once', async () => {
    const signals = new EventEmitter();
    let now = 10_000;
    const again = untilStoppedAgain(now, { signals, now: () => now });
    now += ECHO_MS - 1;
    signals.emit('SIGINT', 'SIGINT');
    expect(await settled(again.signal)).toBe(false);
    now += 1;
    signals.emit('SIGINT', 'SIGINT');
    expect(await again.signal).toBe('SIGINT');
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('stops listening when cancelled', () => {
    const signals = new EventEmitter();
    untilStoppedAgain(0, { signals }).cancel();
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });
});
