/**
 * Calls the targets of one step until one succeeds: its own target, then each fallback — each at the version the run
 * locked for it, through the migrations that serve it — through its circuit breaker, with retries and backoff, a
 * per-attempt timeout, a budget reservation, input and output checks.
 */
import type { BudgetTracker } from '../budget/budget-tracker.js';
import { AbortRunError } from '../errors/abort-run-error.js';
import { BreakerOpenError } from '../errors/breaker-open-error.js';
import { BudgetExceededError, refusedRetryError } from '../errors/budget-exceeded-error.js';
import { MigrationFailedError } from '../errors/migration-failed-error.js';
import { clipText } from '../errors/quote-text.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import { type RefusedRetry, TimeoutError } from '../errors/timeout-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { CompiledStep } from '../plan/compiled-plan.js';
import { migrateInput, migrateOutput, type RegisteredMigration } from '../registry/migrations.js';
import type { RegisteredTarget, Usage } from '../registry/target.js';
import { parseTargetRef, type TargetQuery } from '../registry/target-ref.js';
import { abortError, onTimeout, raceAbort, sleep, sleepUntil } from '../resilience/abort.js';
import { backoffDelay, type ResolvedRetry, resolveRetry } from '../resilience/backoff.js';
import { isRetryable } from '../resilience/is-retryable.js';
import type { Attempting, StepOutcome } from './attempting.js';
import { checkedUsage } from './checked-usage.js';
import { retryEntry } from './retry-memo.js';
import type { RunContext } from './run-context.js';
import { serializeError } from './serialize-error.js';
import { subCallTools } from './sub-calls.js';
import type { LockedRoute } from './version-lock.js';

export type { Attempting, StepOutcome } from './attempting.js';

/** Tries the step's target, then each fallback, until one succeeds. */
export async function executeTargets(
  run: RunContext,
  step: CompiledStep,
  input: unknown,
  tracker: BudgetTracker,
  attempting: Attempting,
  signal: AbortSignal,
  key: string | undefined,
): Promise<StepOutcome> {
  const refs = targetsOf(step);
  const retry = resolveRetry(step.policy?.retry ?? run.services.defaults.retry);
  let lastError: unknown;
  let lastLabel = step.targetLabel;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i] as TargetQuery;
    let locked: LockedRoute;
    try {
      locked = run.versions.route(step.id, i, ref);
    } catch (error) {
      lastError = error;
      handOver(run, step, attempting, labelOfQuery(ref), refs[i + 1], error);
      continue;
    }
    // A new lock is stored before its first call: a crash must not let a resumed run pick another version.
    if (locked.recorded) await raceAbort(locked.recorded, signal);
    const { target, migrations } = locked.route;
    lastLabel = target.id;
    if (target.effects !== 'none') attempting.effects = 'external';
    const breakerOn = (step.policy?.breaker ?? run.services.defaults.breaker) !== false;
    if (breakerOn && run.services.breakers.isOpen(target.id)) {
      lastError = run.services.breakers.openError(target.id);
    } else {
      try {
        const migrated = migrations.length > 0 ? await migrateInput(migrations, input) : input;
        const call = { target, breakerOn, key, scope: i === 0 ? '' : `fallback-${i}/`, migrations };
        const output = await attemptWithRetries(run, step, call, migrated, tracker, attempting, signal, retry);
        return {
          output: migrations.length > 0 ? await migrateOutput(migrations, output) : output,
          target: target.id,
          attempts: attempting.attempts,
          usage: { ...attempting.usage },
          reused: false,
          effects: attempting.effects,
        };
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        if (BudgetExceededError.isInstance(error) || AbortRunError.isInstance(error)) throw error;
        lastError = error;
      }
    }
    handOver(run, step, attempting, target.id, refs[i + 1], lastError);
  }
  throw new StepFailedError(step.id, lastLabel, attempting.attempts, lastError);
}

/** Announces that the step goes on with its next fallback, if there is one. */
function handOver(
  run: RunContext,
  step: CompiledStep,
  attempting: Attempting,
  from: string,
  next: TargetQuery | undefined,
  error: unknown,
): void {
  if (next === undefined) return;
  run.emit({
    type: 'step-fallback',
    stepId: step.id,
    attempt: attempting.attempts + 1,
    path: attempting.path,
    from,
    to: labelOfQuery(next),
    error: serializeError(error),
  });
}

