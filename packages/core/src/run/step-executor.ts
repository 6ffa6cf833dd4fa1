/**
 * Runs one target step to a result: idempotency, budget reservation, then each target in turn (its own, then its
 * fallbacks) through its circuit breaker, with per-attempt timeouts and retries with backoff. A step that asks for
 * evidence runs all of that K times and keeps the consensus.
 */
import { BreakerOpenError } from '../errors/breaker-open-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { totalsOf, type UsageTotals } from '../events/run-event.js';
import { runReplicates } from '../evidence/run-replicates.js';
import type { CompiledStep } from '../plan/compiled-plan.js';
import type { Lookup } from '../plan/reference.js';
import type { RegisteredTarget, Usage } from '../registry/target.js';
import { parseTargetRef, type TargetQuery } from '../registry/target-ref.js';
import { abortError, raceAbort, sleep } from '../resilience/abort.js';
import { backoffDelay, type ResolvedRetry, resolveRetry } from '../resilience/backoff.js';
import { isRetryable } from '../resilience/is-retryable.js';
import type { BudgetTracker } from '../budget/budget-tracker.js';
import type { RunContext } from './run-context.js';
import { serializeError } from './serialize-error.js';

export interface StepOutcome {
  output: unknown;
  target: string;
  attempts: number;
  usage: UsageTotals;
  reused: boolean;
  evidence?: unknown;
}

interface Attempting {
  attempts: number;
  readonly path: readonly string[];
}

const ZERO: UsageTotals = Object.freeze({ tokens: 0, costUsd: 0 });

export async function executeStep(
  run: RunContext,
  step: CompiledStep,
  input: unknown,
  lookup: Lookup,
  path: readonly string[],
): Promise<StepOutcome> {
  const tracker = run.budget.child(step.id, step.budget);
  const key = step.idempotencyKey ? `${step.targetLabel}:${String(step.idempotencyKey.resolve(lookup))}` : undefined;
  const store = run.services.idempotency;
  if (key !== undefined) {
    const earlier = store.get(key);
    if (earlier) return { ...((await raceAbort(earlier, run.signal)) as StepOutcome), reused: true, attempts: 0, usage: ZERO };
  }
  const stepTimeMs = step.budget?.timeMs;
  const work = withStepTime(run, step, stepTimeMs, (signal) =>
    step.evidence
      ? executeWithEvidence(run, step, input, tracker, path, signal, key)
      : executeTargets(run, step, input, tracker, { attempts: 0, path }, signal, key),
  );
  if (key !== undefined) store.set(key, work);
  return work;
}

/** Enforces a step's own time budget across all its attempts. */
async function withStepTime<T>(
  run: RunContext,
  step: CompiledStep,
  limitMs: number | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (limitMs === undefined) return work(run.signal);
  const controller = new AbortController();
  const onAbort = () => controller.abort(run.signal.reason);
  run.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () =>
      controller.abort(
        new BudgetExceededError({ budget: 'timeMs', scope: step.id, limit: limitMs, amount: limitMs, phase: 'exceeded', stepId: step.id }),
      ),
    limitMs,
  );
  try {
    return await raceAbort(work(controller.signal), controller.signal);
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener('abort', onAbort);
  }
}

async function executeWithEvidence(
  run: RunContext,
  step: CompiledStep,
  input: unknown,
  tracker: BudgetTracker,
  path: readonly string[],
  signal: AbortSignal,
  key: string | undefined,
): Promise<StepOutcome> {
  const options = step.evidence as NonNullable<CompiledStep['evidence']>;
  const named = options.distance !== undefined ? run.services.distances[options.distance] : undefined;
  let attempts = 0;
  let target = '';
  const result = await runReplicates({
    k: options.k,
    epsilon: options.epsilon,
    maxParallel: options.maxParallel,
    adaptive: options.adaptive,
    distance: named ?? (options.distance === 'text' ? 'text' : 'auto'),
    embed: named ? undefined : run.services.embed,
    signal,
    run: async (index, replicateSignal) => {
      const attempting = { attempts: 0, path: [...path, `replicate-${index + 1}`] };
      const outcome = await executeTargets(run, step, input, tracker, attempting, replicateSignal, key);
      attempts += outcome.attempts;
      target = outcome.target;
      return { output: outcome.output, usage: outcome.usage };
    },
    onEvent: (event) => {
      const base = { stepId: step.id, attempt: attempts + 1, path: [...path, `replicate-${('index' in event ? event.index : 0) + 1}`] };
      if (event.type === 'replicate-start') run.emit({ type: 'replicate-start', ...base, index: event.index });
      else if (event.type === 'replicate-finish') {
        run.emit({
          type: 'replicate-finish',
          ...base,
          index: event.index,
          durationMs: event.durationMs,
          ...(event.error ? { error: { retryable: false, name: 'Error', ...event.error } } : {}),
        });
      } else {
        run.emit({ type: 'bundle-ready', ...base, path, confidence: event.confidence, ran: event.ran, earlyStopped: event.earlyStopped });
      }
    },
  });
  const { usage, ...bundle } = result;
  return { output: bundle.consensus?.output, target, attempts, usage, reused: false, evidence: bundle };
}

