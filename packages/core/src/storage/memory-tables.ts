/**
 * The memory store's data: the same rows the SQL tables hold (JSON values as text, times as ms since epoch), kept in
 * maps. Storing text rather than objects is what makes the memory store behave like the others: a caller that mutates
 * an object after writing it cannot change what was stored, every read returns a fresh copy, and a value that cannot
 * be stored fails the same way. Several `MemoryRunStore`s may share one `MemoryTables` (as engines share a database);
 * every operation runs to completion without awaiting, so each is atomic against the others.
 */
import type {
  ApprovalsTable,
  BlobsTable,
  FailedCompensationsTable,
  IdempotencyTable,
  JournalTable,
  RunsTable,
} from './database-schema.js';
import { FINISHED_STATUSES } from './run-store.js';
import type { WorkSignal } from './work-signal.js';

/** A journal row with the blobs it references (what `baton_journal_blobs` holds for SQL). */
export interface MemoryJournalRow extends JournalTable {
  blobs: readonly string[];
}

export class MemoryTables {
  readonly runs = new Map<string, RunsTable>();
  /** Ids of runs not finished yet: claims and wake-time lookups scan only these, not every run ever kept. */
  readonly unfinished = new Set<string>();
  /** Run id by idempotency key (a unique column in SQL). */
  readonly runKeys = new Map<string, string>();
  /** Each run's journal in seq order. */
  readonly journal = new Map<string, MemoryJournalRow[]>();
  readonly blobs = new Map<string, BlobsTable>();
  readonly approvals = new Map<string, ApprovalsTable>();
  readonly compensations = new Map<string, FailedCompensationsTable>();
  readonly idempotency = new Map<string, IdempotencyTable>();
  readonly #signals = new Set<WorkSignal>();

  /** Keeps `unfinished` in step with a run's status after any change to it. */
  track(run: RunsTable): void {
    if (FINISHED_STATUSES.includes(run.status as (typeof FINISHED_STATUSES)[number])) this.unfinished.delete(run.id);
    else this.unfinished.add(run.id);
  }

  /** Deletes a run with everything it owns, as the SQL stores' foreign keys do. */
  deleteRun(id: string): void {
    const run = this.runs.get(id);
    if (run === undefined) return;
    this.runs.delete(id);
    this.unfinished.delete(id);
    if (run.idempotency_key !== null) this.runKeys.delete(run.idempotency_key);
    this.journal.delete(id);
    for (const [key, approval] of this.approvals) if (approval.run_id === id) this.approvals.delete(key);
    for (const [key, entry] of this.compensations) if (entry.run_id === id) this.compensations.delete(key);
  }

  /** Stores sharing these tables hear each other's wake-ups through their own signals. */
  attach(signal: WorkSignal): void {
    this.#signals.add(signal);
  }

  detach(signal: WorkSignal): void {
    this.#signals.delete(signal);
  }

  notify(): void {
    for (const signal of this.#signals) signal.wake();
  }
}
