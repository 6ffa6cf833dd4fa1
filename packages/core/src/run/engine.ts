/**
 * The engine: validates a plan against the registry and runs it, returning a handle with the result, a stream of
 * events and `cancel()`. Breakers and idempotency keys live in the engine, so they span runs. Given a store, runs are
 * durable: journaled step by step, resumed after a crash, parked while they wait for people or timers, and undone
 * (compensated) when they fail.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createStoreIdempotencyStore } from '../durable/durable-idempotency.js';
import { DurableRuns } from '../durable/durable-runs.js';
import { describeNotice, type EngineNotice } from '../durable/engine-notice.js';
import { EngineReporter } from '../durable/engine-reporter.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { requireArgument } from '../errors/require-argument.js';
import { ValidationError } from '../errors/validation-error.js';
import type { RunEvent } from '../events/run-event.js';
import type { Distance } from '../evidence/distance.js';
import { type CompiledPlan, compiledOriginOf } from '../plan/compiled-plan.js';
import type { BreakerPolicy, Plan, RetryPolicy } from '../plan/plan.js';
import { compilePlan, type PlanValidation, validatePlan } from '../plan/validate-plan.js';
import type { Registry } from '../registry/registry.js';
import { type BreakerState, Breakers, DEFAULT_BREAKER } from '../resilience/breakers.js';
import {
  type FailedCompensation,
  FINISHED_STATUSES,
  type JournalVerification,
  type RunStore,
  type StoredApproval,
} from '../storage/run-store.js';
import { checkEngineOptions, checkRunOptions } from './check-options.js';
import { createMemoryIdempotencyStore, type IdempotencyStore } from './idempotency-store.js';
import { MemoryPauseBroker } from './pause-broker.js';
import type { EngineServices } from './run-context.js';
import { abortPayload, compensateRun, failUnsettled, type LaunchSettings, runLife, settleRun } from './run-launcher.js';
import { RunRecord } from './run-record.js';
import type { RunHandle, RunOptions } from './run-types.js';

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
   * its id. The plan is validated here.
   */
  submit(
    plan: Plan,
    request?: unknown,
    options?: Pick<RunOptions, 'runId' | 'idempotencyKey' | 'maxParallel' | 'timeoutMs' | 'budget'>,
  ): Promise<string>;
  /** The handle of a run started here or taken over by this engine. */
  getRun(runId: string): RunHandle | undefined;
  /**
   * Cancels a run by id, wherever it is: through its handle when it runs here and, in durable engines, through the
   * store too, for whichever engine holds or next claims it. Throws NotFoundError for an unknown run and
   * ValidationError for one that has finished.
   */
  cancel(runId: string, reason?: string): Promise<void>;
  /** The state of a target's circuit breaker (`name@version`). */
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

/**
 * @example
 * const engine = createEngine({ registry, store: await openStore() });
 * await engine.start(); // resume what a previous process left unfinished
 * const run = engine.run(plan, { data: { customerId: 'c-1' } }, { maxParallel: 8, deadline: 30_000 });
 * for await (const event of run) console.log(event.type);
 * const { output } = await run.result();
 */
