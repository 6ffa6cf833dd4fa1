/** A run or a step would exceed, or has exceeded, one of its budgets. */
import { BatonError } from './baton-error.js';

export type BudgetName = 'tokens' | 'costUsd' | 'timeMs';

export interface BudgetExceededDetails {
  budget: BudgetName;
  /** `run` for the whole run's budget, or the id of the step whose own budget it is. */
  scope: string;
  limit: number;
  /** What was used (after the fact) or would have been used (refused before a step started). */
  amount: number;
  /** `refused`: a step was not started because its estimate did not fit; `exceeded`: usage passed the limit. */
  phase: 'refused' | 'exceeded';
  stepId?: string;
  /** What the refusal weighed, added to the message (which models an agent considered, and why none fits). */
  detail?: string;
  /**
   * Set when a refusal weighed the estimate against what was left of several budgets at once (the run's, the step's,
   * an agent's), not against one budget's limit: `limit` is then that amount left, and the message says so.
   */
  againstLeft?: boolean;
}

export class BudgetExceededError extends BatonError {
  readonly budget: BudgetName;
  readonly scope: string;
  readonly limit: number;
  readonly amount: number;
  readonly phase: 'refused' | 'exceeded';
  readonly stepId: string | undefined;

  constructor(details: BudgetExceededDetails) {
    const what = details.scope === 'run' ? 'run' : `step "${details.scope}"`;
    const amount = round(details.amount);
    const limit = round(details.limit);
    const said =
      details.phase === 'exceeded'
        ? `the ${what} used up its ${details.budget} budget: ${amount} used, limit ${limit}`
        : details.againstLeft
          ? `refused to go on with step "${details.stepId}": its estimate of ${amount} (${details.budget}) is more than the ${limit} left of its budgets`
          : `refused to start step "${details.stepId}": its estimate would bring the ${details.budget} budget of the ${what} to ${amount} (limit ${limit})`;
    super('budget-exceeded', details.detail === undefined ? said : `${said}; ${details.detail}`);
    this.name = 'BudgetExceededError';
    this.budget = details.budget;
    this.scope = details.scope;
    this.limit = details.limit;
    this.amount = details.amount;
    this.phase = details.phase;
    this.stepId = details.stepId;
  }

  static override isInstance(error: unknown): error is BudgetExceededError {
    return BatonError.isInstance(error) && error.code === 'budget-exceeded';
  }

  override toJSON(): Record<string, unknown> {
    const { budget, scope, limit, amount, phase, stepId } = this;
    return { ...super.toJSON(), budget, scope, limit, amount, phase, stepId };
  }
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The time budget of `scope` (the run, or a step) refused a retry now: after `elapsedMs` and the wait before it, the
 * step could only try again past `limit`.
 */
export function refusedRetryError(
  scope: string,
  limit: number,
  elapsedMs: number,
  refused: { stepId: string; delayMs: number; lastError: string },
): BudgetExceededError {
  return new BudgetExceededError({
    budget: 'timeMs',
    scope,
    limit,
    amount: Math.round(elapsedMs + refused.delayMs),
    phase: 'refused',
    stepId: refused.stepId,
    detail: `it would have tried again in ${refused.delayMs} ms; its last try failed: ${refused.lastError}`,
  });
}
