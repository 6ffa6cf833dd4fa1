import type { RunsTable } from './database-schema.js';
import { appendedEntries, encodeEntries } from './journal-append.js';
import { type JournalSource, readJournal, verifyJournal } from './journal-reader.js';
import {
  addMemoryFailedCompensation,
  closeMemoryFailedCompensation,
  createMemoryApproval,
  decideMemoryApproval,
  listMemoryApprovals,
  listMemoryFailedCompensations,
} from './memory-approvals.js';
import {
  claimMemoryIdempotent,
  getMemoryIdempotent,
  putMemoryIdempotent,
  releaseMemoryIdempotent,
  renewMemoryIdempotentClaim,
} from './memory-idempotency.js';
import { appendMemoryJournal, memoryJournalSource } from './memory-journal.js';
import {
  claimMemoryRuns,
  compareIds,
  nextMemoryClaimableAt,
  renewMemoryLeases,
  WAKEABLE,
  wakeMemoryRun,
} from './memory-leases.js';
import { purgeMemory } from './memory-purge.js';
import type { MemoryTables } from './memory-tables.js';
import { newRunRow } from './new-rows.js';
import { toJsonText, toStoredApproval, toStoredRun } from './row-mapping.js';
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
} from './run-store.js';
import { ApprovalExpiredError, DuplicateRunError } from './storage-errors.js';
import { WorkSignal } from './work-signal.js';

export interface MemoryStoreOptions {
  /** Journal data whose canonical JSON is larger than this is stored once, by content hash. @default 65536 */
  blobThresholdBytes?: number;
  /** How long finished runs are kept; the default for `purge()`. @default 2592000000 (30 days) */
  retentionMs?: number;
}

export interface MemoryStoreSettings {
  blobThresholdBytes: number;
  retentionMs: number;
}

export class MemoryRunStore implements RunStore {
  readonly dialect = 'memory';
  readonly #tables: MemoryTables;
  readonly #settings: MemoryStoreSettings;
  readonly #journal: JournalSource;
  readonly #signal = new WorkSignal();

