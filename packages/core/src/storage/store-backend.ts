/**
 * What differs between the dialects, behind one interface: atomic claiming, the fenced journal write, the
 * decide-once approval transaction, and wake-ups. Everything else the store does with plain Kysely statements.
 */
import type { Selectable } from 'kysely';
import type { RunsTable } from './database-schema.js';
import type { ChainedEntry, EncodedEntry } from './journal-chain.js';
import type { RunFinish } from './run-queries.js';
import type { WorkSignalStatus } from './run-store.js';

export interface JournalWrite {
  runId: string;
  /** The owner the write is fenced by; null writes only to a run nobody owns (a finished run). */
  owner: string | null;
  entries: readonly EncodedEntry[];
  now: number;
}

/** A run's row as a write left it, with the journal entries that write chained on. */
export interface WrittenRun {
  row: Selectable<RunsTable>;
  chained: ChainedEntry[];
}

export interface StoreBackend {
  readonly dialect: 'sqlite' | 'postgres';
  /** Takes up to `limit` claimable runs for `owner` in one atomic step (with `includeOwn`, also those it holds). */
  claimRuns(
    owner: string,
    leaseMs: number,
    limit: number,
    now: number,
    includeOwn?: boolean,
  ): Promise<Selectable<RunsTable>[]>;
  /** Writes the entries (and their blobs) if `owner` still owns the run; throws LeaseLostError otherwise. */
  appendJournal(write: JournalWrite): Promise<ChainedEntry[]>;
  /**
   * Inserts `row` (nothing on a conflict) and, when it did, appends `write`'s entries to the new run's journal: in one
   * transaction, or one statement, where the backend can. The stored row and its entries, or undefined on a conflict.
   */
  insertRunWithEntries(row: RunsTable, write: JournalWrite): Promise<WrittenRun | undefined>;
  /**
   * Appends `write`'s entries, then ends the run with `finish` (fenced by the same owner): in one transaction, or one
   * statement, where the backend can. The finished row and the entries; undefined, with nothing written, when the
   * owner no longer holds the run.
   */
  appendThenFinish(write: JournalWrite & { owner: string }, finish: RunFinish): Promise<WrittenRun | undefined>;
  /** A run this store just created (its journal's head is known: empty). */
  runCreated?(row: Selectable<RunsTable>): void;
  /** Decides a pending approval and wakes its run, atomically; the run id, or undefined when it was not pending. */
  decideApproval(id: string, status: string, decision: string | null, now: number): Promise<string | undefined>;
  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  notifyWork(): Promise<void>;
  /** Reports when the wake-up channel is lost and when it is back (PostgreSQL); returns how to stop listening. */
  watchWorkSignal(listener: (status: WorkSignalStatus) => void): () => void;
  close(): Promise<void>;
}
