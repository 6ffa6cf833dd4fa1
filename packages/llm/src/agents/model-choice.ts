/**
 * Cost-aware model choice: before each model call, the first model (in order of preference) whose estimate — the
 * call's input tokens as that model counts them, its longest answer, at its price — fits in what is left of the
 * budgets. The ones passed over are named with the reason; when none fits, a `BudgetExceededError` (refused) says by
 * how much the cheapest missed.
 */
import { BudgetExceededError, type BudgetLeft } from '@baton/core';
import { type AgentModel, DEFAULT_OUTPUT_ESTIMATE } from './agent-options.js';

export interface CallEstimate {
  inputTokens: number;
  outputTokens: number;
  /** `inputTokens + outputTokens`. */
  tokens: number;
  costUsd: number;
}

export interface ModelChoice {
  candidate: AgentModel;
  estimate: CallEstimate;
  skipped: { model: string; reason: string }[];
}

/** `provider:modelId`, as events and results name a model. */
export const modelName = (candidate: AgentModel) => `${candidate.model.provider}:${candidate.model.modelId}`;

/** What one call of `candidate` with `inputTokens` of input may cost at most. */
export function estimateCall(candidate: AgentModel, inputTokens: number): CallEstimate {
  const outputTokens = candidate.maxOutputTokens ?? DEFAULT_OUTPUT_ESTIMATE;
  const price = candidate.price;
  const costUsd = price ? (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000 : 0;
  return { inputTokens, outputTokens, tokens: inputTokens + outputTokens, costUsd };
}

/** Why `estimate` does not fit in `left`, or undefined when it does. */
function shortfall(
  candidate: AgentModel,
  estimate: CallEstimate,
  left: BudgetLeft,
): { budget: 'tokens' | 'costUsd'; reason: string } | undefined {
  if (left.costUsd !== undefined && estimate.costUsd > left.costUsd) {
    return {
      budget: 'costUsd',
      reason: `its estimate of $${estimate.costUsd.toFixed(6)} is over the $${left.costUsd.toFixed(6)} left`,
    };
  }
  if (left.tokens !== undefined && estimate.tokens > left.tokens) {
    const answer = `${estimate.outputTokens} for the answer${candidate.maxOutputTokens === undefined ? ', as it has no maxOutputTokens' : ''}`;
    return {
      budget: 'tokens',
      reason: `its estimate of ${estimate.tokens} tokens (${estimate.inputTokens} in, ${answer}) is over the ${left.tokens} left`,
    };
  }
  return undefined;
}

/**
 * @example
 * const choice = chooseModel(models, (model) => counted[model.model.modelId], { tokens: undefined, costUsd: 0.01 }, 'agent');
 * choice.candidate; // the first model whose estimate fits in a cent
 */
export function chooseModel(
  candidates: readonly AgentModel[],
  inputTokensOf: (candidate: AgentModel) => number,
  left: BudgetLeft,
  stepId: string,
): ModelChoice {
  const skipped: ModelChoice['skipped'] = [];
  const missedBy: { estimate: CallEstimate; budget: 'tokens' | 'costUsd' }[] = [];
  for (const candidate of candidates) {
    const estimate = estimateCall(candidate, inputTokensOf(candidate));
    const missed = shortfall(candidate, estimate, left);
    if (!missed) return { candidate, estimate, skipped };
    skipped.push({ model: modelName(candidate), reason: missed.reason });
    missedBy.push({ estimate, budget: missed.budget });
  }
  const cheapest = missedBy.reduce((best, next) =>
    next.estimate.costUsd < best.estimate.costUsd ||
    (next.estimate.costUsd === best.estimate.costUsd && next.estimate.tokens < best.estimate.tokens)
      ? next
      : best,
  );
  const { estimate, budget } = cheapest;
  throw new BudgetExceededError({
    budget,
    scope: stepId,
    limit: left[budget] ?? 0,
    amount: estimate[budget],
    phase: 'refused',
    stepId,
    againstLeft: true,
    detail: `no model fits what is left of the run's, the step's and the agent's budgets: ${skipped
      .map((passed) => `${passed.model} — ${passed.reason}`)
      .join('; ')}`,
  });
}
