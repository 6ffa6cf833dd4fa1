/**
 * How a plan was chosen, recorded on the orchestration: by a template (and how close the action was to which
 * example), from the plan cache, or by the model (every attempt, its validation problems, tokens and cost).
 */
import type { Plan, Problem } from '@baton/core';

export interface PlanningUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface PlanningAttempt {
  /** 1, 2, 3. */
  readonly attempt: number;
  readonly outcome: 'valid' | 'invalid' | 'not-actionable' | 'no-answer';
  /** Validation problems of the plan the model gave (empty when it validated). */
  readonly problems: readonly Problem[];
  /** Why there was no usable answer (not JSON, the call failed). */
  readonly error?: string;
  readonly usage: PlanningUsage;
  readonly durationMs: number;
}

export type PlanningDecision =
  | {
      readonly planner: 'template';
      readonly template: string;
      /** The example the action matched, and its cosine similarity. */
      readonly example: string;
      readonly similarity: number;
      readonly usage: PlanningUsage;
    }
  | {
      readonly planner: 'cache';
      /** The action the cached plan was made for. */
      readonly cachedAction: string;
      readonly similarity: number;
      readonly usage: PlanningUsage;
    }
  | {
      readonly planner: 'llm';
      readonly model: string;
      readonly attempts: readonly PlanningAttempt[];
      readonly usage: PlanningUsage;
    };

export interface PlannedAction {
  readonly plan: Plan;
  readonly decision: PlanningDecision;
}

export const NO_USAGE: PlanningUsage = Object.freeze({ inputTokens: 0, outputTokens: 0, costUsd: 0 });

export function addUsage(a: PlanningUsage, b: PlanningUsage): PlanningUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}
