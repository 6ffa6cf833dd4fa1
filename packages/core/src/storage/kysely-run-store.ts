/**
 * The RunStore over Kysely, for both dialects. Single statements (atomic on their own) are written once here; what
 * must be atomic across several statements or differs by dialect (claiming, the fenced journal write, deciding an
 * approval, wake-ups) is delegated to the dialect's StoreBackend. Fenced writes check `owner` in the same statement.
 */

import type { Kysely } from 'kysely';
import { createApproval, getApproval, listApprovals } from './approval-queries.js';
import { addFailedCompensation, closeFailedCompensation, listFailedCompensations } from './compensation-queries.js';
import type { BatonDatabase, JournalTable } from './database-schema.js';
import { FinishedRuns } from './finished-runs.js';
import {
  claimIdempotent,
  getIdempotent,
  putIdempotent,
  releaseIdempotent,
  renewIdempotentClaim,
} from './idempotency-queries.js';
import { appendedEntries, encodeEntries, journalRow } from './journal-append.js';
import type { ChainedEntry } from './journal-chain.js';
import { type JournalSource, kyselyJournalSource, readJournal, verifyJournal } from './journal-reader.js';
import { newRunRow } from './new-rows.js';
import { purgeStore } from './purge.js';
import { toJsonText, toStoredRun } from './row-mapping.js';
import { claimable, type RunFinish, recordedHead, requestCancelQuery, wakeRunQuery } from './run-queries.js';
import { type RunQueryTemplates, runQueryTemplates } from './run-query-templates.js';
import type {
  ApprovalStatus,
  ClaimOptions,
  CompensationStatus,
  FailedCompensation,
  IdempotencyClaim,
  JournalEntry,
  JournalVerification,
  LeaseRenewal,
  NewJournalEntry,
  NewRun,
  RunStore,
  StoredApproval,
  StoredRun,
  StoredRunStatus,
  WorkSignalStatus,
} from './run-store.js';
import { ApprovalExpiredError, DuplicateRunError } from './storage-errors.js';
import type { StoreBackend, WrittenRun } from './store-backend.js';

export interface KyselyRunStoreSettings {
  blobThresholdBytes: number;
  retentionMs: number;
}

export class KyselyRunStore implements RunStore {
  readonly dialect: 'sqlite' | 'postgres';
  readonly #db: Kysely<BatonDatabase>;
  readonly #backend: StoreBackend;
  readonly #settings: KyselyRunStoreSettings;
  readonly #journal: JournalSource;
  /** The journal as `readJournal` sees it: a run that succeeded lately from memory. Verifying always reads the tables. */
  readonly #journalRead: JournalSource;
  readonly #queries: RunQueryTemplates;
  /** Runs created here, followed to their end, and those that succeeded lately: read without a query. */
  readonly #finished = new FinishedRuns();
  #closing: Promise<void> | undefined;

  constructor(db: Kysely<BatonDatabase>, backend: StoreBackend, settings: KyselyRunStoreSettings) {
    this.dialect = backend.dialect;
    this.#db = db;
    this.#backend = backend;
    this.#settings = settings;
    this.#journal = kyselyJournalSource(db);
    this.#journalRead = finishedFirst(this.#journal, this.#finished);
    this.#queries = runQueryTemplates(db);
  }

