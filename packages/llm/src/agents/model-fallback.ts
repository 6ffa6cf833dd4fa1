/**
 * Falling back to the next model: when an agent's model call fails in a way another model may not — its endpoint
 * unreachable, overloaded or failing (a retryable error: a refused connection, a 429, a 5xx, a stream cut short), or
 * its circuit breaker open — the next model of the agent's list whose estimate the budgets left can pay for is asked
 * the same. A failure every model would share (a bad request, a refused key, a budget passed, a cancel) is no reason
 * to switch, and is thrown as it is.
 */
import { BatonError, BreakerOpenError, BudgetExceededError, type BudgetLeft } from '@baton/core';
import type { AgentModel } from './agent-options.js';
import { chooseModel, type ModelChoice } from './model-choice.js';

/** Whether `error`, from a model call, may not happen with another model. */
export function mayFallBack(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted || BudgetExceededError.isInstance(error)) return false;
  return BreakerOpenError.isInstance(error) || (BatonError.isInstance(error) && error.retryable);
}

/**
 * The first model of `candidates` after the one at `index` whose estimate fits in `left`, with its place in the list;
 * undefined when there is none.
 *
 * @example
 * fallbackChoice(models, 0, countTokens, { tokens: undefined, costUsd: 0.02 }, 'ask'); // { index: 1, choice: … }
 */
export function fallbackChoice(
  candidates: readonly AgentModel[],
  index: number,
  inputTokensOf: (candidate: AgentModel) => number,
  left: BudgetLeft,
  stepId: string,
): { index: number; choice: ModelChoice } | undefined {
  const rest = candidates.slice(index + 1);
  if (rest.length === 0) return undefined;
  try {
    const choice = chooseModel(rest, inputTokensOf, left, stepId);
    return { index: index + 1 + rest.indexOf(choice.candidate), choice };
  } catch (error) {
    if (BudgetExceededError.isInstance(error)) return undefined;
    throw error;
  }
}
