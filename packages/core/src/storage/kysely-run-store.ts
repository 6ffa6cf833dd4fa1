/**
 * The RunStore over Kysely, for both dialects. Single statements (atomic on their own) are written once here; what
 * must be atomic across several statements or differs by dialect (claiming, the fenced journal write, deciding an
 * approval, wake-ups) is delegated to the dialect's StoreBackend. Fenced writes check `owner` in the same statement.
 */

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { encodeData } from './blob-codec.js';
import type { BatonDatabase } from './database-schema.js';
import {
  claimIdempotent,
  getIdempotent,
  putIdempotent,
  releaseIdempotent,
  renewIdempotentClaim,
} from './idempotency-queries.js';
import { EMPTY_HEAD, type EncodedEntry } from './journal-chain.js';
import { type JournalSource, kyselyJournalSource, readJournal, verifyJournal } from './journal-reader.js';
import { purgeStore } from './purge.js';
import { toFailedCompensation, toJsonText, toStoredApproval, toStoredRun } from './row-mapping.js';
import { claimable, recordedHead, requestCancelQuery, wakeRunQuery } from './run-queries.js';
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
import { ApprovalExpiredError, DuplicateApprovalError, DuplicateRunError, LeaseLostError } from './storage-errors.js';
import type { StoreBackend } from './store-backend.js';

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
  #closing: Promise<void> | undefined;

  constructor(db: Kysely<BatonDatabase>, backend: StoreBackend, settings: KyselyRunStoreSettings) {
    this.dialect = backend.dialect;
    this.#db = db;
    this.#backend = backend;
    this.#settings = settings;
    this.#journal = kyselyJournalSource(db);
  }

  async createRun(run: NewRun): Promise<StoredRun> {
    const now = Date.now();
    const row = await this.#db
      .insertInto('baton_runs')
      .values({
        id: run.id,
        status: 'running',
        plan: toJsonText(run.plan) ?? 'null',
        request: toJsonText(run.request),
        options: toJsonText(run.options),
        output: null,
        error: null,
        owner: run.owner,
        lease_expires_at: now + run.leaseMs,
        wake_at: null,
        wake_requested: 0,
        idempotency_key: run.idempotencyKey ?? null,
        cancel_requested: null,
        last_seq: EMPTY_HEAD.seq,
        last_hash: EMPTY_HEAD.hash,
        created_at: now,
        updated_at: now,
        finished_at: null,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) {
      const byKey =
        run.idempotencyKey === undefined ? undefined : await this.findRunByIdempotencyKey(run.idempotencyKey);
      throw new DuplicateRunError(byKey?.id ?? run.id, byKey === undefined ? null : run.idempotencyKey!);
    }
    return toStoredRun(row);
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const row = await this.#db.selectFrom('baton_runs').selectAll().where('id', '=', id).executeTakeFirst();
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
    return rows.map(toStoredRun);
  }

  async renewLeases(owner: string, runIds: readonly string[], leaseMs: number): Promise<LeaseRenewal> {
    const cancelRequested = new Map<string, string>();
    if (runIds.length === 0) return { lost: [], cancelRequested };
    const now = Date.now();
    const renewed = await this.#db
      .updateTable('baton_runs')
      .set({ lease_expires_at: now + leaseMs, updated_at: now })
      .where('owner', '=', owner)
      .where('id', 'in', [...runIds])
      .returning(['id', 'cancel_requested'])
      .execute();
    for (const row of renewed) if (row.cancel_requested !== null) cancelRequested.set(row.id, row.cancel_requested);
    const kept = new Set(renewed.map((row) => row.id));
    return { lost: runIds.filter((id) => !kept.has(id)), cancelRequested };
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
        .executeTakeFirst(),
      this.#db
        .selectFrom('baton_runs')
        .select((eb) => eb.fn.min('lease_expires_at').as('at'))
        .where('status', 'in', ['running', 'compensating'])
        .executeTakeFirst(),
    ]);
    const times = [waking?.at, expiring?.at].filter((at): at is number => at !== null && at !== undefined).map(Number);
    return times.length === 0 ? null : Math.min(...times);
  }

  async parkRun(runId: string, owner: string, wakeAt: number | null): Promise<boolean> {
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
    if (row.status === 'ready' || (wakeAt !== null && wakeAt <= now)) await this.notifyWork();
    return true;
  }

  async wakeRun(runId: string): Promise<void> {
    const result = await wakeRunQuery(this.#db, runId, Date.now()).executeTakeFirst();
    if (result.numUpdatedRows > 0n) await this.notifyWork();
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
  ): Promise<boolean> {
    const now = Date.now();
    const updated = await this.#db
      .updateTable('baton_runs')
      .set({
        status: result.status,
        output: toJsonText(result.output),
        error: toJsonText(result.error),
        owner: null,
        lease_expires_at: null,
        wake_at: null,
        wake_requested: 0,
        updated_at: now,
        finished_at: now,
        ...recordedHead(),
      })
      .where('id', '=', runId)
      .where('owner', '=', owner)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return false;
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

  async appendJournal(runId: string, owner: string, entries: readonly NewJournalEntry[]): Promise<JournalEntry[]> {
    const encoded = entries.map((entry): EncodedEntry => {
      const data = encodeData(entry.data ?? null, this.#settings.blobThresholdBytes);
      return { type: entry.type, stepKey: entry.stepKey ?? null, data: data.text, blobs: data.blobs };
    });
    const now = Date.now();
    const chained = await this.#backend.appendJournal({ runId, owner, entries: encoded, now });
    return chained.map((entry, index) => ({
      runId,
      seq: entry.seq,
      type: entry.type,
      stepKey: entry.stepKey,
      data: entries[index]!.data ?? null,
      prevHash: entry.prevHash,
      hash: entry.hash,
      createdAt: now,
    }));
  }

  readJournal(runId: string): Promise<JournalEntry[]> {
    return readJournal(this.#journal, runId);
  }

  verifyJournal(runId: string): Promise<JournalVerification> {
    return verifyJournal(this.#journal, runId);
  }

  async createApproval(
    approval: Omit<StoredApproval, 'status' | 'decision' | 'decidedAt' | 'createdAt'>,
  ): Promise<StoredApproval> {
    const row = await this.#db
      .insertInto('baton_approvals')
      .values({
        id: approval.id,
        run_id: approval.runId,
        step_key: approval.stepKey,
        prompt: approval.prompt,
        data: toJsonText(approval.data),
        status: 'pending',
        decision: null,
        expires_at: approval.expiresAt,
        created_at: Date.now(),
        decided_at: null,
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return toStoredApproval(row);
    const existing = await this.getApproval(approval.id);
    if (existing === undefined || existing.runId !== approval.runId || existing.stepKey !== approval.stepKey) {
      throw new DuplicateApprovalError(approval.id, existing?.runId ?? null, existing?.stepKey ?? null);
    }
    return existing;
  }

  async getApproval(id: string): Promise<StoredApproval | undefined> {
    const row = await this.#db.selectFrom('baton_approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toStoredApproval(row);
  }

  async listApprovals(filter: { runId?: string; status?: ApprovalStatus } = {}): Promise<StoredApproval[]> {
    let query = this.#db.selectFrom('baton_approvals').selectAll().orderBy('created_at').orderBy('id');
    if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    return (await query.execute()).map(toStoredApproval);
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

  async addFailedCompensation(
    entry: Omit<FailedCompensation, 'id' | 'status' | 'reason' | 'createdAt' | 'updatedAt'>,
  ): Promise<FailedCompensation> {
    const now = Date.now();
    const row = await this.#db
      .insertInto('baton_failed_compensations')
      .values({
        id: randomUUID(),
        run_id: entry.runId,
        step_key: entry.stepKey,
        target: entry.target,
        error: toJsonText(entry.error),
        status: 'open',
        reason: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((conflict) => conflict.columns(['run_id', 'step_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return toFailedCompensation(row);
    // Recorded already, by an earlier life of the run that died before journaling it.
    const existing = await this.#db
      .selectFrom('baton_failed_compensations')
      .selectAll()
      .where('run_id', '=', entry.runId)
      .where('step_key', '=', entry.stepKey)
      .executeTakeFirstOrThrow();
    return toFailedCompensation(existing);
  }

  async listFailedCompensations(
    filter: { runId?: string; status?: CompensationStatus } = {},
  ): Promise<FailedCompensation[]> {
    let query = this.#db.selectFrom('baton_failed_compensations').selectAll().orderBy('created_at').orderBy('id');
    if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    return (await query.execute()).map(toFailedCompensation);
  }

  async closeFailedCompensation(id: string, status: 'resolved' | 'ignored', reason: string): Promise<boolean> {
    const now = Date.now();
    const closed = await this.#db
      .updateTable('baton_failed_compensations')
      .set({ status, reason, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .returning(['run_id', 'step_key'])
      .executeTakeFirst();
    if (closed === undefined) return false;
    const data = encodeData({ compensationId: id, status, reason }, this.#settings.blobThresholdBytes);
    const entry: EncodedEntry = {
      type: 'compensation-close',
      stepKey: closed.step_key,
      data: data.text,
      blobs: data.blobs,
    };
    try {
      await this.#journalAsOwner(closed.run_id, entry, now);
    } catch (error) {
      // Unjournaled, the close did not happen: the entry is open again for the caller to retry.
      await this.#db
        .updateTable('baton_failed_compensations')
        .set({ status: 'open', reason: null, updated_at: Date.now() })
        .where('id', '=', id)
        .where('status', '=', status)
        .execute();
      throw error;
    }
    return true;
  }

  /**
   * Appends an entry on behalf of whoever holds the run (nobody, once it finished; an engine still compensating other
   * steps, otherwise). The owner is read and the write fenced by it, so a run changing hands in between is retried.
   */
  async #journalAsOwner(runId: string, entry: EncodedEntry, now: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const run = await this.#db.selectFrom('baton_runs').select('owner').where('id', '=', runId).executeTakeFirst();
      try {
        await this.#backend.appendJournal({ runId, owner: run?.owner ?? null, entries: [entry], now });
        return;
      } catch (error) {
        if (!LeaseLostError.isInstance(error) || run === undefined || attempt >= 5) throw error;
      }
    }
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
    this.#closing ??= this.#backend.close();
    return this.#closing;
  }
}
