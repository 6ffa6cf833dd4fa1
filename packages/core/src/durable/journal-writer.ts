/**
 * Writes one run's journal entries in order, batching whatever is waiting into one transaction: parallel steps
 * finishing together cost one write, the entries of effect-free steps that finished while a write was in flight go
 * in the next one, and the hash chain stays in order.
 *
 * An entry is written either as a gate (the default: the caller waits for it before going on) or `early`, when the
 * run went on before it was durable (the step after an effect-free step). The writer keeps what depends on the
 * journal honest: `afterDurable` holds a callback (an event) until every entry written before it is stored, and
 * `settled` tells a call with effects when that is. Once a batch holding an early entry fails, later entries could
 * rest on one that was lost, so the writer refuses everything from then on and drops what it held: the run has to
 * be taken up again from its journal.
 *
 * The last entry of a run that is about to finish can be `defer`red instead: the run's finish takes it
 * (`takeDeferred`) and stores it in the same write as its own status, one write fewer per run. It counts as written
 * (events after it wait for it) but is not flushed; a `write` after it puts it back in line first.
 */
import type { NewJournalEntry, RunStore } from '../storage/run-store.js';

/** Entries per transaction at most; more wait for the next one. */
const MAX_BATCH = 256;

interface Pending {
  entry: NewJournalEntry;
  early: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

interface Waiter {
  /** Released once this many entries are settled. */
  upTo: number;
  release(): void;
  refuse(error: unknown): void;
}

export class JournalWriter {
  private pending: Pending[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled: 'microtask' | 'immediate' | undefined;
  /** Entries taken by `write`, and entries whose write ended (stored, or failed without breaking the writer). */
  private accepted = 0;
  private settledCount = 0;
  private waiters: Waiter[] = [];
  private broken: { error: unknown } | undefined;
  /** An entry the run's finish will store (`defer`), always the last one taken. */
  private deferred: Pending | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    private readonly owner: string,
  ) {}

  /**
   * Resolves once the entry is durable; rejects (LeaseLostError, storage errors) if it could not be written. An early
   * entry's write waits for the next turn of the event loop, so a run of quick effect-free steps shares one write.
   */
  write(entry: NewJournalEntry, options: { early?: boolean } = {}): Promise<void> {
    if (this.broken) return Promise.reject(this.broken.error);
    this.undefer();
    const early = options.early === true;
    return new Promise<void>((resolve, reject) => {
      this.accepted++;
      this.pending.push({ entry, early, resolve, reject });
      this.schedule(early ? 'immediate' : 'microtask');
    });
  }

  /**
   * Takes `entry` for the run's finish to store (`takeDeferred`); resolves once it is stored. Like an early entry, its
   * loss breaks the writer. A deferred entry not taken is written as an early one when anything is written after it.
   */
  defer(entry: NewJournalEntry): Promise<void> {
    if (this.broken) return Promise.reject(this.broken.error);
    this.undefer();
    return new Promise<void>((resolve, reject) => {
      this.accepted++;
      this.deferred = { entry, early: true, resolve, reject };
    });
  }

  /** Puts the deferred entry, if any, in line to be written on its own. */
  undefer(): void {
    const deferred = this.deferred;
    if (deferred === undefined) return;
    this.deferred = undefined;
    this.pending.push(deferred);
    this.schedule('immediate');
  }

  /**
   * The deferred entry for the caller to store with its own write, with what to call once that write succeeded or
   * failed; undefined when there is none. Call it once `settled()` resolved, so every entry before it is stored.
   */
  takeDeferred(): { entries: NewJournalEntry[]; stored(): void; lost(error: unknown): void } | undefined {
    const deferred = this.deferred;
    if (deferred === undefined || this.broken) return undefined;
    this.deferred = undefined;
    return {
      entries: [deferred.entry],
      stored: () => {
        deferred.resolve();
        this.settledCount++;
        this.release();
      },
      lost: (error) => {
        deferred.reject(error);
        this.breakWith(error);
      },
    };
  }

  /** Calls `callback` now if every entry written so far is stored, else once they are; never, if the writer broke. */
  afterDurable(callback: () => void): void {
    if (this.broken) return;
    if (this.settledCount === this.accepted) callback();
    else this.waiters.push({ upTo: this.accepted, release: callback, refuse: () => {} });
  }

  /**
   * `undefined` when every entry written so far is stored, else a promise of that moment; rejects if the writer broke
   * before.
   */
  settled(): Promise<void> | undefined {
    if (this.broken) return Promise.reject(this.broken.error);
    // The deferred entry, the last one taken, is stored by whoever takes it: nothing before it waits for it.
    const upTo = this.accepted - (this.deferred === undefined ? 0 : 1);
    if (this.settledCount === upTo) return undefined;
    return new Promise<void>((release, refuse) => this.waiters.push({ upTo, release, refuse }));
  }

  /** Resolves when every write so far has ended, stored or not. */
  async drain(): Promise<void> {
    await this.settled()?.catch(() => {});
  }

  private schedule(kind: 'microtask' | 'immediate'): void {
    if (this.scheduled === 'microtask' || this.scheduled === kind) return;
    this.scheduled = kind;
    if (kind === 'microtask') queueMicrotask(() => this.kick());
    else setImmediate(() => this.kick());
  }

  private kick(): void {
    if (this.scheduled === undefined) return;
    this.scheduled = undefined;
    this.flushing = this.flushing.then(() => this.flush());
  }

  /** Writes batches until nothing waits, taking in what arrives while a write is in flight. */
  private async flush(): Promise<void> {
    while (this.pending.length > 0 && !this.broken) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        await this.store.appendJournal(
          this.runId,
          this.owner,
          batch.map((item) => item.entry),
        );
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
        if (batch.some((item) => item.early)) {
          this.breakWith(error);
          return;
        }
      }
      this.settledCount += batch.length;
      this.release();
    }
  }

  /**
   * Releases the waiters whose entries are all settled, in the order they came. Not always a prefix: a `settled()`
   * taken after a deferral does not wait for the deferred entry, though events held before it do.
   */
  private release(): void {
    if (this.waiters.length === 0) return;
    const ready: Waiter[] = [];
    const waiting: Waiter[] = [];
    for (const waiter of this.waiters) (waiter.upTo <= this.settledCount ? ready : waiting).push(waiter);
    this.waiters = waiting;
    for (const waiter of ready) {
      try {
        waiter.release();
      } catch {
        // A held event's delivery guards itself; nothing it throws may stop the writer.
      }
    }
  }

  private breakWith(error: unknown): void {
    this.broken = { error };
    this.deferred?.reject(error);
    this.deferred = undefined;
    for (const item of this.pending.splice(0)) item.reject(error);
    for (const waiter of this.waiters.splice(0)) waiter.refuse(error);
  }
}
