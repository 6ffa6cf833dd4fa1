import { describe, expect, it } from 'vitest';
import type { NewJournalEntry, RunStore } from '../storage/run-store.js';
import { JournalWriter } from './journal-writer.js';

/** A store whose appends wait for the test to finish them, one at a time, in order. */
function slowStore() {
  const appends: { entries: NewJournalEntry[]; finish: (error?: Error) => void }[] = [];
  const store = {
    appendJournal: (_runId: string, _owner: string, entries: NewJournalEntry[]) =>
      new Promise((resolve, reject) => {
        appends.push({ entries, finish: (error) => (error ? reject(error) : resolve([])) });
      }),
  } as unknown as RunStore;
  const flushed = () => new Promise((resolve) => setImmediate(resolve));
  return { store, appends, flushed };
}

const entry = (stepKey: string): NewJournalEntry => ({ type: 'step-finish', stepKey });

describe('JournalWriter', () => {
  it('puts what arrives while a write is in flight into the next write, in order', async () => {
    const { store, appends, flushed } = slowStore();
    const writer = new JournalWriter(store, 'run', 'me');
    const first = writer.write(entry('a'), { early: true });
    await flushed();
    const rest = [writer.write(entry('b'), { early: true }), writer.write(entry('c'))];
    await flushed();
    expect(appends.map((append) => append.entries.map((e) => e.stepKey))).toEqual([['a']]);
    appends[0]?.finish();
    await first;
    await flushed();
    expect(appends.map((append) => append.entries.map((e) => e.stepKey))).toEqual([['a'], ['b', 'c']]);
    appends[1]?.finish();
    await Promise.all(rest);
  });

  it('holds callbacks and settled() until the entries written before them are stored', async () => {
    const { store, appends, flushed } = slowStore();
    const writer = new JournalWriter(store, 'run', 'me');
    const seen: string[] = [];
    writer.afterDurable(() => seen.push('idle'));
    expect(writer.settled()).toBeUndefined();
    void writer.write(entry('a'), { early: true });
    writer.afterDurable(() => seen.push('after a'));
    const settled = writer.settled();
    let settledYet = false;
    void settled?.then(() => {
      settledYet = true;
    });
    await flushed();
    expect(seen).toEqual(['idle']);
    expect(settledYet).toBe(false);
    appends[0]?.finish();
    await settled;
    expect(seen).toEqual(['idle', 'after a']);
    expect(writer.settled()).toBeUndefined();
  });

  it('refuses everything after a write holding an early entry fails, and drops what it held', async () => {
    const { store, appends, flushed } = slowStore();
    const writer = new JournalWriter(store, 'run', 'me');
    const early = writer.write(entry('a'), { early: true });
    await flushed();
    const queued = writer.write(entry('b'));
    const seen: string[] = [];
    writer.afterDurable(() => seen.push('after b'));
    const settled = writer.settled();
    appends[0]?.finish(new Error('disk full'));
    await expect(early).rejects.toThrow('disk full');
    await expect(queued).rejects.toThrow('disk full');
    await expect(settled).rejects.toThrow('disk full');
    await expect(writer.write(entry('c'))).rejects.toThrow('disk full');
    await expect(writer.settled()).rejects.toThrow('disk full');
    await writer.drain();
    expect(seen).toEqual([]);
    expect(appends).toHaveLength(1);
  });

  it('keeps going after a failed write of entries nothing went on from', async () => {
    const { store, appends, flushed } = slowStore();
    const writer = new JournalWriter(store, 'run', 'me');
    const gate = writer.write(entry('a'));
    await flushed();
    appends[0]?.finish(new Error('lease lost'));
    await expect(gate).rejects.toThrow('lease lost');
    expect(writer.settled()).toBeUndefined();
    const next = writer.write(entry('b'));
    await flushed();
    appends[1]?.finish();
    await next;
  });
  it("leaves a deferred entry to the run's finish: settled() does not wait for it, the events after it do", async () => {
    const { store, appends, flushed } = slowStore();
    const writer = new JournalWriter(store, 'run', 'me');
    const seen: string[] = [];
    void writer.write(entry('a'), { early: true });
    const last = writer.defer(entry('b'));
    writer.afterDurable(() => seen.push('after b'));
    const settled = writer.settled();
    await flushed();
    expect(appends.map((append) => append.entries.map((e) => e.stepKey))).toEqual([['a']]);
    appends[0]?.finish();
    await settled;
    expect(seen).toEqual([]);
    const deferred = writer.takeDeferred();
    expect(deferred?.entries.map((e) => e.stepKey)).toEqual(['b']);
    expect(writer.takeDeferred()).toBeUndefined();
    deferred?.stored();
    await last;
    expect(seen).toEqual(['after b']);
    expect(writer.settled()).toBeUndefined();
    await flushed();
    expect(appends).toHaveLength(1);
  });

  it('writes a deferred entry in its place when anything is written after it', async () => {
    const { store, appends, flushed } = slowStore();
    const writer = new JournalWriter(store, 'run', 'me');
    const last = writer.defer(entry('a'));
    const next = writer.write(entry('compensate-a'));
    await flushed();
    expect(appends.map((append) => append.entries.map((e) => e.stepKey))).toEqual([['a', 'compensate-a']]);
    expect(writer.takeDeferred()).toBeUndefined();
    appends[0]?.finish();
    await Promise.all([last, next]);
  });

  it('breaks when the write that took the deferred entry failed', async () => {
    const { store } = slowStore();
    const writer = new JournalWriter(store, 'run', 'me');
    const refused: string[] = [];
    const last = writer.defer(entry('a')).catch((error: Error) => refused.push(error.message));
    writer.afterDurable(() => refused.push('delivered'));
    writer.takeDeferred()?.lost(new Error('lease lost'));
    await last;
    expect(refused).toEqual(['lease lost']);
    await expect(writer.write(entry('b'))).rejects.toThrow('lease lost');
  });
});