export function createEngine(options: EngineOptions): Engine {
  checkEngineOptions(options);
  const breakerDefaults = options.defaults?.breaker;
  const engineId = options.engineId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const services: EngineServices = {
    registry: options.registry,
    breakers: new Breakers(breakerDefaults ? { ...DEFAULT_BREAKER, ...breakerDefaults } : DEFAULT_BREAKER),
    idempotency:
      options.idempotency ??
      (options.store
        ? createStoreIdempotencyStore(options.store, { owner: engineId, onError: (error) => onError(error) })
        : createMemoryIdempotencyStore()),
    defaults: { retry: options.defaults?.retry, breaker: breakerDefaults, timeoutMs: options.defaults?.timeoutMs },
    distances: options.distances ?? {},
    embed: options.embed,
  };
  const distanceNames = Object.keys(services.distances);
  const compile = (plan: unknown) => compilePlan(plan, options.registry, { distances: distanceNames });
  const records = new Map<string, RunRecord>();
  const runsByKey = new Map<string, RunHandle>();
  const memoryPauses = new MemoryPauseBroker();
  const memoryCompensations: FailedCompensation[] = [];
  const onError = options.onError ?? ((error: unknown) => console.error('[baton] durable engine:', error));
  const launch: LaunchSettings = {
    services,
    defaultParallel: options.defaults?.maxParallel ?? 32,
    compensationTtlMs: options.compensationTtlMs ?? 300_000,
    deliver(record, runOptions, event) {
      record.events.push(event);
      runOptions.onEvent?.(event);
      options.onEvent?.(event);
    },
  };
  const newRecord = (runId: string, retain: boolean) => {
    const record = new RunRecord(runId, retain, (reason) => void cancelStored(runId, reason));
    records.set(runId, record);
    void record.handle
      .result()
      .catch(() => {})
      .finally(() => records.delete(runId));
    return record;
  };
  const store = options.store;
  const durable = store
    ? new DurableRuns(launch, {
        store,
        engineId,
        leaseMs: options.leaseMs ?? 15_000,
        parkAfterMs: options.parkAfterMs ?? 1000,
        maxActiveRuns: options.maxActiveRuns ?? 64,
        compile,
        recordFor: (runId) => records.get(runId) ?? newRecord(runId, true),
        onError,
        purgeIntervalMs: options.purgeIntervalMs ?? 3_600_000,
        reporter: new EngineReporter(options.onNotice ?? logNotice, onError),
      })
    : undefined;

  async function cancelStored(runId: string, reason: string): Promise<void> {
    // Not executing here (parked, or held by another engine): the store records the cancel and wakes the run; the
    // engine holding it (at its next heartbeat) or the next to claim it compensates it and finishes it as cancelled.
    // False means finished already, or not stored yet — then the pending cancel applies when it starts here.
    if (!store) return;
    await store.requestCancel(runId, reason).catch(onError);
  }

  function runInMemory(record: RunRecord, plan: CompiledPlan, request: unknown, runOptions: RunOptions): void {
    const deadline = deadlineOf(runOptions);
    runLife(launch, {
      record,
      plan,
      request,
      options: runOptions,
      deadline,
      runStartedAt: Date.now(),
      pauses: memoryPauses,
      durable: undefined,
      parkAfterMs: undefined,
      fresh: true,
    })
      .then(async (outcome) => {
        if (outcome.kind === 'succeeded') return settleRun(launch, record, runOptions, outcome);
        if (outcome.kind !== 'failed') return;
        const payload = abortPayload(outcome.error);
        const error = outcome.result.error ?? {
          name: 'Error',
          code: 'error',
          message: String(outcome.error),
          retryable: false,
        };
        await compensateRun(launch, record, runOptions, { error, payload }, outcome.finished, {
          done: new Set(),
          recorded: async () => {},
          onFailed: async (step, stepError) => {
            const now = Date.now();
            memoryCompensations.push({
              id: randomUUID(),
              runId: record.runId,
              stepKey: step.stepKey,
              target: step.target,
              error: stepError,
              status: 'open',
              reason: null,
              createdAt: now,
              updatedAt: now,
            });
          },
        });
        settleRun(launch, record, runOptions, outcome);
      })
      // Whatever breaks outside the steps (a listener throwing on run-finish, compensation crashing) still settles.
      .catch((error) => failUnsettled(launch, record, runOptions, error));
  }

  /** A plan validated here, or by another engine over the same registry and distances, is not validated again. */
  function compiledFor(plan: unknown): CompiledPlan {
    const origin = compiledOriginOf(plan);
    if (origin === undefined) return compile(plan);
    const fits = origin.registry === options.registry && origin.distances.every((d) => distanceNames.includes(d));
    return fits ? (plan as CompiledPlan) : compile((plan as CompiledPlan).source);
  }

  return {
    registry: options.registry,
    engineId,
    validate: (plan) => validatePlan(plan, options.registry, { distances: distanceNames }),
    compile,
    breakerState: (target) => services.breakers.state(target),
    getRun: (runId) => records.get(runId)?.handle,
    async cancel(runId, reason) {
      requireArgument('engine.cancel', 'runId', typeof runId === 'string' && runId !== '', 'a run id', runId);
      requireArgument(
        'engine.cancel',
        'reason',
        reason === undefined || typeof reason === 'string',
        'a string',
        reason,
      );
      const why = reason ?? 'cancelled by the caller';
      const live = records.get(runId);
      const running = live !== undefined && !live.isSettled;
      // A durable run is cancelled in the store as well, so a later life of it (after a restart or a takeover) knows.
      if (running) live.handle.cancel(why);
      if (store && (await store.requestCancel(runId, why))) return;
      if (running) return;
      const stored = store ? await store.getRun(runId) : undefined;
      const status = stored?.status ?? (live ? live.handle.snapshot().status : undefined);
      if (status === undefined) throw new NotFoundError(`no run with id "${runId}"`, { query: `run:${runId}` });
      throw new ValidationError(`run "${runId}" cannot be cancelled`, [
        { path: 'runId', code: 'run-finished', message: `it is ${status} already` },
      ]);
    },
    run(plan, request = {}, runOptions = {}) {
      checkRunOptions(runOptions);
      const key = runOptions.idempotencyKey;
      const earlier = key === undefined ? undefined : runsByKey.get(key);
      if (earlier) return earlier;
      const compiled = compiledFor(plan);
      const record = newRecord(runOptions.runId ?? randomUUID(), runOptions.retainEvents ?? true);
      if (key !== undefined) {
        runsByKey.set(key, record.handle);
        record.handle.result().catch(() => runsByKey.delete(key));
        // Bounded: the oldest keys are forgotten first (a durable engine also finds keys in its store).
        if (runsByKey.size > 10_000) runsByKey.delete(runsByKey.keys().next().value as string);
      }
      if (durable) {
        durable
          .start(record, compiled, request, runOptions)
          .catch((error) => failUnsettled(launch, record, runOptions, error));
      } else runInMemory(record, compiled, request, runOptions);
      return record.handle;
    },
    async submit(plan, request = {}, runOptions = {}) {
      checkRunOptions(runOptions);
      if (!store) {
        throw new ValidationError('cannot submit', [
          {
            path: 'store',
            code: 'required',
            message: 'submit() hands runs to engines through a store: createEngine({ store })',
          },
        ]);
      }
      compile(plan);
      const runId = runOptions.runId ?? randomUUID();
      await store.createRun({
        id: runId,
        plan,
        request,
        options: { maxParallel: runOptions.maxParallel, timeoutMs: runOptions.timeoutMs, budget: runOptions.budget },
        idempotencyKey: runOptions.idempotencyKey,
        owner: `submitted-by-${engineId}`,
        leaseMs: 0,
      });
      await store.notifyWork();
      return runId;
    },
    async start() {
      durable?.startClaiming();
    },
    async close() {
      await durable?.close();
    },
    async approve(approvalId, data) {
      await decide(approvalId, 'approved', data ?? null);
    },
    async reject(approvalId, reason) {
      if (typeof reason !== 'string' || reason.trim() === '') {
        throw new ValidationError('invalid rejection', [
          { path: 'reason', code: 'required', message: 'say why the approval is rejected' },
        ]);
      }
      await decide(approvalId, 'rejected', reason);
    },
    async approvals(filter = {}) {
      if (!store) {
        return memoryPauses
          .list()
          .filter((a) => filter.runId === undefined || a.runId === filter.runId)
          .filter(() => filter.status === undefined || filter.status === 'pending')
          .map((a) => ({
            id: a.id,
            runId: a.runId,
            stepKey: a.stepId,
            prompt: a.prompt,
            data: a.data,
            status: 'pending' as const,
            expiresAt: a.expiresAt,
          }));
      }
      return (await store.listApprovals(filter)).map((a) => ({
        id: a.id,
        runId: a.runId,
        stepKey: a.stepKey,
        prompt: a.prompt,
        data: a.data,
        status: a.status,
        expiresAt: a.expiresAt,
      }));
    },
    async failedCompensations(filter = {}) {
      if (store) return store.listFailedCompensations(filter);
      return memoryCompensations.filter(
        (c) =>
          (filter.runId === undefined || c.runId === filter.runId) &&
          (filter.status === undefined || c.status === filter.status),
      );
    },
    async closeFailedCompensation(id, status, reason) {
      if (typeof reason !== 'string' || reason.trim() === '') {
        throw new ValidationError('invalid close', [
          { path: 'reason', code: 'required', message: 'give a reason for closing it' },
        ]);
      }
      if (store) {
        if (!(await store.closeFailedCompensation(id, status, reason))) throw notOpen(id);
        return;
      }
      const entry = memoryCompensations.find((c) => c.id === id && c.status === 'open');
      if (!entry) throw notOpen(id);
      Object.assign(entry, { status, reason, updatedAt: Date.now() });
    },
    async verifyJournal(runId) {
      if (!durable) {
        throw new ValidationError('no journal', [
          { path: 'store', code: 'required', message: 'journals exist only for engines created with a store' },
        ]);
      }
      return durable.verifyJournal(runId);
    },
  };

  async function decide(approvalId: string, status: 'approved' | 'rejected', decision: unknown): Promise<void> {
    if (!store) return memoryPauses.decide(approvalId, status, decision);
    const approval = await store.getApproval(approvalId);
    if (!approval) throw new NotFoundError(`no approval with id "${approvalId}"`, { query: `approval:${approvalId}` });
    const run = approval.status === 'pending' ? await store.getRun(approval.runId) : undefined;
    if (run && FINISHED_STATUSES.includes(run.status)) {
      throw new ValidationError(`approval "${approvalId}" cannot be ${status}`, [
        { path: 'approvalId', code: 'run-finished', message: `its run ${approval.runId} is ${run.status} already` },
      ]);
    }
    if (!(await store.decideApproval(approvalId, status, decision))) {
      const now = await store.getApproval(approvalId);
      throw new ValidationError(`approval "${approvalId}" cannot be ${status}`, [
        { path: 'approvalId', code: 'already-decided', message: `it is ${now?.status ?? 'gone'} already` },
      ]);
    }
  }
}

function notOpen(id: string): NotFoundError {
  return new NotFoundError(`no open failed compensation with id "${id}"`, { query: `compensation:${id}` });
}

function deadlineOf(options: RunOptions): { at: number; totalMs: number } | undefined {
  if (options.deadline === undefined) return undefined;
  if (options.deadline instanceof Date) {
    const at = options.deadline.getTime();
    return { at, totalMs: at - Date.now() };
  }
  return { at: Date.now() + options.deadline, totalMs: options.deadline };
}

function logNotice(notice: EngineNotice): void {
  if (notice.type === 'run-detach' && notice.reason === 'the engine is closing') return;
  console.warn(`[baton] ${describeNotice(notice)}`);
}
