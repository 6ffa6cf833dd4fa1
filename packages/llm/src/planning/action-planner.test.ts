import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createSifEmbedder } from '@baton/cache';
import { ValidationError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { ActionPlanner } from './action-planner.js';
import { LlmPlanner } from './llm-planner.js';
import { PlanCache } from './plan-cache.js';
import { NoPlannerError } from './planning-errors.js';
import { BRIEFING_PLAN, planningRegistry, planningTargets, validatorFor } from './planning-test-kit.js';
import { TemplateMatcher } from './template-matcher.js';

const embedder = createSifEmbedder();
const registry = planningRegistry();
const targets = planningTargets(registry);
const validate = validatorFor(registry);
const newsPlan = { steps: [{ id: 'news', target: 'news', input: { topic: { $ref: 'request.data.topic' } } }] };

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer({ reply: () => JSON.stringify({ actionable: true, plan: BRIEFING_PLAN }) });
});
afterAll(() => server.close());

async function planner(withModel = true): Promise<ActionPlanner> {
  const templates = new TemplateMatcher({ embedder });
  await templates.add({
    name: 'news',
    examples: ['news about {topic}'],
    params: { topic: { type: 'string' } },
    plan: newsPlan,
  });
  const model = createOpenAICompatible({
    name: 'local',
    baseURL: server.baseURL,
    supportsStructuredOutputs: true,
  }).chatModel('m');
  return new ActionPlanner({
    templates,
    cache: new PlanCache({ embedder }),
    llm: withModel ? new LlmPlanner({ model }) : undefined,
  });
}

describe('ActionPlanner', () => {
  it('takes a matching template without asking the model, with the values it read', async () => {
    const calls = server.calls;
    const planned = await (await planner()).plan({ action: 'news about Portugal', data: {}, targets, validate });
    expect(planned.decision).toMatchObject({ planner: 'template', template: 'news', example: 'news about {topic}' });
    expect(planned.data).toEqual({ topic: 'Portugal' });
    expect(planned.plan).toEqual(newsPlan);
    expect(server.calls).toBe(calls);
  });

  it('asks the model once, then reuses its plan for the same meaning with other values, until the registry changes', async () => {
    const own = await planner();
    const calls = server.calls;
    const first = await own.plan({
      action: 'Give me a morning briefing for Lisbon',
      data: { city: 'Lisbon' },
      targets,
      validate,
    });
    expect(first.decision.planner).toBe('llm');
    const second = await own.plan({
      action: 'Please give me a morning briefing for Porto',
      data: { city: 'Porto' },
      targets,
      validate,
    });
    expect(second.decision).toMatchObject({ planner: 'cache', cachedAction: 'Give me a morning briefing for Lisbon' });
    expect(second.plan).toEqual(BRIEFING_PLAN);
    expect(server.calls).toBe(calls + 1);
    const changed = targets.map((target) => (target.name === 'news' ? { ...target, version: '1.1.0' } : target));
    const third = await own.plan({
      action: 'Give me a morning briefing for Faro',
      data: { city: 'Faro' },
      targets: changed,
      validate,
    });
    expect(third.decision.planner).toBe('llm');
    expect(server.calls).toBe(calls + 2);
  });

  it('says how to configure a model when no template matches and there is none', async () => {
    const error = await (await planner(false))
      .plan({ action: 'Give me a morning briefing for Lisbon', data: {}, targets, validate })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NoPlannerError);
    expect((error as NoPlannerError).message).toMatch(/BATON_LLM_BASE_URL and BATON_LLM_MODEL/);
  });

  it('names the template whose words matched when its param refused the value', async () => {
    const templates = new TemplateMatcher({ embedder });
    await templates.add({
      name: 'convert',
      examples: ['Convert {amount} {from} to {to}'],
      params: {
        amount: { type: 'number', exclusiveMinimum: 0 },
        from: { type: 'string', pattern: '^[A-Z]{3}$' },
        to: { type: 'string', pattern: '^[A-Z]{3}$' },
      },
      plan: { steps: [{ id: 'c', target: 'news', input: { topic: { $ref: 'request.data.from' } } }] },
    });
    const error = await new ActionPlanner({ templates })
      .plan({ action: 'Convert 0 USD to EUR', data: {}, targets, validate })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NoPlannerError);
    expect((error as NoPlannerError).closest).toMatchObject({
      template: 'convert',
      reason: expect.stringMatching(/^param amount/),
    });
    expect((error as NoPlannerError).message).toMatch(/the template "convert" matched its words, but param amount/);
  });

  it('reports a matching template whose plan no longer validates, naming it', async () => {
    const own = await planner();
    const error = await own
      .plan({
        action: 'news about Portugal',
        data: {},
        targets,
        validate: () => [{ path: 'steps[0].target', code: 'unknown-target', message: 'gone' }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/plan template "news" matched, but its plan does not validate/);
  });
});