/** One target of a step: what it is, whether its breaker is on, and the step's idempotency key. */
interface TargetCall {
  target: RegisteredTarget;
  breakerOn: boolean;
  key: string | undefined;
  /** Where the target's sub-calls are kept: `''` for the step's own target, `fallback-<n>/` for a fallback. */
  scope: string;
  /** The migrations the input went through (none for most calls). */
  migrations: readonly RegisteredMigration[];
}

/**
 * A `TypeError` from a target called through migrations is most likely the migration's doing (it read a field the
 * step's input does not have): it is reported as such, and not retried — the same input would fail the same way.
 */
function migrationFault(call: TargetCall, input: unknown, error: unknown): MigrationFailedError | undefined {
  const { migrations } = call;
  if (migrations.length === 0 || !(error instanceof TypeError)) return undefined;
  const from = migrations[0]!.from;
  const to = migrations.at(-1)!.to;
  return new MigrationFailedError({
    name: call.target.name,
    from,
    to,
    direction: 'input',
    cause: error,
    migratedInput: input,
  });
}

async function attemptWithRetries(
  run: RunContext,
  step: CompiledStep,
  targetCall: TargetCall,
  input: unknown,
  tracker: BudgetTracker,
  attempting: Attempting,
  signal: AbortSignal,
  retry: ResolvedRetry,
): Promise<unknown> {
  // A call that may change the world waits until everything the run did before it is journaled: a crash must never
  // replay, differently, a step whose outcome this call already acted on outside.
  const { target, breakerOn } = targetCall;
  const journaled = target.effects === 'none' ? undefined : run.durable?.settled();
  if (journaled) await raceAbort(journaled, signal);
  const earlier = run.durable?.recallRetry(attempting.stepKey, targetCall.scope);
  if (earlier) {
    // An earlier life of the run scheduled a retry: go on counting from there, after what is left of its delay.
    attempting.attempts = Math.max(attempting.attempts, earlier.attempts);
    // Until the clock reads it, not a timer's delay: a timer may fire a millisecond early by `Date.now()`.
    await sleepUntil(earlier.retryAt, signal);
  }
  for (let attempt = (earlier?.failed ?? 0) + 1; ; attempt++) {
    attempting.attempts++;
    try {
      const call = () => attemptOnce(run, step, targetCall, input, tracker, attempting, signal);
      const breakerConfig = step.policy?.breaker || run.services.defaults.breaker || undefined;
      return breakerOn ? await run.services.breakers.execute(target.id, breakerConfig, call, signal) : await call();
    } catch (error) {
      // An open breaker refused the call before it was made: that was no attempt.
      if (BreakerOpenError.isInstance(error)) attempting.attempts--;
      if (signal.aborted) throw abortError(signal);
      const fault = migrationFault(targetCall, input, error);
      if (fault) throw fault;
      if (
        attempt >= retry.maxAttempts ||
        !isRetryable(error, retry.nonRetryable) ||
        BreakerOpenError.isInstance(error)
      ) {
        throw error;
      }
      const delayMs = backoffDelay(retry, attempt, error);
      const lastError = clipText(error instanceof Error ? error.message : String(error), 300);
      refuseWaitPastCutoff(run, step, tracker, { stepId: step.id, delayMs, lastError });
      refuseRetryIntoOpenBreaker(run, targetCall, error, delayMs);
      scheduleRetry(run, attempting, targetCall, attempt, delayMs);
      run.emit({
        type: 'step-retry',
        stepId: step.id,
        attempt: attempting.attempts + 1,
        path: attempting.path,
        target: target.id,
        error: serializeError(error),
        delayMs,
      });
      await sleep(delayMs, signal);
    }
  }
}

/** Journals, in a durable run, that attempt `failed` of the call failed and the next is due after `delayMs`. */
function scheduleRetry(run: RunContext, attempting: Attempting, call: TargetCall, failed: number, delayMs: number) {
  const entry = retryEntry(attempting.stepKey, {
    scope: call.scope,
    target: call.target.id,
    failed,
    attempts: attempting.attempts,
    retryAt: Date.now() + delayMs,
  });
  // Early: nothing waits for it. Were it lost, the writer breaks and the run is taken up again from its journal.
  run.durable?.record(entry, true).catch(() => {});
}

/**
 * This failure opened the target's breaker (or it was open already), and it will still be open when the retry would
 * start: the retry would be refused, so none is announced — the step fails now, saying the breaker opened and why.
 */
function refuseRetryIntoOpenBreaker(run: RunContext, call: TargetCall, error: unknown, delayMs: number): void {
  if (!call.breakerOn || !run.services.breakers.isOpen(call.target.id)) return;
  const open = run.services.breakers.openError(call.target.id, error);
  if (open.retryAt === undefined || open.retryAt > Date.now() + delayMs) throw open;
}

