/**
 * The engine: validates a plan against the registry and runs it, returning a handle with the result, a stream of
 * events and `cancel()`. Breakers and idempotency keys live in the engine, so they span runs. Given a store, runs are
 * durable: journaled step by step, resumed after a crash, parked while they wait for people or timers, and undone
 * (compensated) when they fail. Where runs live is chosen once (`in-memory-runs.ts` or `stored-runs.ts`); the engine
 * itself only compiles plans, keeps the handles of its runs and checks what callers pass.
 */
import { createStoreIdempotencyStore } from '../durable/durable-idempotency.js';
import { defaultEngineId } from '../durable/engine-identity.js';
import { describeNotice, type EngineNotice } from '../durable/engine-notice.js';
import { EngineReporter } from '../durable/engine-reporter.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { requireArgument } from '../errors/require-argument.js';
import { ValidationError } from '../errors/validation-error.js';
import { keyedRunId } from '../ids/keyed-run-id.js';
import { newRunId } from '../ids/run-id.js';
import { type CompiledPlan, compiledOriginOf } from '../plan/compiled-plan.js';
import { compilePlan, validatePlan } from '../plan/validate-plan.js';
import { Breakers, DEFAULT_BREAKER } from '../resilience/breakers.js';
import { checkEngineOptions, checkRunOptions } from '../run/check-options.js';
import { createMemoryIdempotencyStore } from '../run/idempotency-store.js';
import type { EngineServices } from '../run/run-context.js';
import type { LaunchSettings } from '../run/run-launcher.js';
import { RunRecord } from '../run/run-record.js';
import type { RunHandle } from '../run/run-types.js';
import { DuplicateRunError } from '../storage/storage-errors.js';
import { breakerTarget } from './breaker-target.js';
import type { EngineRuns } from './engine-runs.js';
import type { Engine, EngineOptions } from './engine-types.js';
import { inMemoryRuns } from './in-memory-runs.js';
import { checkApprovalFilter, checkCompensationFilter } from './list-filter.js';
import { checkStorablePlan, checkStorableRequest } from './storable-request.js';
import { storedRuns } from './stored-runs.js';

export type { ApprovalView, Engine, EngineOptions } from './engine-types.js';