  constructor(tables: MemoryTables, settings: MemoryStoreSettings) {
    this.#tables = tables;
    this.#settings = settings;
    this.#journal = memoryJournalSource(tables);
    tables.attach(this.#signal);
  }

  /** Another store on the same data, as a second engine process would open on the same database. */
  share(): MemoryRunStore {
    return new MemoryRunStore(this.#tables, this.#settings);
  }

  async createRun(run: NewRun, firstEntries: readonly NewJournalEntry[] = []): Promise<StoredRun> {
    const tables = this.#tables;
    const byKey = run.idempotencyKey === undefined ? undefined : tables.runKeys.get(run.idempotencyKey);
    if (byKey !== undefined) throw new DuplicateRunError(byKey, run.idempotencyKey!);
    if (tables.runs.has(run.id)) throw new DuplicateRunError(run.id, null);
    const now = Date.now();
    const row = newRunRow(run, now);
    // Encoded before anything changes: an entry that cannot be stored leaves no run behind.
    const entries = encodeEntries(firstEntries, this.#settings.blobThresholdBytes);
    tables.runs.set(row.id, row);
    tables.track(row);
    if (row.idempotency_key !== null) tables.runKeys.set(row.idempotency_key, row.id);
    if (entries.length > 0) appendMemoryJournal(tables, { runId: row.id, owner: run.owner, entries, now });
    return toStoredRun(row);
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const row = this.#tables.runs.get(id);
    return row && toStoredRun(row);
  }

  async findRunByIdempotencyKey(key: string): Promise<StoredRun | undefined> {
    const id = this.#tables.runKeys.get(key);
    return id === undefined ? undefined : this.getRun(id);
  }

  async listRuns(filter: { status?: StoredRunStatus[]; limit?: number } = {}): Promise<StoredRun[]> {
    const statuses = filter.status;
    if (statuses?.length === 0) return [];
    const rows = [...this.#tables.runs.values()]
      .filter((row) => statuses === undefined || statuses.includes(row.status as StoredRunStatus))
      .sort((a, b) => b.created_at - a.created_at || compareIds(b.id, a.id));
    return (filter.limit === undefined ? rows : rows.slice(0, Math.max(0, filter.limit))).map(toStoredRun);
  }

  async claimRuns(owner: string, leaseMs: number, limit: number, options: ClaimOptions = {}): Promise<StoredRun[]> {
    if (limit <= 0) return [];
    return claimMemoryRuns(this.#tables, owner, leaseMs, limit, options.includeOwn === true).map(toStoredRun);
  }

  async renewLeases(owner: string, runIds: readonly string[], leaseMs: number): Promise<LeaseRenewal> {
    return renewMemoryLeases(this.#tables, owner, runIds, leaseMs);
  }

  async requestCancel(runId: string, reason: string): Promise<boolean> {
    const row = this.#tables.runs.get(runId);
    if (row === undefined || !(row.status === 'ready' || WAKEABLE.includes(row.status))) return false;
    wakeMemoryRun(row);
    row.cancel_requested ??= reason;
    row.updated_at = Date.now();
    await this.notifyWork();
    return true;
  }

  async nextClaimableAt(): Promise<number | null> {
    return nextMemoryClaimableAt(this.#tables, Date.now());
  }

  async parkRun(runId: string, owner: string, wakeAt: number | null): Promise<boolean> {
    const row = this.#owned(runId, owner);
    if (row === undefined) return false;
    const now = Date.now();
    Object.assign(row, {
      status: row.wake_requested === 1 ? 'ready' : 'waiting',
      wake_requested: 0,
      owner: null,
      lease_expires_at: null,
      wake_at: wakeAt,
      updated_at: now,
    });
    // A wake time, however far, is news to claim loops sleeping until an earlier guess: they look again and sleep
    // until it (a run parked on a 300 ms wait is woken after 300 ms, not at the loop's next look).
    if (row.status === 'ready' || wakeAt !== null) await this.notifyWork();
    return true;
  }

  async wakeRun(runId: string): Promise<void> {
    const row = this.#tables.runs.get(runId);
    if (row === undefined || !WAKEABLE.includes(row.status)) return;
    wakeMemoryRun(row);
    row.updated_at = Date.now();
    await this.notifyWork();
  }

  async expireLeases(owner: string): Promise<number> {
    const now = Date.now();
    let expired = 0;
    for (const row of this.#tables.runs.values()) {
      if (row.owner !== owner || row.finished_at !== null) continue;
      row.lease_expires_at = now - 1;
      row.updated_at = now;
      this.#tables.track(row);
      expired++;
    }
    if (expired > 0) await this.notifyWork();
    return expired;
  }

  async setRunStatus(runId: string, owner: string, status: StoredRunStatus): Promise<boolean> {
    const row = this.#owned(runId, owner);
    if (row === undefined) return false;
    row.status = status;
    row.updated_at = Date.now();
    this.#tables.track(row);
    return true;
  }

  async finishRun(
    runId: string,
    owner: string,
    result: { status: 'succeeded' | 'failed' | 'cancelled'; output?: unknown; error?: unknown },
    lastEntries: readonly NewJournalEntry[] = [],
  ): Promise<boolean> {
    const row = this.#owned(runId, owner);
    if (row === undefined) return false;
    const now = Date.now();
    // All are serialised before anything changes, so a value that cannot be stored leaves the run as it was.
    const output = toJsonText(result.output);
    const error = toJsonText(result.error);
    const entries = encodeEntries(lastEntries, this.#settings.blobThresholdBytes);
    if (entries.length > 0) appendMemoryJournal(this.#tables, { runId, owner, entries, now });
    Object.assign(row, {
      status: result.status,
      output,
      error,
      owner: null,
      lease_expires_at: null,
      wake_at: null,
      wake_requested: 0,
      updated_at: now,
      finished_at: now,
    });
    this.#tables.track(row);
    // Only a failed or cancelled run can leave approvals pending; nobody waits for them any more.
    if (result.status === 'succeeded') return true;
    for (const approval of this.#tables.approvals.values()) {
      if (approval.run_id !== runId || approval.status !== 'pending') continue;
      approval.status = 'withdrawn';
      approval.decided_at = now;
    }
    return true;
  }

  async appendJournal(runId: string, owner: string, entries: readonly NewJournalEntry[]): Promise<JournalEntry[]> {
    const encoded = encodeEntries(entries, this.#settings.blobThresholdBytes);
    const now = Date.now();
    const chained = appendMemoryJournal(this.#tables, { runId, owner, entries: encoded, now });
    return appendedEntries(runId, entries, chained, now);
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
    return createMemoryApproval(this.#tables, approval);
  }

  async getApproval(id: string): Promise<StoredApproval | undefined> {
    const row = this.#tables.approvals.get(id);
    return row && toStoredApproval(row);
  }

  async listApprovals(filter: { runId?: string; status?: ApprovalStatus } = {}): Promise<StoredApproval[]> {
    return listMemoryApprovals(this.#tables, filter);
  }

  async decideApproval(id: string, status: 'approved' | 'rejected' | 'expired', decision: unknown): Promise<boolean> {
    const now = Date.now();
    const runId = decideMemoryApproval(this.#tables, id, status, decision, now);
    if (runId !== undefined) {
      const run = this.#tables.runs.get(runId);
      if (run !== undefined && WAKEABLE.includes(run.status)) {
        wakeMemoryRun(run);
        run.updated_at = now;
      }
      await this.notifyWork();
    }
    if (status !== 'expired') {
      // Expired now (marked so just above) or earlier: either way the decision came too late.
      const approval = this.#tables.approvals.get(id);
      if (approval?.status === 'expired' && approval.expires_at !== null) {
        throw new ApprovalExpiredError(id, approval.expires_at);
      }
    }
    return runId !== undefined;
  }

  async addFailedCompensation(
    entry: Omit<FailedCompensation, 'id' | 'status' | 'reason' | 'createdAt' | 'updatedAt'>,
  ): Promise<FailedCompensation> {
    return addMemoryFailedCompensation(this.#tables, entry);
  }

  async listFailedCompensations(
    filter: { runId?: string; status?: CompensationStatus } = {},
  ): Promise<FailedCompensation[]> {
    return listMemoryFailedCompensations(this.#tables, filter);
  }

  async closeFailedCompensation(id: string, status: 'resolved' | 'ignored', reason: string): Promise<boolean> {
    return closeMemoryFailedCompensation(this.#tables, id, status, reason, this.#settings.blobThresholdBytes);
  }

  async getIdempotent(key: string): Promise<{ value: unknown } | undefined> {
    return getMemoryIdempotent(this.#tables, key);
  }

  async putIdempotent(key: string, value: unknown, ttlMs: number): Promise<{ value: unknown }> {
    return putMemoryIdempotent(this.#tables, key, value, ttlMs);
  }

  async claimIdempotent(key: string, owner: string, leaseMs: number, ttlMs: number): Promise<IdempotencyClaim> {
    return claimMemoryIdempotent(this.#tables, key, owner, leaseMs, ttlMs);
  }

  async renewIdempotentClaim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return renewMemoryIdempotentClaim(this.#tables, key, owner, leaseMs);
  }

  async releaseIdempotent(key: string, owner: string): Promise<void> {
    releaseMemoryIdempotent(this.#tables, key, owner);
  }

  async purge(
    olderThanMs: number = this.#settings.retentionMs,
  ): Promise<{ runs: number; blobs: number; idempotency: number }> {
    return purgeMemory(this.#tables, olderThanMs, Date.now());
  }

  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.#signal.wait(timeoutMs, signal);
  }

  /** Rings every store on these tables, this one included, at once. */
  async notifyWork(): Promise<void> {
    this.#tables.notify();
  }

  /** Wake-ups never leave the process, so there is no channel to lose. */
  watchWorkSignal(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.#tables.detach(this.#signal);
    this.#signal.releaseAll();
  }

  #owned(runId: string, owner: string): RunsTable | undefined {
    const row = this.#tables.runs.get(runId);
    return row !== undefined && row.owner === owner ? row : undefined;
  }
}