  async createRun(run: NewRun, firstEntries: readonly NewJournalEntry[] = []): Promise<StoredRun> {
    const now = Date.now();
    const newRow = newRunRow(run, now);
    const written =
      firstEntries.length === 0
        ? { row: (await this.#db.executeQuery(this.#queries.insertRun(newRow))).rows[0], chained: [] }
        : await this.#backend.insertRunWithEntries(newRow, {
            runId: run.id,
            owner: run.owner,
            entries: encodeEntries(firstEntries, this.#settings.blobThresholdBytes),
            now,
          });
    const row = written?.row;
    if (row === undefined) {
      const byKey =
        run.idempotencyKey === undefined ? undefined : await this.findRunByIdempotencyKey(run.idempotencyKey);
      throw new DuplicateRunError(byKey?.id ?? run.id, byKey === undefined ? null : run.idempotencyKey!);
    }
    if (firstEntries.length === 0) this.#backend.runCreated?.(row);
    this.#finished.follow(run.id, journalRows(run.id, written?.chained ?? [], now));
    return toStoredRun(row);
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const row =
      this.#finished.get(id, Date.now())?.row ?? (await this.#db.executeQuery(this.#queries.runById({ id }))).rows[0];
    return row && toStoredRun(row);
  }

  async findRunByIdempotencyKey(key: string): Promise<StoredRun | undefined> {
    const row = await this.#db
      .selectFrom('baton_runs')
      .selectAll()
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row && toStoredRun(row);
  }

  async listRuns(filter: { status?: StoredRunStatus[]; limit?: number } = {}): Promise<StoredRun[]> {
    let query = this.#db.selectFrom('baton_runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (filter.status !== undefined) {
      if (filter.status.length === 0) return [];
      query = query.where('status', 'in', filter.status);
    }
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(toStoredRun);
  }

