/**
 * `engine.ask(text, data)`: picks the one registered target that fits a request in plain words — by a plan template,
 * the plan cache or the model, as any action is planned, but with a plan of one step — and runs it on the engine, with
 * the engine's policies (retries, breakers, timeouts, budgets).
 *
 * @example
 * const engine = withAsk(createEngine({ registry }), { planner: new ActionPlanner({ templates, llm }) });
 * const { target, output } = await engine.ask('What is the weather in Lisbon?');
 */
import type { Engine, RunOptions } from '@baton/core';
import type { ActionPlanner } from './action-planner.js';
import type { PlanningDecision } from './planning-decision.js';
import { registryTargets } from './registry-targets.js';

export interface AskResult {
  /** The target that answered. */
  readonly target: string;
  readonly output: unknown;
  readonly runId: string;
  readonly decision: PlanningDecision;
}

export interface AskingEngine {
  ask(
    text: string,
    data?: Readonly<Record<string, unknown>>,
    options?: RunOptions & { signal?: AbortSignal },
  ): Promise<AskResult>;
}

export function withAsk<E extends Engine>(engine: E, options: { planner: ActionPlanner }): E & AskingEngine {
  const ask: AskingEngine['ask'] = async (text, data = {}, runOptions = {}) => {
    if (typeof text !== 'string' || text.trim() === '') {
      throw new TypeError(`ask: text must be a non-empty string, got ${JSON.stringify(text)?.slice(0, 100)}`);
    }
    const { signal, ...run } = runOptions;
    const planned = await options.planner.plan({
      action: text,
      data,
      targets: registryTargets(engine.registry),
      validate: (plan) => engine.validate(plan).problems,
      maxSteps: 1,
      signal,
    });
    const step = planned.plan.steps[0];
    const handle = engine.run(planned.plan, { data: planned.data }, run);
    const result = await handle.result();
    const id = step?.id ?? '';
    return {
      target: String(step?.target),
      output: result.steps[id]?.output,
      runId: result.runId,
      decision: planned.decision,
    };
  };
  return Object.assign(engine, { ask });
}