/** Handles remembered by idempotency key; the oldest are forgotten first (a durable engine also finds keys in its store). */
const MAX_KEYED_RUNS = 10_000;

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
  const engineId = options.engineId ?? defaultEngineId();
  const onError = options.onError ?? ((error: unknown) => console.error('[baton] durable engine:', error));
  const services = engineServices(options, engineId, onError);
  const distanceNames = Object.keys(services.distances);
  const compile = (plan: unknown) => compilePlan(plan, options.registry, { distances: distanceNames });
  const records = new Map<string, RunRecord>();
  const runsByKey = new Map<string, RunHandle>();
  const launch = launchSettings(options, services);
  let runs: EngineRuns;

  const newRecord = (runId: string, retain: boolean) => {
    const cancelRemote = (reason: string) => void runs.requestCancel(runId, reason).catch(onError);
    const record = new RunRecord(runId, retain, cancelRemote, options.store !== undefined);
    records.set(runId, record);
    void record.handle
      .result()
      .catch(() => {})
      .finally(() => records.delete(runId));
    return record;
  };
  runs = options.store
    ? storedRuns(launch, {
        store: options.store,
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
    : inMemoryRuns(launch);

  /** A plan validated here, or by another engine over the same registry and distances, is not validated again. */
  function compiledFor(plan: unknown): CompiledPlan {
    const origin = compiledOriginOf(plan);
    if (origin === undefined) return compile(plan);
    const fits = origin.registry === options.registry && origin.distances.every((d) => distanceNames.includes(d));
    return fits ? (plan as CompiledPlan) : compile((plan as CompiledPlan).source);
  }

  /** The handle of an earlier run with the same key, or undefined after remembering this one under it. */
  function keyedRun(key: string | undefined, record?: RunRecord): RunHandle | undefined {
    if (key === undefined) return undefined;
    if (record === undefined) return runsByKey.get(key);
    runsByKey.set(key, record.handle);
    record.handle.result().catch(() => runsByKey.delete(key));
    if (runsByKey.size > MAX_KEYED_RUNS) runsByKey.delete(runsByKey.keys().next().value as string);
    return undefined;
  }

  return {
    registry: options.registry,
    engineId,
    validate: (plan) => validatePlan(plan, options.registry, { distances: distanceNames }),
    compile,
    breakerState: (target) => services.breakers.state(breakerTarget(options.registry, services.breakers, target)),
    getRun: (runId) => records.get(runId)?.handle,
    cancel: (runId, reason) => cancelRun(runs, records, runId, reason),
    run(plan, request = {}, runOptions = {}) {
      checkRunOptions(runOptions);
      if (options.store) checkStorableRequest(request);
      const earlier = keyedRun(runOptions.idempotencyKey);
      if (earlier) return earlier;
      const compiled = compiledFor(plan);
      if (options.store) checkStorablePlan(compiled.source as object);
      // With a store, a keyed run's id comes from its key, so every engine on the store names that run alike.
      const keyed =
        runOptions.runId === undefined && options.store !== undefined && runOptions.idempotencyKey !== undefined;
      const runId = runOptions.runId ?? (keyed ? keyedRunId(runOptions.idempotencyKey as string) : newRunId());
      // A second record under the id would take over the first's handle: getRun and cancel would lose the live run.
      const existing = records.get(runId);
      if (existing !== undefined) {
        if (keyed) return existing.handle;
        throw new DuplicateRunError(runId, null);
      }
      const record = newRecord(runId, runOptions.retainEvents ?? true);
      keyedRun(runOptions.idempotencyKey, record);
      runs.launch(record, compiled, request, runOptions);
      return record.handle;
    },
    async submit(plan, request = {}, runOptions = {}) {
      checkRunOptions(runOptions);
      checkStorableRequest(request);
      return runs.submit(plan, request, runOptions);
    },
    async start() {
      runs.startClaiming();
    },
    close: () => runs.close(),
    async approve(approvalId, data) {
      await runs.decide(approvalId, 'approved', data ?? null);
    },
    async reject(approvalId, reason) {
      requireReason(reason, 'invalid rejection', 'say why the approval is rejected');
      await runs.decide(approvalId, 'rejected', reason);
    },
    async approvals(filter = {}) {
      checkApprovalFilter(filter);
      return runs.approvals(filter);
    },
    async failedCompensations(filter = {}) {
      checkCompensationFilter(filter);
      return runs.failedCompensations(filter);
    },
    async closeFailedCompensation(id, status, reason) {
      requireReason(reason, 'invalid close', 'give a reason for closing it');
      if (!(await runs.closeFailedCompensation(id, status, reason))) {
        throw new NotFoundError(`no open failed compensation with id "${id}"`, { query: `compensation:${id}` });
      }
    },
    verifyJournal: (runId) => runs.verifyJournal(runId),
  };
}

/** Breakers, idempotency keys (in the store when there is one), defaults and distances, shared by every run. */
function engineServices(options: EngineOptions, engineId: string, onError: (error: unknown) => void): EngineServices {
  const breakerDefaults = options.defaults?.breaker;
  return {
    registry: options.registry,
    breakers: new Breakers(breakerDefaults ? { ...DEFAULT_BREAKER, ...breakerDefaults } : DEFAULT_BREAKER),
    idempotency:
      options.idempotency ??
      (options.store
        ? createStoreIdempotencyStore(options.store, { owner: engineId, onError })
        : createMemoryIdempotencyStore()),
    defaults: { retry: options.defaults?.retry, breaker: breakerDefaults, timeoutMs: options.defaults?.timeoutMs },
    distances: options.distances ?? {},
    embed: options.embed,
  };
}

function launchSettings(options: EngineOptions, services: EngineServices): LaunchSettings {
  return {
    services,
    defaultParallel: options.defaults?.maxParallel ?? 32,
    compensationTtlMs: options.compensationTtlMs ?? 300_000,
    deliver(record, runOptions, event) {
      if (!record.isNews(event)) return;
      record.events.push(event);
      runOptions.onEvent?.(event);
      options.onEvent?.(event);
    },
  };
}

/**
 * Cancels a run wherever it is: through its handle when it runs here and, for stored runs, in the store too, so a
 * later life of it (after a restart or a takeover) knows.
 */
async function cancelRun(
  runs: EngineRuns,
  records: ReadonlyMap<string, RunRecord>,
  runId: string,
  reason: string | undefined,
): Promise<void> {
  requireArgument('engine.cancel', 'runId', typeof runId === 'string' && runId !== '', 'a run id', runId);
  requireArgument('engine.cancel', 'reason', reason === undefined || typeof reason === 'string', 'a string', reason);
  const why = reason ?? 'cancelled by the caller';
  const live = records.get(runId);
  const running = live !== undefined && !live.isSettled;
  if (running) live.handle.cancel(why);
  if (await runs.requestCancel(runId, why)) return;
  if (running) return;
  const status = (await runs.statusOf(runId)) ?? (live ? live.handle.snapshot().status : undefined);
  if (status === undefined) throw new NotFoundError(`no run with id "${runId}"`, { query: `run:${runId}` });
  throw new ValidationError(`run "${runId}" cannot be cancelled`, [
    { path: 'runId', code: 'run-finished', message: `it is ${status} already` },
  ]);
}

function requireReason(reason: unknown, summary: string, message: string): void {
  if (typeof reason === 'string' && reason.trim() !== '') return;
  throw new ValidationError(summary, [{ path: 'reason', code: 'required', message }]);
}

function logNotice(notice: EngineNotice): void {
  if (notice.type === 'run-detach' && notice.reason === 'the engine is closing') return;
  console.warn(`[baton] ${describeNotice(notice)}`);
}
