/**
 * The engine: validates a plan against the registry and runs it, returning a handle with the result, a stream of
 * events and `cancel()`. Breakers and idempotency keys live in the engine, so they span runs.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { BudgetTracker } from '../budget/budget-tracker.js';
import { BatonError } from '../errors/baton-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { CancelledError } from '../errors/cancelled-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { EventStream } from '../events/event-stream.js';
import type { RunEvent } from '../events/run-event.js';
import type { Distance } from '../evidence/distance.js';
import type { CompiledPlan } from '../plan/compiled-plan.js';
import type { BreakerPolicy, Budget, Plan, RetryPolicy } from '../plan/plan.js';
import { readPath } from '../plan/reference.js';
import { compilePlan, type PlanValidation, validatePlan } from '../plan/validate-plan.js';
import type { Registry } from '../registry/registry.js';
import { onTimeout } from '../resilience/abort.js';
import { type BreakerState, Breakers, DEFAULT_BREAKER } from '../resilience/breakers.js';
import { checkEngineDefaults, checkRunOptions } from './check-options.js';
import { GraphExecution } from './graph-execution.js';
import { createMemoryIdempotencyStore, type IdempotencyStore } from './idempotency-store.js';
import { Limiter } from './limiter.js';
import type { EngineServices, EventInput, RunContext } from './run-context.js';
import type { RunHandle, RunOptions, RunResult } from './run-types.js';
import { serializeError } from './serialize-error.js';

export interface EngineOptions {
  registry: Registry;
  /** Policy for steps that set none. */
  defaults?: {
    /** @default { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 30000, backoffFactor: 2, jitter: 'full' } */
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
  /** Where idempotency keys live. @default an in-memory store (10 000 keys, one day) */
  idempotency?: IdempotencyStore;
}

export interface Engine {
  readonly registry: Registry;
  /** Checks a plan without running it. */
  validate(plan: unknown): PlanValidation;
  /** Validates once for many runs; throws ValidationError with every problem. */
  compile(plan: unknown): CompiledPlan;
  /** Starts a run. Throws ValidationError at once for an invalid plan or options. */
  run(plan: Plan | CompiledPlan, request?: unknown, options?: RunOptions): RunHandle;
  /** The state of a target's circuit breaker (`name@version`). */
  breakerState(target: string): BreakerState;
}

/**
 * @example
 * const engine = createEngine({ registry });
 * const run = engine.run(plan, { data: { customerId: 'c-1' } }, { maxParallel: 8, deadline: 30_000 });
 * for await (const event of run) console.log(event.type, event.stepId);
 * const { output } = await run.result();
 */
export function createEngine(options: EngineOptions): Engine {
  if (!options?.registry) {
    throw new ValidationError('invalid engine options', [
      { path: 'registry', code: 'required', message: 'createEngine needs a registry (createRegistry())' },
    ]);
  }
  checkEngineDefaults(options.defaults);
  const breakerDefaults = options.defaults?.breaker;
  const services: EngineServices = {
    registry: options.registry,
    breakers: new Breakers(breakerDefaults ? { ...DEFAULT_BREAKER, ...breakerDefaults } : DEFAULT_BREAKER),
    idempotency: options.idempotency ?? createMemoryIdempotencyStore(),
    defaults: {
      retry: options.defaults?.retry,
      breaker: breakerDefaults,
      timeoutMs: options.defaults?.timeoutMs,
    },
    distances: options.distances ?? {},
    embed: options.embed,
  };
  const distanceNames = Object.keys(services.distances);
  const runsByKey = new Map<string, RunHandle>();
  const compile = (plan: unknown) => compilePlan(plan, options.registry, { distances: distanceNames });

  return {
    registry: options.registry,
    validate: (plan) => validatePlan(plan, options.registry, { distances: distanceNames }),
    compile,
    breakerState: (target) => services.breakers.state(target),
    run(plan, request = {}, runOptions = {}) {
      checkRunOptions(runOptions);
      const key = runOptions.idempotencyKey;
      const earlier = key === undefined ? undefined : runsByKey.get(key);
      if (earlier) return earlier;
      const compiled = isCompiled(plan) ? plan : compile(plan);
      const handle = startRun(compiled, request, runOptions, services, options.defaults?.maxParallel ?? 32);
      if (key !== undefined) {
        runsByKey.set(key, handle);
        handle.result().catch(() => runsByKey.delete(key));
      }
      return handle;
    },
  };
}

function isCompiled(plan: Plan | CompiledPlan): plan is CompiledPlan {
  return 'graph' in plan && 'source' in plan;
}

