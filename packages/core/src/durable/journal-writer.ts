/**
 * Writes one run's journal entries in order, batching the entries that arrive in the same tick into one
 * transaction: parallel steps finishing together cost one write, and the hash chain stays in order.
 */
import type { NewJournalEntry, RunStore } from '../storage/run-store.js';

export class JournalWriter {
  private pending: { entry: NewJournalEntry; done: { resolve: () => void; reject: (error: unknown) => void } }[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    private readonly owner: string,
  ) {}

  /** Resolves once the entry is durable; rejects (LeaseLostError, storage errors) if it could not be written. */
  write(entry: NewJournalEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, done: { resolve, reject } });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.flushing = this.flushing.then(() => this.flush());
        });
      }
    });
  }

  /** Resolves when everything written so far is durable. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.scheduled) {
      await this.flushing;
      await new Promise<void>((resolve) => queueMicrotask(resolve));
    }
    await this.flushing;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      await this.store.appendJournal(
        this.runId,
        this.owner,
        batch.map((item) => item.entry),
      );
      for (const item of batch) item.done.resolve();
    } catch (error) {
      for (const item of batch) item.done.reject(error);
    }
  }
}