/**
 * A retry that could only start once the run's deadline or time budget, or the step's time budget, has run out is
 * pointless: it fails now with the error that cut-off would bring, instead of sleeping into it.
 */
function refuseWaitPastCutoff(
  run: RunContext,
  step: CompiledStep,
  tracker: BudgetTracker,
  refused: RefusedRetry,
): void {
  const stepLimit = step.budget?.timeMs;
  if (stepLimit !== undefined && tracker.elapsedMs + refused.delayMs >= stepLimit) {
    throw refusedRetryError(step.id, stepLimit, tracker.elapsedMs, refused);
  }
  const { cutoff } = run;
  if (cutoff !== undefined && Date.now() + refused.delayMs >= cutoff.at) {
    const error = cutoff.error(refused);
    run.fail(error);
    throw error;
  }
}

/** One call of one target: budget reservation, input and output checks, a timeout, and the handler. */
async function attemptOnce(
  run: RunContext,
  step: CompiledStep,
  { target, key, scope }: TargetCall,
  input: unknown,
  tracker: BudgetTracker,
  attempting: Attempting,
  signal: AbortSignal,
): Promise<unknown> {
  // Work no longer wanted (the run passed a budget, was cancelled, timed out) calls nothing more.
  signal.throwIfAborted();
  tracker.checkTime(step.id);
  let value = input;
  if (target.input) {
    const parsed = target.input.parse(input);
    if (!parsed.ok)
      throw new ValidationError(
        `input of step "${step.id}" does not match ${target.id}'s input schema`,
        parsed.problems,
      );
    value = parsed.value;
  }
  const reservation = target.estimate
    ? tracker.reserve(checkedUsage(target.estimate(value), `estimate of ${target.id}`), step.id)
    : undefined;
  const { usage } = attempting;
  const timeoutMs = step.policy?.timeoutMs ?? run.stepTimeoutMs ?? run.services.defaults.timeoutMs;
  let callSignal = signal;
  let cleanup: (() => void) | undefined;
  if (timeoutMs !== undefined) {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const cancelTimer = onTimeout(timeoutMs, () => controller.abort(new TimeoutError(step.id, timeoutMs)));
    callSignal = controller.signal;
    cleanup = () => {
      cancelTimer();
      signal.removeEventListener('abort', onAbort);
    };
  }
  const deadline = earliest(timeoutMs === undefined ? undefined : Date.now() + timeoutMs, run.cutoff?.at);
  try {
    const call = target.handler(value, {
      runId: run.runId,
      stepId: step.id,
      attempt: attempting.attempts,
      signal: callSignal,
      ...(deadline === undefined ? {} : { deadline }),
      idempotencyKey: key,
      path: attempting.path,
      reportUsage: (reported: Usage) => {
        const totals = checkedUsage(reported, `usage reported by ${target.id}`);
        usage.tokens += totals.tokens;
        usage.costUsd += totals.costUsd;
        reservation?.consume(totals);
        try {
          tracker.add(totals, step.id, { attempt: attempting.attempts, path: attempting.path });
        } catch (error) {
          run.fail(error);
        }
      },
      ...subCallTools({ run, step, attempting, tracker, signal: callSignal, key, scope, execute: executeTargets }),
    });
    run.handlerCalls?.track(call);
    const output = await raceAbort(call, callSignal);
    if (target.output) {
      const problems = target.output.validate(output);
      if (problems.length > 0) {
        throw new ValidationError(
          `output of ${target.id} (step "${step.id}") does not match its output schema`,
          problems,
        );
      }
    }
    return output;
  } catch (error) {
    // A timeout of this attempt surfaces as the TimeoutError (retryable), not as the generic abort.
    if (callSignal !== signal && callSignal.aborted && !signal.aborted) throw callSignal.reason;
    throw error;
  } finally {
    cleanup?.();
    reservation?.release();
  }
}

function targetsOf(step: CompiledStep): TargetQuery[] {
  const fallback = step.policy?.fallback;
  const list = fallback === undefined ? [] : Array.isArray(fallback) ? fallback : [fallback];
  return [step.target as TargetQuery, ...list.map((ref) => parseTargetRef(ref))];
}

function labelOfQuery(query: TargetQuery): string {
  const base = query.name ?? `capability:${query.capability}`;
  return query.version ? `${base}@${query.version}` : base;
}

function earliest(...moments: (number | undefined)[]): number | undefined {
  const set = moments.filter((moment) => moment !== undefined);
  return set.length === 0 ? undefined : Math.min(...set);
}
