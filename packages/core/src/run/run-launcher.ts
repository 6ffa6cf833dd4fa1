/**
 * What the engine and its durable side share to start a life of a run and to settle a run that ended: the events it
 * announces, compensation on failure, and the handle's result.
 */
import { AbortRunError } from '../errors/abort-run-error.js';
import { BatonError } from '../errors/baton-error.js';
import { CancelledError } from '../errors/cancelled-error.js';
import type { RunEvent, SerializedError } from '../events/run-event.js';
import type { CompiledPlan } from '../plan/compiled-plan.js';
import { type CompensationOptions, type CompensationOutcome, compensate } from './compensation.js';
import type { PauseBroker } from './pause-broker.js';
import type { DurableHooks, EngineServices, FinishedStep } from './run-context.js';
import type { RunRecord } from './run-record.js';
import { runSegment, type SegmentOutcome } from './run-segment.js';
import type { RunOptions, RunResult } from './run-types.js';
import { serializeError } from './serialize-error.js';
import type { VersionLock } from './version-lock.js';

export interface LaunchSettings {
  services: EngineServices;
  defaultParallel: number;
  compensationTtlMs: number;
  /** Delivers one event of a run to its record's stream, the run's `onEvent` and the engine's listeners. */
  deliver(record: RunRecord, options: RunOptions, event: RunEvent): void;
}

export interface LifeSetup {
  record: RunRecord;
  plan: CompiledPlan;
  request: unknown;
  options: RunOptions;
  deadline: { at: number; totalMs: number } | undefined;
  runStartedAt: number;
  pauses: PauseBroker;
  durable: DurableHooks | undefined;
  versions: VersionLock;
  parkAfterMs: number | undefined;
  fresh: boolean;
}

/** Runs one life of a run, attached to its record. */
export function runLife(settings: LaunchSettings, life: LifeSetup): Promise<SegmentOutcome> {
  const { record } = life;
  return runSegment({
    runId: record.runId,
    plan: life.plan,
    request: life.request,
    options: life.options,
    deadline: life.deadline,
    runStartedAt: life.runStartedAt,
    services: settings.services,
    defaultParallel: settings.defaultParallel,
    pauses: life.pauses,
    durable: life.durable,
    versions: life.versions,
    parkAfterMs: life.parkAfterMs,
    fresh: life.fresh,
    emit: (event) => settings.deliver(record, life.options, event),
    attach: (controls) => {
      record.current = controls;
      const pending = record.takePendingCancel();
      if (pending !== undefined) controls.cancel(pending);
    },
  });
}

export function emitFor(settings: LaunchSettings, record: RunRecord, options: RunOptions) {
  return (event: Record<string, unknown> & { type: string }) =>
    settings.deliver(record, options, { ...event, runId: record.runId, timestamp: Date.now() } as unknown as RunEvent);
}

/** The payload an `AbortRunError` carried, for compensation handlers. */
export function abortPayload(error: unknown): unknown {
  return AbortRunError.isInstance(error) ? error.payload : undefined;
}

/** Undoes finished steps of a failed run; resolves with how many compensations failed for good. */
export function compensateRun(
  settings: LaunchSettings,
  record: RunRecord,
  options: RunOptions,
  failure: { error: SerializedError; payload: unknown },
  finished: readonly FinishedStep[],
  hooks: Pick<CompensationOptions, 'done' | 'recorded' | 'onFailed' | 'stop'>,
): Promise<CompensationOutcome> {
  return compensate({
    runId: record.runId,
    services: settings.services,
    finished,
    reason: failure.error,
    payload: failure.payload,
    ttlMs: settings.compensationTtlMs,
    emit: emitFor(settings, record, options) as CompensationOptions['emit'],
    ...hooks,
  });
}

/** What a run-cancel event gives as the reason: the caller's own words, without the `cancelled: ` of the message. */
function cancelReason(error: CancelledError): string {
  const { reason } = error;
  if (typeof reason === 'string' && reason !== '') return reason;
  return reason instanceof Error ? reason.message : error.message;
}

/**
 * Tells each step that a failed or cancelled run left running that it was cancelled, so a listener that saw its
 * `step-start` also sees it end. Called before the run's compensation and its own end are told.
 */
export function announceCancelledSteps(
  settings: LaunchSettings,
  record: RunRecord,
  options: RunOptions,
  result: RunResult,
  error: unknown,
): void {
  const emit = emitFor(settings, record, options);
  const reason = CancelledError.isInstance(error)
    ? cancelReason(error)
    : error instanceof Error
      ? error.message
      : String(error);
  const now = Date.now();
  for (const step of Object.values(result.steps)) {
    if (step.status !== 'cancelled' || step.startedAt === undefined || step.finishedAt !== undefined) continue;
    emit({
      type: 'step-cancel',
      stepId: step.id,
      // A step's attempts count the tries that ended; the one the run stopped counts too.
      attempt: step.attempts + 1,
      path: [record.runId, step.id],
      target: step.target,
      reason,
      durationMs: now - step.startedAt,
    });
  }
}

/** Announces how a run ended and settles its handle. */
export function settleRun(
  settings: LaunchSettings,
  record: RunRecord,
  options: RunOptions,
  ending: { kind: 'succeeded'; result: RunResult } | { kind: 'failed'; error: unknown; result: RunResult },
): void {
  const emit = emitFor(settings, record, options);
  const durationMs = (ending.result.finishedAt ?? Date.now()) - ending.result.startedAt;
  if (ending.kind === 'succeeded') {
    emit({
      type: 'run-finish',
      path: [record.runId],
      output: ending.result.output,
      durationMs,
      usage: ending.result.usage,
    });
    record.succeed(ending.result);
    return;
  }
  if (CancelledError.isInstance(ending.error)) {
    emit({ type: 'run-cancel', path: [record.runId], reason: cancelReason(ending.error), durationMs });
  } else {
    emit({ type: 'run-error', path: [record.runId], error: serializeError(ending.error), durationMs });
  }
  record.failWith(ending.error, ending.result);
}

/**
 * Settles a run that broke outside its steps (setup, a listener, compensation, the store) with a typed error and a
 * `run-error`, so `result()` never hangs and nothing becomes an unhandled rejection. A run already settled is left
 * as it is.
 */
export function failUnsettled(settings: LaunchSettings, record: RunRecord, options: RunOptions, error: unknown): void {
  if (record.isSettled) return;
  const typed = BatonError.isInstance(error)
    ? error
    : new BatonError(
        'run-failed',
        `run ${record.runId} failed outside its steps: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
  const result = record.handle.snapshot();
  const finishedAt = Date.now();
  try {
    emitFor(
      settings,
      record,
      options,
    )({
      type: 'run-error',
      path: [record.runId],
      error: serializeError(typed),
      durationMs: finishedAt - result.startedAt,
    });
  } catch {
    // The listener that broke the run may break again; the result must settle regardless.
  }
  record.failWith(typed, { ...result, status: 'failed', finishedAt, error: serializeError(typed) });
}
