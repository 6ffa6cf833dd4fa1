/** What `createEngine` takes and what it returns. */
import type { EngineNotice } from '../durable/engine-notice.js';
import type { RunEvent } from '../events/run-event.js';
import type { Distance } from '../evidence/distance.js';
import type { CompiledPlan } from '../plan/compiled-plan.js';
import type { BreakerPolicy, Plan, RetryPolicy } from '../plan/plan.js';
import type { PlanValidation } from '../plan/validate-plan.js';
import type { Registry } from '../registry/registry.js';
import type { BreakerState } from '../resilience/breakers.js';
import type { IdempotencyStore } from '../run/idempotency-store.js';
import type { RunHandle, RunOptions } from '../run/run-types.js';
import type { FailedCompensation, JournalVerification, RunStore, StoredApproval } from '../storage/run-store.js';

export interface EngineOptions {
  registry: Registry;
  /** Policy for steps that set none. */
  defaults?: {
    /** @default { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 30000, backoffFactor: 2, jitter: 'full', maxRetryAfterMs: 300000 } */
    retry?: RetryPolicy | false;
    /** @default { threshold: 5, halfOpenAfterMs: 30000 } */
    breaker?: BreakerPolicy | false;
    timeoutMs?: number;
    /** @default 32 */
    maxParallel?: number;
  };
  /** Named distances that evidence steps may use (`evidence.distance`). */
  distances?: Record<string, Distance>;
  /** Embeds texts so evidence compares text by meaning. */
  embed?: (texts: string[]) => Promise<number[][]>;
  /**
   * Where idempotency keys live.
   * @default the store's `baton_idempotency` table when the engine has a store, else in memory (10 000 keys, one day)
   */
  idempotency?: IdempotencyStore;
  /** Makes runs durable: journaled, resumable after a crash, parkable, compensated (`openStore()`). */
  store?: RunStore;
  /** This engine's name in leases. @default `<hostname>-<pid>-<random>` */
  engineId?: string;
  /** How long a lease lasts without a heartbeat; a dead engine's runs are taken over after it. @default 15000 */
  leaseMs?: number;
  /** A run waiting only on approvals or timers is parked when the earliest wake is at least this far. @default 1000 */
  parkAfterMs?: number;
  /** Runs this engine holds at once when claiming from the store. @default 64 */
  maxActiveRuns?: number;
  /** How long one step's compensation keeps retrying before it goes to the failed-compensations list. @default 300000 */
  compensationTtlMs?: number;
  /** How often a started durable engine deletes finished runs older than the store's retention. @default 3600000 */
  purgeIntervalMs?: number;
  /** Every event of every run, including runs this engine took over from the store. */
  onEvent?: (event: RunEvent) => void;
  /**
   * Errors of the durable background loops (they keep going), and the typed reasons a durable run had to leave this
   * engine (`RunLeftError`) or the store's wake-up channel was lost. @default logs to stderr
   */
  onError?: (error: unknown) => void;
  /**
   * What a durable engine says about itself: a run it left and why (`run-detach`), a run held by another engine's
   * lease and until when (`run-lease-wait`), the store's wake-up channel lost (it polls meanwhile) and back.
   * @default logs one line per notice to stderr, except runs left because the engine closes
   */
  onNotice?: (notice: EngineNotice) => void;
}

export interface Engine {
  readonly registry: Registry;
  readonly engineId: string;
  /** Checks a plan without running it. */
  validate(plan: unknown): PlanValidation;
  /** Validates once for many runs; throws ValidationError with every problem. */
  compile(plan: unknown): CompiledPlan;
  /** Starts a run. Throws ValidationError at once for an invalid plan or options. */
  run(plan: Plan | CompiledPlan, request?: unknown, options?: RunOptions): RunHandle;
  /**
   * Durable engines: stores a run for whichever engine claims it first (this one included, once started) and returns
   * its id. The plan is validated here. With an `idempotencyKey` already given, nothing is stored: the id of the run
   * that key started comes back.
   */
  submit(
    plan: Plan,
    request?: unknown,
    options?: Pick<RunOptions, 'runId' | 'idempotencyKey' | 'maxParallel' | 'timeoutMs' | 'budget' | 'versions'>,
  ): Promise<string>;
  /** The handle of a run started here or taken over by this engine. */
  getRun(runId: string): RunHandle | undefined;
  /**
   * Cancels a run by id, wherever it is: through its handle when it runs here and, in durable engines, through the
   * store too, for whichever engine holds or next claims it. Throws NotFoundError for an unknown run and
   * ValidationError for one that has finished.
   */
  cancel(runId: string, reason?: string): Promise<void>;
  /**
   * The state of a target's circuit breaker. Breakers are per version: give `name@version`, or a name or range for its
   * best registered version. A target neither registered nor ever called is a NotFoundError.
   */
  breakerState(target: string): BreakerState;
  /** Durable engines: start the recovery sweep and keep taking over runs that need an engine. */
  start(): Promise<void>;
  /** Durable engines: stop claiming and hand the runs held here back to the store for another engine. */
  close(): Promise<void>;
  approve(approvalId: string, data?: unknown): Promise<void>;
  reject(approvalId: string, reason: string): Promise<void>;
  approvals(filter?: { runId?: string; status?: StoredApproval['status'] }): Promise<ApprovalView[]>;
  failedCompensations(filter?: {
    runId?: string;
    status?: FailedCompensation['status'];
  }): Promise<FailedCompensation[]>;
  /** Closes a failed compensation as `resolved` (done by hand) or `ignored`, with a reason; journaled. */
  closeFailedCompensation(id: string, status: 'resolved' | 'ignored', reason: string): Promise<void>;
  /** Durable engines: checks a run's journal hash chain. */
  verifyJournal(runId: string): Promise<JournalVerification>;
}

export interface ApprovalView {
  id: string;
  runId: string;
  stepKey: string;
  prompt: string;
  data: unknown;
  status: StoredApproval['status'];
  expiresAt: number | null;
}
