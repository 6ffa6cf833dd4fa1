/**
 * What differs between the dialects, behind one interface: atomic claiming, the fenced journal write, the
 * decide-once approval transaction, and wake-ups. Everything else the store does with plain Kysely statements.
 */
import type { Selectable } from 'kysely';
import type { RunsTable } from './database-schema.js';
import type { ChainedEntry, EncodedEntry } from './journal-chain.js';

export interface JournalWrite {
  runId: string;
  /** The owner the write is fenced by; null writes only to a run nobody owns (a finished run). */
  owner: string | null;
  entries: readonly EncodedEntry[];
  now: number;
}

export interface StoreBackend {
  readonly dialect: 'sqlite' | 'postgres';
  /** Takes up to `limit` claimable runs for `owner` in one atomic step. */
  claimRuns(owner: string, leaseMs: number, limit: number, now: number): Promise<Selectable<RunsTable>[]>;
  /** Writes the entries (and their blobs) if `owner` still owns the run; throws LeaseLostError otherwise. */
  appendJournal(write: JournalWrite): Promise<ChainedEntry[]>;
  /** Decides a pending approval and wakes its run, atomically; the run id, or undefined when it was not pending. */
  decideApproval(id: string, status: string, decision: string | null, now: number): Promise<string | undefined>;
  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  notifyWork(): Promise<void>;
  close(): Promise<void>;
}
