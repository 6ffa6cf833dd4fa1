/**
 * Runs one target step to a result: its idempotency key, its own time budget, then the calls of its targets
 * (`target-calls.ts`). A step that asks for evidence makes those calls K times and keeps the consensus.
 */
import type { BudgetTracker } from '../budget/budget-tracker.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { runReplicates } from '../evidence/run-replicates.js';
import type { CompiledStep } from '../plan/compiled-plan.js';
import type { Lookup } from '../plan/reference.js';
import { onTimeout, raceAbort } from '../resilience/abort.js';
import type { RunContext } from './run-context.js';
import { runOnce } from './run-once.js';
import { type Attempting, executeTargets, type StepOutcome } from './target-calls.js';

export type { StepOutcome } from './target-calls.js';

export async function executeStep(
  run: RunContext,
  step: CompiledStep,
  input: unknown,
  lookup: Lookup,
  path: readonly string[],
  stepKey: string,
  after: readonly string[],
): Promise<StepOutcome> {
  const tracker = run.budget.child(step.id, step.budget);
  const policyKey = step.idempotencyKey ? String(step.idempotencyKey.resolve(lookup)) : undefined;
  // A durable run gives every step a key stable across restarts, so a call replayed after a crash is recognisable.
  const key = policyKey ?? run.durable?.idempotencyKey(stepKey);
  // Keys are per target, so two targets may use the same business key without seeing each other's results.
  const storeKey = policyKey === undefined ? undefined : `${step.targetLabel}:${policyKey}`;
  const start = () => {
    // The step's totals over every attempt (of every replicate, for evidence): what its result and warnings report.
    const attempting: Attempting = {
      attempts: 0,
      usage: { tokens: 0, costUsd: 0 },
      path,
      effects: 'none',
      stepKey,
      subCalls: new Map(),
      subCallPlace: { within: stepKey, after },
    };
    return withStepTime(run, step, attempting, (signal) =>
      step.evidence
        ? executeWithEvidence(run, step, input, tracker, attempting, signal, key)
        : executeTargets(run, step, input, tracker, attempting, signal, key),
    );
  };
  return storeKey === undefined ? start() : runOnce(run, storeKey, start);
}

/** Enforces a step's own time budget across all its attempts. */
async function withStepTime<T>(
  run: RunContext,
  step: CompiledStep,
  attempting: Attempting,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const limitMs = step.budget?.timeMs;
  if (limitMs === undefined) return work(run.signal);
  const controller = new AbortController();
  const onAbort = () => controller.abort(run.signal.reason);
  run.signal.addEventListener('abort', onAbort, { once: true });
  const warnAt = step.budget?.warnAt ?? 0.8;
  const cancelWarning = onTimeout(limitMs * warnAt, () =>
    run.emit({
      type: 'budget-warning',
      path: attempting.path,
      stepId: step.id,
      attempt: Math.max(1, attempting.attempts),
      budget: 'timeMs',
      scope: step.id,
      limit: limitMs,
      used: limitMs * warnAt,
    }),
  );
  const cancelTimer = onTimeout(limitMs, () =>
    controller.abort(
      new BudgetExceededError({
        budget: 'timeMs',
        scope: step.id,
        limit: limitMs,
        amount: limitMs,
        phase: 'exceeded',
        stepId: step.id,
      }),
    ),
  );
  try {
    return await raceAbort(work(controller.signal), controller.signal);
  } finally {
    cancelWarning();
    cancelTimer();
    run.signal.removeEventListener('abort', onAbort);
  }
}

async function executeWithEvidence(
  run: RunContext,
  step: CompiledStep,
  input: unknown,
  tracker: BudgetTracker,
  total: Attempting,
  signal: AbortSignal,
  key: string | undefined,
): Promise<StepOutcome> {
  const { path } = total;
  const options = step.evidence as NonNullable<CompiledStep['evidence']>;
  const named = options.distance !== undefined ? run.services.distances[options.distance] : undefined;
  let target = '';
  // A replicate refused by a budget must stop the step as a refusal would stop any step, not count as one failed answer.
  let refused: unknown;
  const result = await runReplicates({
    k: options.k,
    epsilon: options.epsilon,
    maxParallel: options.maxParallel,
    adaptive: options.adaptive,
    distance: named ?? (options.distance === 'text' ? 'text' : 'auto'),
    embed: named ? undefined : run.services.embed,
    signal,
    run: async (index, replicateSignal) => {
      const attempting: Attempting = {
        attempts: 0,
        usage: { tokens: 0, costUsd: 0 },
        path: [...path, `replicate-${index + 1}`],
        effects: 'none',
        stepKey: `${total.stepKey}/replicate-${index + 1}`,
        subCalls: new Map(),
        subCallPlace: total.subCallPlace,
      };
      try {
        const outcome = await executeTargets(run, step, input, tracker, attempting, replicateSignal, key);
        target = outcome.target;
        return { output: outcome.output, usage: outcome.usage };
      } catch (error) {
        if (BudgetExceededError.isInstance(error)) refused ??= error;
        throw error;
      } finally {
        // Failed and aborted replicates spent too: the step reports what the run's budget counted.
        total.attempts += attempting.attempts;
        total.usage.tokens += attempting.usage.tokens;
        total.usage.costUsd += attempting.usage.costUsd;
        if (attempting.effects !== 'none') total.effects = 'external';
      }
    },
    onEvent: (event) => {
      const base = {
        stepId: step.id,
        attempt: total.attempts + 1,
        path: [...path, `replicate-${('index' in event ? event.index : 0) + 1}`],
      };
      if (event.type === 'replicate-start') run.emit({ type: 'replicate-start', ...base, index: event.index });
      else if (event.type === 'replicate-finish') {
        run.emit({
          type: 'replicate-finish',
          ...base,
          index: event.index,
          durationMs: event.durationMs,
          ...(event.error ? { error: { retryable: false, name: 'Error', ...event.error } } : {}),
        });
        if (refused) throw refused;
      } else {
        run.emit({
          type: 'bundle-ready',
          ...base,
          path,
          confidence: event.confidence,
          ran: event.ran,
          earlyStopped: event.earlyStopped,
        });
      }
    },
  });
  const { usage: _bundleUsage, ...bundle } = result;
  return {
    output: bundle.consensus?.output,
    target,
    attempts: total.attempts,
    usage: { ...total.usage },
    reused: false,
    effects: total.effects,
    evidence: bundle,
  };
}
