/**
 * Executes one life of a run in this process: builds its context (signal, budgets, limiter, pauses, journal hooks),
 * arms its deadline and time budget, runs the top-level graph and reports how this life ended — finished, failed,
 * parked, or detached. What happens next (compensation, storing the outcome, settling the handle) is the engine's.
 */
import { setMaxListeners } from 'node:events';
import { BudgetTracker } from '../budget/budget-tracker.js';
import { BatonError } from '../errors/baton-error.js';
import { BudgetExceededError, refusedRetryError } from '../errors/budget-exceeded-error.js';
import { CancelledError } from '../errors/cancelled-error.js';
import { type RefusedRetry, TimeoutError } from '../errors/timeout-error.js';
import type { RunEvent } from '../events/run-event.js';
import type { CompiledPlan } from '../plan/compiled-plan.js';
import type { Budget } from '../plan/plan.js';
import { readSegments } from '../plan/reference.js';
import { onTimeout } from '../resilience/abort.js';
import { GraphExecution } from './graph-execution.js';
import { HandlerCalls } from './handler-calls.js';
import { Limiter } from './limiter.js';
import type { PauseBroker } from './pause-broker.js';
import { RunActivity } from './run-activity.js';
import type { DurableHooks, EngineServices, EventInput, FinishedStep, RunContext, RunCutoff } from './run-context.js';
import { RunDetachedSignal, RunParkedSignal } from './run-signals.js';
import type { RunOptions, RunResult } from './run-types.js';
import { serializeError } from './serialize-error.js';
import type { VersionLock } from './version-lock.js';

export interface SegmentSetup {
  runId: string;
  plan: CompiledPlan;
  request: unknown;
  options: RunOptions;
  /** The run's deadline, fixed when the run was first started: when it falls and how long it was. */
  deadline: { at: number; totalMs: number } | undefined;
  /** When the run was first started (ms since epoch): its time budget counts from there. */
  runStartedAt: number;
  services: EngineServices;
  defaultParallel: number;
  pauses: PauseBroker;
  durable: DurableHooks | undefined;
  /** The versions this run's steps are locked to (`lockPlan` done by the caller, so it can store them first). */
  versions: VersionLock;
  /** Park when every running step waits on people or timers, unless the earliest wake is sooner than this. */
  parkAfterMs: number | undefined;
  emit(event: RunEvent): void;
  /** The run's first life announces `run-start`; later lives were announced with `run-resume`. */
  fresh: boolean;
  /** Receives the live segment's controls. */
  attach(controls: {
    cancel(reason?: string): void;
    snapshot(): RunResult;
    detach(reason: string, cause?: unknown): void;
  }): void;
}

/** How long a run a budget stopped waits for the handler calls it aborted to settle, before it reports its usage. */
export const BUDGET_STOP_GRACE_MS = 5000;

export type SegmentOutcome =
  | { kind: 'succeeded'; result: RunResult }
  | { kind: 'failed'; error: unknown; result: RunResult; finished: FinishedStep[] }
  | { kind: 'parked'; wakeAt: number | null; result: RunResult }
  | {
      kind: 'detached';
      error: unknown;
      result: RunResult;
      /** Resolves once the handler calls this life started have settled (durable runs). */
      callsSettled: () => Promise<void>;
    };