/** Tries the step's target, then each fallback, until one succeeds. */
async function executeTargets(
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
    let target: RegisteredTarget;
    try {
      target = run.services.registry.resolve(ref);
    } catch (error) {
      lastError = error;
      continue;
    }
    lastLabel = target.id;
    const breakerOn = (step.policy?.breaker ?? run.services.defaults.breaker) !== false;
    if (breakerOn && run.services.breakers.isOpen(target.id)) {
      lastError = new BreakerOpenError(target.id);
    } else {
      try {
        const { output, usage } = await attemptWithRetries(run, step, target, input, tracker, attempting, signal, retry, key, breakerOn);
        return { output, target: target.id, attempts: attempting.attempts, usage, reused: false };
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        if (BudgetExceededError.isInstance(error)) throw error;
        lastError = error;
      }
    }
    const next = refs[i + 1];
    if (next) {
      run.emit({
        type: 'step-retry',
        stepId: step.id,
        attempt: attempting.attempts + 1,
        path: attempting.path,
        target: target.id,
        error: serializeError(lastError),
        delayMs: 0,
        fallback: labelOfQuery(next),
      });
    }
  }
  throw new StepFailedError(step.id, lastLabel, attempting.attempts, lastError);
}

async function attemptWithRetries(
  run: RunContext,
  step: CompiledStep,
  target: RegisteredTarget,
  input: unknown,
  tracker: BudgetTracker,
  attempting: Attempting,
  signal: AbortSignal,
  retry: ResolvedRetry,
  key: string | undefined,
  breakerOn: boolean,
): Promise<{ output: unknown; usage: UsageTotals }> {
  for (let attempt = 1; ; attempt++) {
    attempting.attempts++;
    try {
      const call = () => attemptOnce(run, step, target, input, tracker, attempting, signal, key);
      return breakerOn ? await run.services.breakers.execute(target.id, step.policy?.breaker || run.services.defaults.breaker || undefined, call) : await call();
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      if (attempt >= retry.maxAttempts || !isRetryable(error, retry.nonRetryable) || BreakerOpenError.isInstance(error)) {
        throw error;
      }
      const delayMs = backoffDelay(retry, attempt, error);
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

/** One call of one target: budget reservation, input and output checks, a timeout, and the handler. */
async function attemptOnce(
  run: RunContext,
  step: CompiledStep,
  target: RegisteredTarget,
  input: unknown,
  tracker: BudgetTracker,
  attempting: Attempting,
  signal: AbortSignal,
  key: string | undefined,
): Promise<{ output: unknown; usage: UsageTotals }> {
  tracker.checkTime(step.id);
  let value = input;
  if (target.input) {
    const parsed = target.input.parse(input);
    if (!parsed.ok) throw new ValidationError(`input of step "${step.id}" does not match ${target.id}'s input schema`, parsed.problems);
    value = parsed.value;
  }
  const release = target.estimate ? tracker.reserve(totalsOf(target.estimate(value)), step.id) : undefined;
  const usage: UsageTotals = { tokens: 0, costUsd: 0 };
  const timeoutMs = step.policy?.timeoutMs ?? run.stepTimeoutMs ?? run.services.defaults.timeoutMs;
  let callSignal = signal;
  let cleanup: (() => void) | undefined;
  if (timeoutMs !== undefined) {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new TimeoutError(step.id, timeoutMs)), timeoutMs);
    callSignal = controller.signal;
    cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
  }
  try {
    const output = await raceAbort(
      target.handler(value, {
        runId: run.runId,
        stepId: step.id,
        attempt: attempting.attempts,
        signal: callSignal,
        idempotencyKey: key,
        path: attempting.path,
        reportUsage: (reported: Usage) => {
          const totals = totalsOf(reported);
          usage.tokens += totals.tokens;
          usage.costUsd += totals.costUsd;
          try {
            tracker.add(totals, step.id);
          } catch (error) {
            run.fail(error);
          }
        },
      }),
      callSignal,
    );
    if (target.output) {
      const problems = target.output.validate(output);
      if (problems.length > 0) {
        throw new ValidationError(`output of ${target.id} (step "${step.id}") does not match its output schema`, problems);
      }
    }
    return { output, usage };
  } catch (error) {
    // A timeout of this attempt surfaces as the TimeoutError (retryable), not as the generic abort.
    if (callSignal !== signal && callSignal.aborted && !signal.aborted) throw callSignal.reason;
    throw error;
  } finally {
    cleanup?.();
    release?.();
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

