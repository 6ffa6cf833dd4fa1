/**
 * Turns an action in plain words into a validated plan: an operator's template first (offline, deterministic), then a
 * plan the model made earlier for an action with the same meaning (the plan cache), then the model. Every way records
 * how the plan was chosen. Without a template that matches and without a model, a `NoPlannerError` says how to
 * configure one.
 *
 * @example
 * const planner = new ActionPlanner({ templates, cache, llm: new LlmPlanner({ model }) });
 * const { plan, data, decision } = await planner.plan({ action, data, targets, validate });
 */
import { type Plan, ValidationError } from '@baton/core';
import type { LlmPlanner, PlanRequest } from './llm-planner.js';
import type { PlanCache } from './plan-cache.js';
import { NO_USAGE, type PlanningDecision } from './planning-decision.js';
import { NoPlannerError } from './planning-errors.js';
import { registryFingerprint } from './planning-target.js';
import type { TemplateMatcher, TemplateMiss } from './template-matcher.js';

export interface ActionPlannerOptions {
  templates?: TemplateMatcher;
  cache?: PlanCache;
  llm?: LlmPlanner;
}

/** What an action is planned with: the same as a model is asked with. */
export type ActionRequest = PlanRequest;

export interface ActionPlan {
  readonly plan: Plan;
  /** The request data the plan runs with (a template may add the param values it read from the action). */
  readonly data: Record<string, unknown>;
  readonly decision: PlanningDecision;
}

export class ActionPlanner {
  readonly #options: ActionPlannerOptions;

  constructor(options: ActionPlannerOptions) {
    this.#options = options;
  }

  /** Whether a model is configured (without one only templates plan). */
  get hasModel(): boolean {
    return this.#options.llm !== undefined;
  }

  /**
   * A template's plan when one matches, else undefined: offline and quick, for answering within a request. `misses`
   * collects why the closest examples were not taken.
   */
  async fromTemplate(request: ActionRequest, misses?: TemplateMiss[]): Promise<ActionPlan | undefined> {
    const match = await this.#options.templates?.match(request.action, request.data, {
      maxSteps: request.maxSteps,
      ...(misses ? { misses } : {}),
    });
    if (!match) return undefined;
    const problems = await request.validate(match.plan);
    if (problems.length > 0) {
      throw new ValidationError(
        `plan template ${JSON.stringify(match.template.name)} matched, but its plan does not validate`,
        problems,
      );
    }
    return {
      plan: match.plan,
      data: match.data,
      decision: {
        planner: 'template',
        template: match.template.name,
        example: match.example,
        similarity: match.similarity,
        usage: NO_USAGE,
      },
    };
  }

  async plan(request: ActionRequest): Promise<ActionPlan> {
    const misses: TemplateMiss[] = [];
    const templated = await this.fromTemplate(request, misses);
    if (templated) return templated;
    const { cache, llm } = this.#options;
    if (!llm) throw new NoPlannerError(request.action, refusedByParam(misses));
    const key = {
      action: request.action,
      data: request.data,
      fingerprint: `${registryFingerprint(request.targets)}:${request.maxSteps ?? 'any'}`,
      valuesShared: llm.sharesValues,
    };
    const cached = await cache?.lookup(key);
    if (cached && (await request.validate(cached.plan)).length === 0) {
      return {
        plan: cached.plan,
        data: { ...request.data },
        decision: {
          planner: 'cache',
          cachedAction: cached.cachedAction,
          similarity: cached.similarity,
          usage: NO_USAGE,
        },
      };
    }
    const planned = await llm.plan(request);
    await cache?.store(key, planned.plan);
    return { plan: planned.plan, data: { ...request.data }, decision: planned.decision };
  }
}

/** The closest template whose words matched but whose param refused the value: worth telling the caller. */
export function refusedByParam(misses: readonly TemplateMiss[]): { template: string; reason: string } | undefined {
  const miss = misses.find((each) => each.reason.startsWith('param '));
  return miss ? { template: miss.template, reason: miss.reason } : undefined;
}