  async claimRuns(owner: string, leaseMs: number, limit: number, options: ClaimOptions = {}): Promise<StoredRun[]> {
    if (limit <= 0) return [];
    const rows = await this.#backend.claimRuns(owner, leaseMs, limit, Date.now(), options.includeOwn === true);
    // Another engine may have held it in between: its journal is no longer all this store wrote.
    for (const row of rows) this.#finished.forget(row.id);
    // `UPDATE … RETURNING` gives rows in no set order: oldest first, as the claim chose them.
    rows.sort((a, b) => Number(a.created_at) - Number(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return rows.map(toStoredRun);
  }

  async renewLeases(owner: string, runIds: readonly string[], leaseMs: number): Promise<LeaseRenewal> {
    const cancelRequested = new Map<string, string>();
    if (runIds.length === 0) return { lost: [], cancelRequested };
    const now = Date.now();
    // On PostgreSQL the rows are locked in id order first, as the batched journal writes lock theirs: never a cycle.
    const ids =
      this.dialect === 'postgres'
        ? this.#db
            .selectFrom('baton_runs')
            .select('id')
            .where('owner', '=', owner)
            .where('id', 'in', [...runIds])
            .orderBy('id')
            .forUpdate()
        : [...runIds];
    const renewed = await this.#db
      .updateTable('baton_runs')
      .set({ lease_expires_at: now + leaseMs, updated_at: now })
      .where('owner', '=', owner)
      .where('id', 'in', ids)
      .returning(['id', 'cancel_requested'])
      .execute();
    for (const row of renewed) if (row.cancel_requested !== null) cancelRequested.set(row.id, row.cancel_requested);
    const kept = new Set(renewed.map((row) => row.id));
    const lost = runIds.filter((id) => !kept.has(id));
    for (const id of lost) this.#finished.forget(id);
    return { lost, cancelRequested };
  }

  async requestCancel(runId: string, reason: string): Promise<boolean> {
    const result = await requestCancelQuery(this.#db, runId, reason, Date.now()).executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    await this.notifyWork();
    return true;
  }

  async nextClaimableAt(): Promise<number | null> {
    const now = Date.now();
    const ready = await this.#db
      .selectFrom('baton_runs')
      .select('id')
      .where(claimable(now))
      .limit(1)
      .executeTakeFirst();
    if (ready !== undefined) return now;
    const [waking, expiring] = await Promise.all([
      this.#db
        .selectFrom('baton_runs')
        .select((eb) => eb.fn.min('wake_at').as('at'))
        .where('status', '=', 'waiting')
        .where('wake_at', 'is not', null)
        .executeTakeFirst(),
      this.#db
        .selectFrom('baton_runs')
        .select((eb) => eb.fn.min('lease_expires_at').as('at'))
        .where('status', 'in', ['running', 'compensating'])
        .where('finished_at', 'is', null)
        .executeTakeFirst(),
    ]);
    const times = [waking?.at, expiring?.at].filter((at): at is number => at !== null && at !== undefined).map(Number);
    return times.length === 0 ? null : Math.min(...times);
  }

  async parkRun(runId: string, owner: string, wakeAt: number | null): Promise<boolean> {
    this.#finished.forget(runId);
    const now = Date.now();
    const row = await this.#db
      .updateTable('baton_runs')
      .set((eb) => ({
        status: eb.case().when('wake_requested', '=', 1).then('ready').else('waiting').end(),
        wake_requested: 0,
        owner: null,
        lease_expires_at: null,
        wake_at: wakeAt,
        updated_at: now,
        ...recordedHead(),
      }))
      .where('id', '=', runId)
      .where('owner', '=', owner)
      .returning('status')
      .executeTakeFirst();
    if (row === undefined) return false;
    // A wake time, however far, is news to claim loops sleeping until an earlier guess: they look again and sleep
    // until it (a run parked on a 300 ms wait is woken after 300 ms, not at the loop's next look).
    if (row.status === 'ready' || wakeAt !== null) await this.notifyWork();
    return true;
  }

  async wakeRun(runId: string): Promise<void> {
    const result = await wakeRunQuery(this.#db, runId, Date.now()).executeTakeFirst();
    if (result.numUpdatedRows > 0n) await this.notifyWork();
  }

  async expireLeases(owner: string): Promise<number> {
    this.#finished.clear();
    const now = Date.now();
    const result = await this.#db
      .updateTable('baton_runs')
      .set({ lease_expires_at: now - 1, updated_at: now })
      .where('owner', '=', owner)
      .where('finished_at', 'is', null)
      .executeTakeFirst();
    const expired = Number(result.numUpdatedRows);
    if (expired > 0) await this.notifyWork();
    return expired;
  }

  async setRunStatus(runId: string, owner: string, status: StoredRunStatus): Promise<boolean> {
    const result = await this.#db
      .updateTable('baton_runs')
      .set({ status, updated_at: Date.now() })
      .where('id', '=', runId)
      .where('owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async finishRun(
    runId: string,
    owner: string,
    result: { status: 'succeeded' | 'failed' | 'cancelled'; output?: unknown; error?: unknown },
    lastEntries: readonly NewJournalEntry[] = [],
  ): Promise<boolean> {
    const now = Date.now();
    const finish: RunFinish = {
      status: result.status,
      output: toJsonText(result.output),
      error: toJsonText(result.error),
      owner: null,
      lease_expires_at: null,
      wake_at: null,
      wake_requested: 0,
      updated_at: now,
      finished_at: now,
    };
    const finished = await this.#finishRun(runId, owner, finish, lastEntries);
    if (finished === undefined) {
      this.#finished.forget(runId);
      return false;
    }
    this.#finished.finish(runId, finished.row, journalRows(runId, finished.chained, now), now);
    // A run succeeds only once every approval it asked for was decided, so only a failed or cancelled one can leave
    // some pending. Nobody waits for them any more; a crash before this leaves them pending, which `decide` refuses.
    if (result.status === 'succeeded') return true;
    await this.#db
      .updateTable('baton_approvals')
      .set({ status: 'withdrawn', decided_at: now })
      .where('run_id', '=', runId)
      .where('status', '=', 'pending')
      .execute();
    return true;
  }

  #finishRun(
    runId: string,
    owner: string,
    finish: RunFinish,
    lastEntries: readonly NewJournalEntry[],
  ): Promise<WrittenRun | undefined> {
    if (lastEntries.length > 0) {
      const entries = encodeEntries(lastEntries, this.#settings.blobThresholdBytes);
      return this.#backend.appendThenFinish({ runId, owner, entries, now: finish.updated_at }, finish);
    }
    return this.#db
      .executeQuery(this.#queries.finishRun({ ...finish, runId, holder: owner }))
      .then(({ rows }) => rows[0] && { row: rows[0], chained: [] });
  }

  async appendJournal(runId: string, owner: string, entries: readonly NewJournalEntry[]): Promise<JournalEntry[]> {
    const encoded = encodeEntries(entries, this.#settings.blobThresholdBytes);
    const now = Date.now();
    let chained: ChainedEntry[];
    try {
      chained = await this.#backend.appendJournal({ runId, owner, entries: encoded, now });
    } catch (error) {
      this.#finished.forget(runId);
      throw error;
    }
    this.#finished.append(runId, journalRows(runId, chained, now));
    return appendedEntries(runId, entries, chained, now);
  }

  readJournal(runId: string): Promise<JournalEntry[]> {
    return readJournal(this.#journalRead, runId);
  }

  verifyJournal(runId: string): Promise<JournalVerification> {
    return verifyJournal(this.#journal, runId);
  }

  createApproval(
    approval: Omit<StoredApproval, 'status' | 'decision' | 'decidedAt' | 'createdAt'>,
  ): Promise<StoredApproval> {
    return createApproval(this.#db, approval);
  }

  getApproval(id: string): Promise<StoredApproval | undefined> {
    return getApproval(this.#db, id);
  }

  listApprovals(filter: { runId?: string; status?: ApprovalStatus } = {}): Promise<StoredApproval[]> {
    return listApprovals(this.#db, filter);
  }

  async decideApproval(id: string, status: 'approved' | 'rejected' | 'expired', decision: unknown): Promise<boolean> {
    const runId = await this.#backend.decideApproval(id, status, toJsonText(decision), Date.now());
    if (runId !== undefined) await this.notifyWork();
    if (status !== 'expired') {
      // Expired now (the query marked it so) or earlier: either way the decision came too late.
      const approval = await this.getApproval(id);
      if (approval?.status === 'expired' && approval.expiresAt !== null) {
        throw new ApprovalExpiredError(id, approval.expiresAt);
      }
    }
    return runId !== undefined;
  }

  addFailedCompensation(
    entry: Omit<FailedCompensation, 'id' | 'status' | 'reason' | 'createdAt' | 'updatedAt'>,
  ): Promise<FailedCompensation> {
    return addFailedCompensation(this.#db, entry);
  }

  listFailedCompensations(filter: { runId?: string; status?: CompensationStatus } = {}): Promise<FailedCompensation[]> {
    return listFailedCompensations(this.#db, filter);
  }

  closeFailedCompensation(id: string, status: 'resolved' | 'ignored', reason: string): Promise<boolean> {
    // It journals the close on behalf of whoever holds the run, past what this store follows.
    this.#finished.clear();
    const { blobThresholdBytes } = this.#settings;
    return closeFailedCompensation(this.#db, this.#backend, { id, status, reason, blobThresholdBytes });
  }

  getIdempotent(key: string): Promise<{ value: unknown } | undefined> {
    return getIdempotent(this.#db, key);
  }

  putIdempotent(key: string, value: unknown, ttlMs: number): Promise<{ value: unknown }> {
    return putIdempotent(this.#db, key, value, ttlMs);
  }

  claimIdempotent(key: string, owner: string, leaseMs: number, ttlMs: number): Promise<IdempotencyClaim> {
    return claimIdempotent(this.#db, key, owner, leaseMs, ttlMs);
  }

  renewIdempotentClaim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return renewIdempotentClaim(this.#db, key, owner, leaseMs);
  }

  releaseIdempotent(key: string, owner: string): Promise<void> {
    return releaseIdempotent(this.#db, key, owner);
  }

  purge(
    olderThanMs: number = this.#settings.retentionMs,
  ): Promise<{ runs: number; blobs: number; idempotency: number }> {
    this.#finished.clear();
    return purgeStore(this.#db, this.dialect, olderThanMs, Date.now());
  }

  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.#backend.waitForWork(timeoutMs, signal);
  }

  notifyWork(): Promise<void> {
    return this.#backend.notifyWork();
  }

  watchWorkSignal(listener: (status: WorkSignalStatus) => void): () => void {
    return this.#backend.watchWorkSignal(listener);
  }

  close(): Promise<void> {
    this.#finished.clear();
    this.#closing ??= this.#backend.close();
    return this.#closing;
  }
}

function journalRows(runId: string, chained: readonly ChainedEntry[], now: number): JournalTable[] {
  return chained.map((entry) => journalRow(runId, entry, now));
}

/** `source`, with the journal rows of a run that succeeded lately taken from memory. */
function finishedFirst(source: JournalSource, finished: FinishedRuns): JournalSource {
  return {
    ...source,
    rows: async (runId) => {
      const rows = finished.get(runId, Date.now())?.rows;
      return rows === undefined ? source.rows(runId) : [...rows];
    },
  };
}
