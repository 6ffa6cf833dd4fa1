/**
 * Undoes what a failed or aborted run did (a saga): every finished step whose target declares `compensate` is
 * compensated after everything that depended on it, independent ones in parallel (`compensation-order.ts`), each with
 * retries until a TTL. Finished sub-calls are undone the same way, before the step that made them
 * (`sub-call-compensation.ts`).
 * A compensation that still fails, or is still running when its TTL passes (even one whose handler ignores its
 * signal), is handed to `onFailed` (the failed-compensations list) — never silently dropped. One that has not finished
 * when `stop` aborts (a durable engine closing) is neither: it is left as it is, for the run's next life to do.
 */

import { BatonError } from '../errors/baton-error.js';
import type { SerializedError } from '../events/run-event.js';
import type { RegisteredTarget } from '../registry/target.js';
import { parseTargetRef } from '../registry/target-ref.js';
import { onTimeout, raceAbort, sleep } from '../resilience/abort.js';
import { backoffDelay, resolveRetry } from '../resilience/backoff.js';
import { isRetryable } from '../resilience/is-retryable.js';
import { undoneFirst } from './compensation-order.js';
import type { EngineServices, EventInput, FinishedStep } from './run-context.js';
import { serializeError } from './serialize-error.js';

export interface CompensationOptions {
  runId: string;
  services: EngineServices;
  finished: readonly FinishedStep[];
  reason: SerializedError;
  payload: unknown;
  /** Steps compensated in an earlier life of the run. */
  done: ReadonlySet<string>;
  /** How long one step's compensation may keep retrying. */
  ttlMs: number;
  emit(event: EventInput): void;
  /** Journals a finished compensation (durable runs). */
  recorded(stepKey: string): Promise<void>;
  /** Records a compensation that failed for good. */
  onFailed(step: FinishedStep, error: SerializedError): Promise<void>;
  /**
   * Aborted when the compensations must stop before they are done (a durable engine closing): the call under way is
   * told through its signal and no longer waited for, no other one starts, and none is recorded as failed.
   */
  stop?: AbortSignal;
}

/** How a run's compensations ended: how many failed for good, how many `stop` left for the run's next life. */
export interface CompensationOutcome {
  failed: number;
  left: number;
}

/** Undoes the finished steps that declare `compensate`, in order; resolves with how their compensations ended. */
export async function compensate(options: CompensationOptions): Promise<CompensationOutcome> {
  const { finished, services } = options;
  const byKey = new Map(finished.map((step) => [step.stepKey, step]));
  const targets = new Map<string, RegisteredTarget>();
  for (const step of finished) {
    const target = services.registry.describe(parseTargetRef(step.target));
    if (target?.compensate && !options.done.has(step.stepKey)) targets.set(step.stepKey, target);
  }
  const outcome: CompensationOutcome = { failed: 0, left: 0 };
  if (targets.size === 0) return outcome;
  const before = undoneFirst(finished, targets.keys());
  const settled = new Map<string, Promise<void>>();
  const run = (key: string): Promise<void> => {
    const existing = settled.get(key);
    if (existing) return existing;
    const work = Promise.all([...(before.get(key) ?? [])].map(run)).then(async () => {
      const ended = await compensateOne(byKey.get(key) as FinishedStep, targets.get(key) as RegisteredTarget, options);
      if (ended !== 'done') outcome[ended] += 1;
    });
    settled.set(key, work);
    return work;
  };
  await Promise.all([...targets.keys()].map(run));
  return outcome;
}

/** A compensation still running when its TTL passed; recorded as failed even if its handler never returns. */
export class CompensationTimeoutError extends BatonError {
  readonly stepId: string;
  /** `name@version` of the target whose compensation timed out. */
  readonly target: string;
  readonly ttlMs: number;
  /** Why its last attempt before the TTL failed, when one did (rather than still running). */
  readonly lastError: string | undefined;

  constructor(stepId: string, target: string, ttlMs: number, lastError?: unknown) {
    const last =
      lastError === undefined ? undefined : lastError instanceof Error ? lastError.message : String(lastError);
    super(
      'compensation-timeout',
      `the compensation of step "${stepId}" (${target}) did not finish within its TTL of ${ttlMs} ms${last === undefined ? '' : ` (its last attempt failed: ${last})`}; it is listed in failedCompensations() — undo it by hand, then close it`,
    );
    this.name = 'CompensationTimeoutError';
    this.stepId = stepId;
    this.target = target;
    this.ttlMs = ttlMs;
    this.lastError = last;
  }

  static override isInstance(error: unknown): error is CompensationTimeoutError {
    return BatonError.isInstance(error) && error.code === 'compensation-timeout';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      stepId: this.stepId,
      target: this.target,
      ttlMs: this.ttlMs,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }
}

async function compensateOne(
  step: FinishedStep,
  target: RegisteredTarget,
  options: CompensationOptions,
): Promise<'done' | 'failed' | 'left'> {
  const stopped = () => options.stop?.aborted === true;
  if (stopped()) return 'left';
  const path = [options.runId, ...step.stepKey.split('/')];
  const retry = {
    ...resolveRetry(options.services.defaults.retry || undefined),
    maxAttempts: Number.POSITIVE_INFINITY,
  };
  const deadline = Date.now() + options.ttlMs;
  const started = Date.now();
  const controller = new AbortController();
  const cancelTimer = onTimeout(options.ttlMs, () =>
    controller.abort(new CompensationTimeoutError(step.stepId, target.id, options.ttlMs)),
  );
  const onStop = () => controller.abort(options.stop?.reason);
  options.stop?.addEventListener('abort', onStop, { once: true });
  options.emit({ type: 'compensation-start', stepId: step.stepId, attempt: 1, path, target: target.id });
  let attempt = 0;
  let lastError: unknown;
  try {
    for (;;) {
      if (stopped()) return 'left';
      attempt++;
      try {
        // A handler that ignores its signal must not hold the run past the TTL: the race ends the wait, not the call.
        await raceAbort(
          Promise.resolve().then(() =>
            target.compensate?.({
              runId: options.runId,
              stepId: step.stepId,
              input: step.input,
              output: step.output,
              reason: { code: options.reason.code, message: options.reason.message },
              payload: options.payload,
              attempt,
              signal: controller.signal,
              deadline,
              idempotencyKey: `${options.runId}:${step.stepKey}:compensate`,
            }),
          ),
          controller.signal,
        );
        await options.recorded(step.stepKey);
        options.emit({
          type: 'compensation-finish',
          stepId: step.stepId,
          attempt,
          path,
          target: target.id,
          durationMs: Date.now() - started,
        });
        return 'done';
      } catch (error) {
        // Not a failure of the compensation: the run's next life calls it again, with the same idempotency key.
        if (stopped()) return 'left';
        const timedOut = controller.signal.aborted;
        if (!timedOut) lastError = error;
        const delay = backoffDelay(retry, attempt, error);
        // The target's own word that retrying cannot help ends the retries at once, like a step's.
        const last = timedOut || !isRetryable(error) || Date.now() + delay >= deadline;
        const serialized = serializeError(
          timedOut ? new CompensationTimeoutError(step.stepId, target.id, options.ttlMs, lastError) : error,
        );
        if (last) await options.onFailed(step, serialized);
        options.emit({
          type: 'compensation-error',
          stepId: step.stepId,
          attempt,
          path,
          target: target.id,
          error: serialized,
          recorded: last,
        });
        if (last) return 'failed';
        await sleep(delay, controller.signal).catch(() => {});
      }
    }
  } finally {
    cancelTimer();
    options.stop?.removeEventListener('abort', onStop);
  }
}
