/**
 * The storage contract durable execution needs. One implementation over Kysely serves both dialects (SQLite, the
 * embedded default, and PostgreSQL), and one keeps everything in this process's memory; the same contract test suite
 * runs against each.
 *
 * Runs are owned through leases: an engine claims a run (atomically, `FOR UPDATE SKIP LOCKED` on PostgreSQL), renews
 * the lease with heartbeats, and every journal write is fenced by ownership, so an engine that lost its lease can no
 * longer write — no step runs twice at the same time.
 */

export type StoredRunStatus =
  /** Claimable now: new, or woken by an approval decision. */
  | 'ready'
  /** Owned by an engine holding a live lease. */
  | 'running'
  /** Parked until `wakeAt` (a timer or an approval expiry) or until an approval decision makes it ready. */
  | 'waiting'
  | 'compensating'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

export const FINISHED_STATUSES: readonly StoredRunStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface StoredRun {
  id: string;
  status: StoredRunStatus;
  /** The plan as submitted (JSON). */
  plan: unknown;
  request: unknown;
  /** Run options that must survive a restart (budget, deadline as an absolute time, maxParallel …). */
  options: unknown;
  output: unknown;
  error: unknown;
  owner: string | null;
  leaseExpiresAt: number | null;
  /** When a waiting run becomes claimable again (ms since epoch), if ever. */
  wakeAt: number | null;
  idempotencyKey: string | null;
  /** Why a cancel was requested (`requestCancel`), or null; the engine holding or next claiming the run ends it. */
  cancelRequested: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** What a lease renewal found: runs the owner lost, and runs it still holds that someone asked to cancel. */
export interface LeaseRenewal {
  lost: string[];
  /** Cancel reasons by run id, for held runs with a pending cancel request. */
  cancelRequested: Map<string, string>;
}

export interface NewRun {
  id: string;
  plan: unknown;
  request: unknown;
  options: unknown;
  idempotencyKey?: string;
  /** The engine that starts it (it holds the first lease). */
  owner: string;
  leaseMs: number;
}

/**
 * One journal entry. `hash` = SHA-256 of the canonical JSON (RFC 8785) of `{ runId, seq, type, stepKey, data,
 * prevHash }`, where `data` is the stored form: large values are replaced by `{ $blob: "<sha256>" }`, and a blob's
 * address is the SHA-256 of its own canonical JSON, so the chain commits to every byte while checking it needs no blob.
 */
export interface JournalEntry {
  runId: string;
  /** 0, 1, 2 … per run, with no gaps. */
  seq: number;
  /** `run-start`, `step-start`, `step-finish`, `step-error`, `step-skip`, `approval-request`, `timer-set`, … */
  type: string;
  /** Where in the run: `lookup`, `refine/iteration-2/draft`, `ask/replicate-3`; null for run-level entries. */
  stepKey: string | null;
  /**
   * The payload; values over the blob threshold are replaced by `{ $blob: "<sha256>" }` and stored once (a value of
   * the same shape is escaped when stored, so it reads back as written).
   */
  data: unknown;
  prevHash: string;
  hash: string;
  createdAt: number;
}

export interface NewJournalEntry {
  type: string;
  stepKey?: string | null;
  data?: unknown;
}

export type JournalVerification =
  | { ok: true; entries: number }
  | {
      ok: false;
      entries: number;
      /** The first entry that does not check out (for a gap: the first missing seq). */
      firstBadSeq: number;
      /**
       * `sequence-gap`: an entry is missing (also at the end, against the head recorded on the run — on every append
       * with PostgreSQL and memory, when the run parks or finishes with SQLite);
       * `chain-broken`: `prevHash` is not the previous entry's hash; `hash-mismatch`: the entry was altered;
       * `blob-mismatch`: a blob it references is missing or its content no longer hashes to its address.
       */
      reason: 'hash-mismatch' | 'chain-broken' | 'sequence-gap' | 'blob-mismatch';
    };

/** `withdrawn`: the run failed or was cancelled while the approval was pending; it can no longer be decided. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'withdrawn';

export interface StoredApproval {
  id: string;
  runId: string;
  stepKey: string;
  prompt: string;
  data: unknown;
  status: ApprovalStatus;
  /** What the approver sent back (approve) or the reason (reject). */
  decision: unknown;
  expiresAt: number | null;
  createdAt: number;
  decidedAt: number | null;
}

