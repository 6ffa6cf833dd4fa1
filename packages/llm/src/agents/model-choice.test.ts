import type { LanguageModelV3 } from '@ai-sdk/provider';
import { BudgetExceededError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import type { AgentModel } from './agent-options.js';
import { chooseModel, estimateCall } from './model-choice.js';

const model = (modelId: string) => ({ provider: 'p', modelId }) as LanguageModelV3;
const large: AgentModel = {
  model: model('large'),
  price: { inputPerMTok: 10, outputPerMTok: 30 },
  maxOutputTokens: 1000,
};
const small: AgentModel = {
  model: model('small'),
  price: { inputPerMTok: 1, outputPerMTok: 3 },
  maxOutputTokens: 1000,
};
const free: AgentModel = { model: model('free') };
const tokens = () => 10_000;

describe('estimateCall', () => {
  it('prices the input and the longest answer', () => {
    expect(estimateCall(large, 10_000)).toEqual({
      inputTokens: 10_000,
      outputTokens: 1000,
      tokens: 11_000,
      costUsd: 0.13,
    });
    expect(estimateCall(free, 50)).toEqual({ inputTokens: 50, outputTokens: 1024, tokens: 1074, costUsd: 0 });
  });
});

describe('chooseModel', () => {
  it('takes the preferred model when the budgets left cover it', () => {
    const choice = chooseModel([large, small], tokens, { tokens: undefined, costUsd: 0.2 }, 'ask');
    expect(choice.candidate).toBe(large);
    expect(choice.skipped).toEqual([]);
  });

  it('passes over a model whose estimate is over the cost or tokens left, saying why', () => {
    expect(chooseModel([large, small], tokens, { tokens: undefined, costUsd: 0.1 }, 'ask').skipped).toEqual([
      { model: 'p:large', reason: 'its estimate of $0.130000 is over the $0.100000 left' },
    ]);
    const byTokens = chooseModel(
      [{ ...large, maxOutputTokens: 4000 }, small],
      tokens,
      { tokens: 12_000, costUsd: undefined },
      'ask',
    );
    expect(byTokens.candidate).toBe(small);
    expect(byTokens.skipped).toEqual([
      {
        model: 'p:large',
        reason: 'its estimate of 14000 tokens (10000 in, 4000 for the answer) is over the 12000 left',
      },
    ]);
    // A model with no maxOutputTokens is estimated at 1024 tokens of answer, and the reason says so.
    expect(chooseModel([free, small], tokens, { tokens: 11_010, costUsd: undefined }, 'ask').skipped).toEqual([
      {
        model: 'p:free',
        reason:
          'its estimate of 11024 tokens (10000 in, 1024 for the answer, as it has no maxOutputTokens) is over the 11010 left',
      },
    ]);
  });

  it('refuses with a budget error naming the cheapest miss when none fits', () => {
    let error: unknown;
    try {
      chooseModel([large, small], tokens, { tokens: undefined, costUsd: 0.001 }, 'ask');
    } catch (caught) {
      error = caught;
    }
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ budget: 'costUsd', limit: 0.001, amount: 0.013, phase: 'refused', stepId: 'ask' });
    // It weighed the estimate against what was left, and says so, not that a budget's limit is what was left.
    expect((error as Error).message).toMatch(
      /^refused to go on with step "ask": its estimate of 0\.013 \(costUsd\) is more than the 0\.001 left of its budgets; /,
    );
    // The message names every model considered and why it did not fit.
    expect((error as Error).message).toContain(
      "no model fits what is left of the run's, the step's and the agent's budgets: p:large — its estimate of $0.130000 is over the $0.001000 left; p:small — its estimate of $0.013000",
    );
  });
});