export async function runSegment(setup: SegmentSetup): Promise<SegmentOutcome> {
  const { runId, plan, request, options } = setup;
  const startedAt = Date.now();
  const controller = new AbortController();
  // Every step in flight listens on the run's signal; a wide fan-out is not a leak.
  setMaxListeners(0, controller.signal);
  const budget: Budget | undefined = plan.budget || options.budget ? { ...plan.budget, ...options.budget } : undefined;
  let ended = false;
  const deliver = (event: RunEvent) => {
    try {
      setup.emit(event);
    } catch (error) {
      // A listener's bug must not corrupt the scheduler it was called from: it ends the run, visibly, instead; once
      // the run has ended (a durable run's last step is told after its finish is stored) it is reported.
      if (ended) setup.durable?.lateListenerError(error);
      else if (!controller.signal.aborted) controller.abort(error);
    }
  };
  // A durable run tells nothing before it is journaled: an event waits for the entries written before it.
  const emit = (event: EventInput) => {
    const stamped = { ...event, runId, timestamp: Date.now() } as RunEvent;
    if (setup.durable) setup.durable.afterDurable(() => deliver(stamped));
    else deliver(stamped);
  };
  const fail = (error: unknown) => {
    if (!controller.signal.aborted) controller.abort(error);
  };
  const activity = new RunActivity();
  const context: RunContext = {
    runId,
    request,
    signal: controller.signal,
    services: setup.services,
    limiter: new Limiter(options.maxParallel ?? setup.defaultParallel),
    budget: new BudgetTracker('run', budget, undefined, (warning) =>
      emit({ type: 'budget-warning', ...warning, path: warning.path ?? [runId] }),
    ),
    stepTimeoutMs: options.timeoutMs,
    cutoff: cutoffOf(setup.deadline, setup.runStartedAt, budget),
    pauses: setup.pauses,
    activity,
    durable: setup.durable,
    handlerCalls: new HandlerCalls(),
    finished: [],
    versions: setup.versions,
    emit,
    fail,
  };
  if (setup.parkAfterMs !== undefined) {
    const parkAfterMs = setup.parkAfterMs;
    // The deadline (or time budget) wakes a parked run like a timer does, so whichever engine claims it then fails it.
    const cutoffAt = context.cutoff?.at ?? null;
    const parkIfIdle = () => {
      const timerAt = activity.idleWakeAt();
      if (timerAt === undefined || controller.signal.aborted) return;
      const wakeAt = cutoffAt === null || (timerAt !== null && timerAt < cutoffAt) ? timerAt : cutoffAt;
      if (wakeAt === null || wakeAt - Date.now() >= parkAfterMs) fail(new RunParkedSignal(wakeAt));
    };
    // Decided a moment later: a step that just left (a rejected or expired approval) fails the run first, so a run
    // that has failed is never parked instead.
    activity.onIdle = () => queueMicrotask(parkIfIdle);
  }
  const graph = new GraphExecution(
    context,
    plan.graph,
    (path) => (path[0] === 'request' ? readSegments(request, path, 1) : undefined),
    [runId],
  );
  const snapshot = (status: RunResult['status'], output?: unknown, error?: unknown): RunResult => {
    const steps: RunResult['steps'] = {};
    for (const result of graph.results) {
      // A run that ended left its in-flight steps cancelled, even if their handlers have not returned yet.
      if (status !== 'running' && result.status === 'running') result.status = 'cancelled';
      steps[result.id] = result;
    }
    const usage = { tokens: context.budget.used.tokens, costUsd: context.budget.used.costUsd };
    const finishedAt = status === 'running' ? undefined : Date.now();
    const versions = setup.versions.snapshot();
    const result: RunResult = { runId, status, output, steps, usage, startedAt, finishedAt, versions };
    if (error !== undefined) result.error = serializeError(error);
    return result;
  };
  setup.attach({
    cancel: (reason) => fail(new CancelledError(reason ?? 'cancelled by the caller')),
    snapshot: () => snapshot('running'),
    detach: (reason, cause) => fail(new RunDetachedSignal(reason, { cause })),
  });
  if (setup.fresh) {
    emit({
      type: 'run-start',
      path: [runId],
      steps: plan.graph.steps.length,
      parallelGroups: plan.parallelGroups,
      versions: setup.versions.snapshot(),
    });
  }
  const clears = armTimers(context, options, setup.deadline, setup.runStartedAt, budget, emit);
  try {
    await graph.execute();
    // Effect-free steps' entries (and the events held behind them) may still be in flight: the run has succeeded
    // only once they are stored and a listener has seen its last events without throwing.
    const journaled = setup.durable?.settled();
    if (journaled) await journaled.catch(() => {});
    if (controller.signal.aborted) throw controller.signal.reason;
    const output = plan.output ? plan.output.resolve(graph.lookup) : sinkOutputs(plan, graph);
    const result = snapshot('succeeded', output);
    return { kind: 'succeeded', result };
  } catch (error) {
    if (RunParkedSignal.isInstance(error)) return { kind: 'parked', wakeAt: error.wakeAt, result: snapshot('running') };
    if (RunDetachedSignal.isInstance(error) || hasCode(error, 'lease-lost')) {
      const calls = context.handlerCalls;
      return {
        kind: 'detached',
        error,
        result: snapshot('running'),
        callsSettled: () => calls?.settled() ?? Promise.resolve(),
      };
    }
    const status = CancelledError.isInstance(error) ? 'cancelled' : 'failed';
    // A step whose call returned waits for its entry: once stored, the step succeeded, and the snapshot says so.
    await setup.durable?.settled()?.catch(() => {});
    // Calls a budget cut off may still report what they spent: the result counts it (see BUDGET_STOP_GRACE_MS).
    if (BudgetExceededError.isInstance(error)) await context.handlerCalls?.settledWithin(BUDGET_STOP_GRACE_MS);
    return { kind: 'failed', error, result: snapshot(status, undefined, error), finished: context.finished };
  } finally {
    ended = true;
    for (const clear of clears) clear();
  }
}