export interface ClaimOptions {
  /**
   * Also take the runs `owner` holds with a live lease: an engine restarted under the same id resumes its own runs
   * at once instead of waiting for its old leases to expire. @default false
   */
  includeOwn?: boolean;
}

export type WorkSignalStatus =
  | {
      state: 'lost';
      /** Why listening failed (a StorageUnreachableError wrapping the driver's error). */
      error: unknown;
      /** Failed attempts in a row. */
      attempt: number;
      /** When the next attempt is made. */
      retryInMs: number;
    }
  | { state: 'recovered'; downMs: number; attempts: number };

export type IdempotencyClaim =
  | { state: 'stored'; value: unknown }
  | { state: 'claimed' }
  | { state: 'held'; owner: string; leaseExpiresAt: number };

export type CompensationStatus = 'open' | 'resolved' | 'ignored';

export interface FailedCompensation {
  id: string;
  runId: string;
  stepKey: string;
  target: string;
  error: unknown;
  status: CompensationStatus;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RunStore {
  readonly dialect: 'sqlite' | 'postgres' | 'memory';

  /**
   * Stores a new run, `running` and owned by `run.owner`; a DuplicateRunError when the id or idempotency key exists.
   * `firstEntries` start its journal (a `run-start`): in the same transaction on SQLite and in memory, right after the
   * run on PostgreSQL.
   */
  createRun(run: NewRun, firstEntries?: readonly NewJournalEntry[]): Promise<StoredRun>;
  getRun(id: string): Promise<StoredRun | undefined>;
  findRunByIdempotencyKey(key: string): Promise<StoredRun | undefined>;
  listRuns(filter?: { status?: StoredRunStatus[]; limit?: number }): Promise<StoredRun[]>;

  /**
   * Atomically takes up to `limit` runs that need an engine: `ready` ones, `running` ones whose lease expired, and
   * `waiting` ones whose `wakeAt` has passed. Sets owner and lease; returns them. Concurrent claimers never get the
   * same run.
   */
  claimRuns(owner: string, leaseMs: number, limit: number, options?: ClaimOptions): Promise<StoredRun[]>;
  /**
   * Extends the lease of every listed run `owner` still owns; reports the ids it no longer owns (lost leases) and the
   * held runs someone asked to cancel, so a run executing in another process learns of a cancel within a heartbeat.
   */
  renewLeases(owner: string, runIds: readonly string[], leaseMs: number): Promise<LeaseRenewal>;
  /**
   * Records a cancel request on an unfinished run (the first reason is kept) and makes it claimable: a waiting run at
   * once, an owned one when its owner parks it (its owner also learns of it from `renewLeases`). The engine that holds
   * or next claims it compensates the finished steps and finishes it as `cancelled`. Notifies. Returns false when the
   * run is finished or does not exist.
   */
  requestCancel(runId: string, reason: string): Promise<boolean>;
  /**
   * When the next run becomes claimable: now if one already is, else the earliest wake time of a waiting run or lease
   * expiry of an owned one; null when nothing is pending. Lets an engine wait exactly as long as it must.
   */
  nextClaimableAt(): Promise<number | null>;
  /**
   * Parks a run: status `waiting`, lease released, optional wake time. Fenced by owner. If a wake-up (an approval
   * decision, `wakeRun`) arrived while the run was owned, it parks as `ready` instead, so the wake-up is not lost.
   */
  parkRun(runId: string, owner: string, wakeAt: number | null): Promise<boolean>;
  /** Makes a waiting run claimable now (after an approval decision); for an owned run, see `parkRun`. Notifies. */
  wakeRun(runId: string): Promise<void>;
  /**
   * Ends now the leases `owner` holds on unfinished runs, so they can be claimed at once: for an engine known to be
   * gone (its process no longer exists). Returns how many runs it held.
   */
  expireLeases(owner: string): Promise<number>;
  /** Sets status (e.g. `compensating`) while owned. Fenced by owner. */
  setRunStatus(runId: string, owner: string, status: StoredRunStatus): Promise<boolean>;
  /**
   * Final state; releases the lease; a failed or cancelled run's pending approvals are withdrawn. Fenced by owner.
   * `lastEntries` (a `run-finish`) are appended first — in the same transaction on SQLite and in memory; false, with
   * nothing written, when `owner` no longer holds the run.
   */
  finishRun(
    runId: string,
    owner: string,
    result: { status: 'succeeded' | 'failed' | 'cancelled'; output?: unknown; error?: unknown },
    lastEntries?: readonly NewJournalEntry[],
  ): Promise<boolean>;

  /**
   * Appends entries in order, atomically, computing seq and the hash chain; fails with a LeaseLostError (nothing
   * written) when `owner` no longer owns the run. Returns the entries with their data as given.
   */
  appendJournal(runId: string, owner: string, entries: readonly NewJournalEntry[]): Promise<JournalEntry[]>;
  /** Entries with blob references resolved back to their values. */
  readJournal(runId: string): Promise<JournalEntry[]>;
  /** Recomputes the chain; reports the first entry whose hash or link does not match. */
  verifyJournal(runId: string): Promise<JournalVerification>;

  /**
   * Stores a pending approval. Idempotent: when one with this id exists already (a replay after a crash), it is
   * returned as it is, decided or not; an id already used by another run or step is refused.
   */
  createApproval(
    approval: Omit<StoredApproval, 'status' | 'decision' | 'decidedAt' | 'createdAt'>,
  ): Promise<StoredApproval>;
  getApproval(id: string): Promise<StoredApproval | undefined>;
  listApprovals(filter?: { runId?: string; status?: ApprovalStatus }): Promise<StoredApproval[]>;
  /**
   * Records a decision once and wakes the run; returns false when the approval is missing or was already decided.
   * An approval whose expiry has passed cannot be approved or rejected any more: it is marked `expired` (waking the
   * run, which takes its `onExpire` path) and an ApprovalExpiredError is thrown.
   */
  decideApproval(id: string, status: 'approved' | 'rejected' | 'expired', decision: unknown): Promise<boolean>;

  /** Records a compensation that failed for good; once per run and step — a second call returns the first entry. */
  addFailedCompensation(
    entry: Omit<FailedCompensation, 'id' | 'status' | 'reason' | 'createdAt' | 'updatedAt'>,
  ): Promise<FailedCompensation>;
  listFailedCompensations(filter?: { runId?: string; status?: CompensationStatus }): Promise<FailedCompensation[]>;
  /**
   * `resolved` or `ignored`, with a reason, journaled on the run (`compensation-close`) whether or not an engine still
   * holds it; returns false when no open entry has that id.
   */
  closeFailedCompensation(id: string, status: 'resolved' | 'ignored', reason: string): Promise<boolean>;

  /** Idempotency results that outlive a process: the stored result of `key`, if one is (a claim is not). */
  getIdempotent(key: string): Promise<{ value: unknown } | undefined>;
  /**
   * Stores the result of `key` unless a result is stored already — the first result wins and is never overwritten
   * while it lives; a claim on the key (anyone's) gives way. Resolves with the result that stays.
   */
  putIdempotent(key: string, value: unknown, ttlMs: number): Promise<{ value: unknown }>;
  /**
   * Claims `key` for `owner` before it computes the result, atomically: `stored` when a result is there already,
   * `claimed` when the key was free (or its claim lapsed, or `owner` held it already), `held` when another owner's
   * claim still runs — wait for its result, or claim again once its lease expires.
   */
  claimIdempotent(key: string, owner: string, leaseMs: number, ttlMs: number): Promise<IdempotencyClaim>;
  /** Extends `owner`'s claim on `key`; false when it no longer holds it. */
  renewIdempotentClaim(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Drops `owner`'s claim on `key` (its call failed), so the next holder computes the result. */
  releaseIdempotent(key: string, owner: string): Promise<void>;

  /**
   * Deletes finished runs (with journal, approvals, compensations) that finished more than `olderThanMs` ago (default:
   * the store's `retentionMs`), expired idempotency keys and blobs nothing references. Returns counts.
   */
  purge(olderThanMs?: number): Promise<{ runs: number; blobs: number; idempotency: number }>;

  /**
   * Waits for a wake-up from another process (PostgreSQL LISTEN/NOTIFY on one channel) or until `timeoutMs`; returns
   * early, without error, when `signal` aborts. SQLite, having no notifications, polls cheaply (`PRAGMA data_version`)
   * instead; the memory store rings every store on its tables directly. A wake-up that arrives while nobody waits
   * makes the next call return at once.
   */
  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Wakes waiters in every process (NOTIFY). */
  notifyWork(): Promise<void>;
  /**
   * Tells `listener` when the wake-up channel is lost (waits then fall back to their timeouts, i.e. polling, while it
   * is reconnected with growing pauses) and when it is back. SQLite, which polls anyway, never reports. Returns a
   * function that stops the reports.
   */
  watchWorkSignal(listener: (status: WorkSignalStatus) => void): () => void;

  close(): Promise<void>;
}
