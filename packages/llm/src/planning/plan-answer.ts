/**
 * The model's answer to a planning prompt, as a JSON Schema for structured output (the plan format narrowed to what a
 * model should write: steps with ids, targets from the registered names, inputs, `dependsOn` and `when`, and the
 * run's output) and as a check of what came back. Whether the plan is right is `validatePlan`'s work, not this.
 */
import type { Plan } from '@baton/core';
import type { PlanningTarget } from './planning-target.js';

export type PlanAnswer = { actionable: true; plan: Plan } | { actionable: false; reason: string };

export const STEP_ID_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';

/** The structured-output schema for `targets` (at least one), with at most `maxSteps` steps when given. */
export function planAnswerSchema(targets: readonly PlanningTarget[], maxSteps?: number): Record<string, unknown> {
  const step = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: STEP_ID_PATTERN, description: 'unique within the plan' },
      target: {
        type: 'string',
        enum: targets.map((target) => target.name),
        description: 'the service or agent called',
      },
      input: {
        description:
          'the input, matching the target input schema; values are literals, {"$ref": "request.data.<field>"}, {"$ref": "steps.<id>.output.<path>"}, or strings with {{request.data.<field>}} / {{steps.<id>.output.<path>}} templates',
      },
      dependsOn: {
        type: 'array',
        items: { type: 'string' },
        description: 'step ids that must finish first, beyond those referenced',
      },
      when: { type: 'string', description: 'a condition over references; the step is skipped when it is false' },
    },
    required: ['id', 'target', 'input'],
    additionalProperties: false,
  };
  return {
    type: 'object',
    properties: {
      actionable: { type: 'boolean', description: 'false when the registered targets cannot do what the action asks' },
      reason: { type: 'string', description: 'when not actionable: what is missing' },
      plan: {
        type: 'object',
        properties: {
          steps: { type: 'array', minItems: 1, ...(maxSteps === undefined ? {} : { maxItems: maxSteps }), items: step },
          output: {
            description: 'what the run returns, built like an input; omit to return the last steps\u2019 outputs',
          },
        },
        required: ['steps'],
        additionalProperties: false,
      },
    },
    required: ['actionable'],
    additionalProperties: false,
  };
}

/** Reads the parsed answer; a string naming what is wrong when it is not an answer. */
export function readPlanAnswer(value: unknown): PlanAnswer | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the answer is not a JSON object';
  const answer = value as Record<string, unknown>;
  if (answer.actionable === false) {
    const reason =
      typeof answer.reason === 'string' && answer.reason.trim() !== '' ? answer.reason.trim() : 'no reason given';
    return { actionable: false, reason };
  }
  if (answer.actionable !== true) return '`actionable` must be true or false';
  const plan = answer.plan;
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan))
    return 'an actionable answer needs a `plan` object';
  if (!Array.isArray((plan as { steps?: unknown }).steps)) return '`plan.steps` must be an array';
  return { actionable: true, plan: plan as Plan };
}