function deadlineError(deadline: NonNullable<SegmentSetup['deadline']>, refusedRetry?: RefusedRetry): TimeoutError {
  return new TimeoutError('run', Math.max(0, Math.round(deadline.totalMs)), refusedRetry ? { refusedRetry } : {});
}

function timeBudgetError(limit: number, runStartedAt: number, refused?: RefusedRetry): BudgetExceededError {
  if (refused === undefined) {
    return new BudgetExceededError({ budget: 'timeMs', scope: 'run', limit, amount: limit, phase: 'exceeded' });
  }
  return refusedRetryError('run', limit, Date.now() - runStartedAt, refused);
}

/**
 * Whichever comes first of the deadline and the run's time budget. A retry wait that would outlast it ends the run
 * now, with the same error the cut-off would bring.
 */
function cutoffOf(
  deadline: SegmentSetup['deadline'],
  runStartedAt: number,
  budget: Budget | undefined,
): RunCutoff | undefined {
  const limit = budget?.timeMs;
  const budgetAt = limit === undefined ? undefined : runStartedAt + limit;
  if (deadline !== undefined && (budgetAt === undefined || deadline.at <= budgetAt)) {
    return { at: deadline.at, error: (refused) => deadlineError(deadline, refused) };
  }
  if (budgetAt === undefined || limit === undefined) return undefined;
  return {
    at: budgetAt,
    error: (refused) => timeBudgetError(limit, runStartedAt, refused),
  };
}

function hasCode(error: unknown, code: string): boolean {
  return BatonError.isInstance(error) && error.code === code;
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
  deadline: SegmentSetup['deadline'],
  runStartedAt: number,
  budget: Budget | undefined,
  emit: (event: EventInput) => void,
): (() => void)[] {
  const clears: (() => void)[] = [];
  const { runId } = context;
  if (deadline !== undefined) {
    const ms = deadline.at - Date.now();
    const expire = () => context.fail(deadlineError(deadline));
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
    const elapsed = Date.now() - runStartedAt;
    clears.push(
      onTimeout(Math.max(0, limit * warnAt - elapsed), () =>
        emit({ type: 'budget-warning', path: [runId], budget: 'timeMs', scope: 'run', limit, used: limit * warnAt }),
      ),
      onTimeout(Math.max(0, limit - elapsed), () => context.fail(timeBudgetError(limit, runStartedAt))),
    );
  }
  return clears;
}
