/** A small registry of three services, its planning targets and a validator, shared by the planning tests. */
import { createRegistry, type Plan, type Registry, validatePlan } from '@baton/core';
import type { PlanningTarget } from './planning-target.js';

export function planningRegistry(): Registry {
  const registry = createRegistry();
  const handler = async () => ({});
  registry.register({
    name: 'weather',
    description: 'Current weather for a city',
    input: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
    output: { type: 'object', properties: { tempC: { type: 'number' }, summary: { type: 'string' } } },
    handler,
  });
  registry.register({
    name: 'news',
    description: 'Top headlines about a topic',
    input: {
      type: 'object',
      properties: { topic: { type: 'string' } },
      required: ['topic'],
      additionalProperties: false,
    },
    output: { type: 'object', properties: { headlines: { type: 'array', items: { type: 'string' } } } },
    handler,
  });
  registry.register({
    name: 'brief',
    description: 'Writes a short briefing from a weather summary and headlines',
    input: {
      type: 'object',
      properties: { weather: { type: 'string' }, headlines: { type: 'array', items: { type: 'string' } } },
      required: ['weather', 'headlines'],
      additionalProperties: false,
    },
    output: { type: 'object', properties: { text: { type: 'string' } } },
    handler,
  });
  return registry;
}

export function planningTargets(registry: Registry): PlanningTarget[] {
  return registry.list().map((target) => ({
    name: target.name,
    kind: 'service',
    version: target.version,
    description: target.description,
    inputSchema: target.input?.jsonSchema,
    outputSchema: target.output?.outputJsonSchema,
  }));
}

export const validatorFor = (registry: Registry) => (plan: Plan) => validatePlan(plan, registry).problems;

/** The briefing plan: weather and news in parallel, then the brief. */
export const BRIEFING_PLAN: Plan = {
  steps: [
    { id: 'weather', target: 'weather', input: { city: { $ref: 'request.data.city' } } },
    { id: 'news', target: 'news', input: { topic: { $ref: 'request.data.city' } } },
    {
      id: 'brief',
      target: 'brief',
      input: { weather: '{{steps.weather.output.summary}}', headlines: { $ref: 'steps.news.output.headlines' } },
    },
  ],
};