function startRun(
  plan: CompiledPlan,
  request: unknown,
  options: RunOptions,
  services: EngineServices,
  defaultParallel: number,
): RunHandle {
  const runId = options.runId ?? randomUUID();
  const startedAt = Date.now();
  const events = new EventStream<RunEvent>(options.retainEvents ?? true);
  const controller = new AbortController();
  // Every step in flight listens on the run's signal; a wide fan-out is not a leak.
  setMaxListeners(0, controller.signal);
  const budget: Budget | undefined = plan.budget || options.budget ? { ...plan.budget, ...options.budget } : undefined;
  const onEvent = options.onEvent;
  const emit = (event: EventInput) => {
    const full = { ...event, runId, timestamp: Date.now() } as RunEvent;
    events.push(full);
    if (!onEvent) return;
    try {
      onEvent(full);
    } catch (error) {
      // A listener's bug must not corrupt the scheduler it was called from: it ends the run, visibly, instead.
      if (!controller.signal.aborted) controller.abort(error);
    }
  };
  const tracker = new BudgetTracker('run', budget, undefined, (warning) =>
    emit({ type: 'budget-warning', path: [runId], ...warning }),
  );
  const context: RunContext = {
    runId,
    request,
    signal: controller.signal,
    services,
    limiter: new Limiter(options.maxParallel ?? defaultParallel),
    budget: tracker,
    stepTimeoutMs: options.timeoutMs,
    emit,
    fail: (error) => {
      if (!controller.signal.aborted) controller.abort(error);
    },
  };
  const graph = new GraphExecution(
    context,
    plan.graph,
    (path) => (path[0] === 'request' ? readPath(request, path, 1) : undefined),
    [runId],
  );
  const timers = armTimers(context, options, budget, runId, emit);
  let status: RunResult['status'] = 'running';
  let finishedAt: number | undefined;
  let output: unknown;
  let failure: unknown;

  const snapshot = (): RunResult => {
    const steps: RunResult['steps'] = {};
    for (const result of graph.results) steps[result.id] = result;
    const usage = { tokens: tracker.used.tokens, costUsd: tracker.used.costUsd };
    const result: RunResult = { runId, status, output, steps, usage, startedAt, finishedAt };
    if (failure !== undefined) result.error = serializeError(failure);
    return result;
  };

  emit({ type: 'run-start', path: [runId], steps: plan.graph.steps.length, parallelGroups: plan.parallelGroups });
  const done = graph.execute().then(
    () => {
      output = plan.output ? plan.output.resolve(graph.lookup) : sinkOutputs(plan, graph);
      status = 'succeeded';
      finishedAt = Date.now();
      emit({
        type: 'run-finish',
        path: [runId],
        output,
        durationMs: finishedAt - startedAt,
        usage: { ...tracker.used },
      });
      return snapshot();
    },
    (error: unknown) => {
      failure = error;
      finishedAt = Date.now();
      if (CancelledError.isInstance(error)) {
        status = 'cancelled';
        emit({ type: 'run-cancel', path: [runId], reason: error.message, durationMs: finishedAt - startedAt });
      } else {
        status = 'failed';
        emit({ type: 'run-error', path: [runId], error: serializeError(error), durationMs: finishedAt - startedAt });
      }
      throw error;
    },
  );
  done
    .catch(() => {})
    .finally(() => {
      for (const clear of timers) clear();
      events.close();
    });

  return {
    runId,
    result: () => done,
    events: () => events,
    [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
    cancel: (reason) => context.fail(new CancelledError(reason ?? 'cancelled by the caller')),
    snapshot,
  };
}

function sinkOutputs(plan: CompiledPlan, graph: GraphExecution): Record<string, unknown> {
  const outputs = graph.outputs();
  const out: Record<string, unknown> = {};
  for (const id of plan.graph.sinks) if (id in outputs) out[id] = outputs[id];
  return out;
}

/** Deadline, caller's signal and the run's time budget all end the run through its abort controller. */
function armTimers(
  context: RunContext,
  options: RunOptions,
  budget: Budget | undefined,
  runId: string,
  emit: (event: EventInput) => void,
): (() => void)[] {
  const clears: (() => void)[] = [];
  if (options.deadline !== undefined) {
    const ms = options.deadline instanceof Date ? options.deadline.getTime() - Date.now() : options.deadline;
    const expire = () => context.fail(new TimeoutError('run', Math.max(0, Math.round(ms))));
    // A deadline already past ends the run before any step starts.
    if (ms <= 0) expire();
    else clears.push(onTimeout(ms, expire));
  }
  if (options.signal) {
    const signal = options.signal;
    // A plain `abort()` gives a DOMException: the run still ends as cancelled, keeping the reason.
    const onAbort = () =>
      context.fail(BatonError.isInstance(signal.reason) ? signal.reason : new CancelledError(signal.reason));
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      clears.push(() => signal.removeEventListener('abort', onAbort));
    }
  }
  const limit = budget?.timeMs;
  if (limit !== undefined) {
    const warnAt = budget?.warnAt ?? 0.8;
    clears.push(
      onTimeout(limit * warnAt, () =>
        emit({ type: 'budget-warning', path: [runId], budget: 'timeMs', scope: 'run', limit, used: limit * warnAt }),
      ),
      onTimeout(limit, () =>
        context.fail(
          new BudgetExceededError({ budget: 'timeMs', scope: 'run', limit, amount: limit, phase: 'exceeded' }),
        ),
      ),
    );
  }
  return clears;
}
