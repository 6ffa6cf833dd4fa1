/**
 * Runs this store wrote from their first row to a successful end, kept for a few seconds after it: the row as the
 * finish left it and every journal row. The look that usually follows an end — a server answering the request that
 * waited for it — then reads no table (two reads of each run, a quarter of a PostgreSQL run's round trips).
 *
 * Only what can be known whole is kept. A run is followed from the `createRun` of this store, and each journal write
 * of this store adds its rows; the owner fence keeps other engines out while the run is held. A row whose seq is not
 * the next one, or a finished row whose recorded head is not the last row followed, shows a write this store did not
 * make (another store of the same owner): the run is dropped. So is one this store claims back, parks or loses, one
 * whose write failed, one with more rows or data than a snapshot holds, and one that would take the data held for
 * all runs together past its bound. Only a succeeded run is kept: a failed one is still written to
 * (its compensations, failures resolved from anywhere). A later write through this store drops the snapshot, and it
 * ends after `TTL_MS` even unread, so a writer elsewhere (a purge with no retention) is not hidden for long.
 */
import type { Selectable } from 'kysely';
import type { JournalTable, RunsTable } from './database-schema.js';

/** How long after its end a run is answered from memory. */
const TTL_MS = 5000;
/** Runs followed at once (the oldest is let go past it). */
const MAX_FOLLOWED = 10_000;
/**
 * Snapshots kept: the read they serve comes within a turn or two of the end, and a busy server ends a run every
 * millisecond or so. Kept longer they would outlive the young generation and be copied out of it as garbage.
 */
const MAX_SNAPSHOTS = 64;
/** A run with more journal rows, or more journal data, than this is not kept. */
const MAX_ROWS = 256;
const MAX_RUN_CHARS = 64 * 1024;
/** Journal data held for every run together: past it, the run that would grow it is let go. */
const MAX_TOTAL_CHARS = 32 * 1024 * 1024;

interface Kept {
  rows: JournalTable[];
  chars: number;
}

export interface FinishedRun {
  row: Selectable<RunsTable>;
  rows: readonly JournalTable[];
}

export class FinishedRuns {
  readonly #followed = new Map<string, Kept>();
  readonly #snapshots = new Map<string, Kept & FinishedRun & { until: number }>();
  /** Journal data held, followed and kept together. */
  #chars = 0;

  /** A run this store created, with the journal rows it was created with. */
  follow(runId: string, rows: readonly JournalTable[]): void {
    this.forget(runId);
    if (this.#followed.size >= MAX_FOLLOWED) this.#drop(this.#followed, this.#followed.keys().next().value as string);
    this.#followed.set(runId, { rows: [], chars: 0 });
    this.append(runId, rows);
  }

  /** Rows this store appended to `runId`'s journal. */
  append(runId: string, rows: readonly JournalTable[]): void {
    this.#drop(this.#snapshots, runId);
    const followed = this.#followed.get(runId);
    if (followed === undefined) return;
    for (const row of rows) {
      if (row.seq !== followed.rows.length) {
        this.forget(runId);
        return;
      }
      followed.rows.push(row);
      followed.chars += row.data.length;
      this.#chars += row.data.length;
    }
    const large = followed.rows.length > MAX_ROWS || followed.chars > MAX_RUN_CHARS;
    if (large || this.#chars > MAX_TOTAL_CHARS) this.forget(runId);
  }

  /** `runId` ended with `row` (its last journal rows in `rows`): kept if it succeeded and was followed whole. */
  finish(runId: string, row: Selectable<RunsTable>, rows: readonly JournalTable[], now: number): void {
    this.append(runId, rows);
    const followed = this.#followed.get(runId);
    if (followed === undefined) return;
    this.#followed.delete(runId);
    if (row.status !== 'succeeded' || row.last_seq !== followed.rows.length - 1) {
      this.#chars -= followed.chars;
      return;
    }
    if (this.#snapshots.size >= MAX_SNAPSHOTS)
      this.#drop(this.#snapshots, this.#snapshots.keys().next().value as string);
    this.#snapshots.set(runId, { ...followed, row, until: now + TTL_MS });
  }

  /** Stops following `runId` and drops its snapshot: something this store cannot see may write to it. */
  forget(runId: string): void {
    this.#drop(this.#followed, runId);
    this.#drop(this.#snapshots, runId);
  }

  clear(): void {
    this.#followed.clear();
    this.#snapshots.clear();
    this.#chars = 0;
  }

  /** Journal data held now, in characters. */
  get heldChars(): number {
    return this.#chars;
  }

  /** The run as it ended, while its snapshot lasts. */
  get(runId: string, now: number): FinishedRun | undefined {
    const snapshot = this.#snapshots.get(runId);
    if (snapshot === undefined) return undefined;
    if (now <= snapshot.until) return snapshot;
    this.#drop(this.#snapshots, runId);
    return undefined;
  }

  #drop(kept: Map<string, Kept>, runId: string): void {
    const entry = kept.get(runId);
    if (entry === undefined) return;
    kept.delete(runId);
    this.#chars -= entry.chars;
  }
}
