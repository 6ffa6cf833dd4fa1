import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { LlmPlanner, type LlmPlannerOptions } from './llm-planner.js';
import {
  NotActionableError,
  PlannerUnavailableError,
  PlanningFailedError,
  PlanningTimeoutError,
} from './planning-errors.js';
import type { PlanningTarget } from './planning-target.js';
import { BRIEFING_PLAN, planningRegistry, planningTargets, validatorFor } from './planning-test-kit.js';

const registry = planningRegistry();
const targets = planningTargets(registry);
const validate = validatorFor(registry);
const action = 'Give me a morning briefing for Lisbon';
const data = { city: 'Lisbon', secret: 'do-not-leak-7731' };

let server: ChatServer;
let replies: string[];

beforeEach(async () => {
  replies = [];
  server = await startChatServer({
    reply: () => replies.shift() ?? '{"actionable": false, "reason": "no more replies"}',
  });
});
afterEach(() => server.close());

const planner = (options: Partial<LlmPlannerOptions> = {}) =>
  new LlmPlanner({
    model: createOpenAICompatible({
      name: 'local',
      baseURL: server.baseURL,
      supportsStructuredOutputs: true,
    }).chatModel('planner-1'),
    ...options,
  });

const answer = (plan: unknown) => JSON.stringify({ actionable: true, plan });
const userTexts = (call: number) =>
  (server.bodies[call]?.messages ?? []).map((message) => (typeof message.content === 'string' ? message.content : ''));

describe('LlmPlanner', () => {
  it('plans through structured output, shows field names and types but not values, and records the attempt', async () => {
    replies.push(answer(BRIEFING_PLAN));
    const { plan, decision } = await planner().plan({ action, data, targets, validate });
    expect(plan).toEqual(BRIEFING_PLAN);
    expect(decision).toMatchObject({ planner: 'llm', model: 'planner-1' });
    if (decision.planner !== 'llm') throw new Error('not an LLM decision');
    expect(decision.attempts).toHaveLength(1);
    expect(decision.attempts[0]).toMatchObject({ attempt: 1, outcome: 'valid', problems: [] });
    expect(decision.usage.inputTokens).toBeGreaterThan(0);
    const body = server.bodies[0] as unknown as { response_format: { type: string; json_schema: { schema: unknown } } };
    expect(body.response_format.type).toBe('json_schema');
    expect(JSON.stringify(body.response_format.json_schema.schema)).toContain('["weather","news","brief"]');
    const prompt = userTexts(0).join('\n');
    expect(prompt).toContain('Action: Give me a morning briefing for Lisbon');
    expect(prompt).toContain('- city: string');
    expect(prompt).toContain('- brief (service 1.0.0): Writes a short briefing');
    expect(prompt).not.toContain('do-not-leak-7731');
  });

  it('shows the request values only when the operator allows it', async () => {
    replies.push(answer(BRIEFING_PLAN));
    await planner({ shareValues: true }).plan({ action, data, targets, validate });
    expect(userTexts(0).join('\n')).toContain('- city: string = "Lisbon"');
  });

  it('gives the model its plan problems as data and takes the repaired plan', async () => {
    const broken = { steps: [{ id: 'weather', target: 'weather', input: { town: { $ref: 'request.data.city' } } }] };
    replies.push(answer(broken), answer(BRIEFING_PLAN));
    const { plan, decision } = await planner().plan({ action, data, targets, validate });
    expect(plan).toEqual(BRIEFING_PLAN);
    if (decision.planner !== 'llm') throw new Error('not an LLM decision');
    expect(decision.attempts.map((attempt) => attempt.outcome)).toEqual(['invalid', 'valid']);
    expect(decision.attempts[0]?.problems.map((problem) => problem.path)).toContain('steps[0].input.city');
    const repair = userTexts(1).at(-1) ?? '';
    expect(repair).toContain('steps[0].input.city');
    expect(server.bodies[1]?.messages.some((message) => message.role === 'assistant')).toBe(true);
  });

  it('repairs a plan that names a service that does not exist', async () => {
    const unknown = { steps: [{ id: 'w', target: 'weather-pro', input: { city: { $ref: 'request.data.city' } } }] };
    replies.push(answer(unknown), answer(BRIEFING_PLAN));
    const { decision } = await planner().plan({ action, data, targets, validate });
    if (decision.planner !== 'llm') throw new Error('not an LLM decision');
    expect(decision.attempts[0]?.problems.map((problem) => problem.code)).toContain('unknown-target');
  });

  it('repairs a plan that reads a data field the request does not have', async () => {
    const invented = { steps: [{ id: 'w', target: 'weather', input: { city: { $ref: 'request.data.location' } } }] };
    replies.push(answer(invented), answer(BRIEFING_PLAN));
    const { plan, decision } = await planner().plan({ action, data, targets, validate });
    expect(plan).toEqual(BRIEFING_PLAN);
    if (decision.planner !== 'llm') throw new Error('not an LLM decision');
    expect(decision.attempts[0]?.problems).toContainEqual({
      path: 'steps[0].input.city',
      code: 'unknown-data-field',
      message: 'reads request.data.location, but the request data has only city, secret',
    });
  });

  it('counts an answer with nothing in it (a 200 without choices) as an attempt, and asks again', async () => {
    let calls = 0;
    const empty = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        calls++;
        const choices =
          calls === 1
            ? []
            : [{ index: 0, message: { role: 'assistant', content: answer(BRIEFING_PLAN) }, finish_reason: 'stop' }];
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ id: `c${calls}`, object: 'chat.completion', created: 0, model: 'p', choices }));
      });
    });
    await new Promise<void>((resolve) => empty.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = empty.address() as AddressInfo;
      const model = createOpenAICompatible({
        name: 'empty',
        baseURL: `http://127.0.0.1:${port}/v1`,
        supportsStructuredOutputs: true,
      }).chatModel('p');
      const { plan, decision } = await new LlmPlanner({ model }).plan({ action, data, targets, validate });
      expect(plan).toEqual(BRIEFING_PLAN);
      if (decision.planner !== 'llm') throw new Error('not an LLM decision');
      expect(decision.attempts.map((attempt) => attempt.outcome)).toEqual(['no-answer', 'valid']);
      expect(decision.attempts[0]?.error).toMatch(/held nothing to read.*did not contain any choices/);
    } finally {
      await new Promise((resolve) => empty.close(resolve));
    }
  });

  it('fails with every attempt recorded when no plan validates in three', async () => {
    const broken = (n: number) => ({
      steps: [{ id: 'a', target: 'news', input: { topic: { $ref: `steps.ghost${n}.output` } } }],
    });
    replies.push(answer(broken(1)), answer(broken(2)), answer(broken(3)), answer(BRIEFING_PLAN));
    const error = await planner()
      .plan({ action, data, targets, validate })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanningFailedError);
    const failed = error as PlanningFailedError;
    expect(failed.code).toBe('planning-failed');
    expect(failed.attempts.map((attempt) => attempt.outcome)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(failed.attempts.map((attempt) => attempt.problems[0]?.message).join(' ')).toMatch(/ghost1.*ghost2.*ghost3/);
    expect(server.calls).toBe(3);
  });

  it('takes "not actionable" with its reason', async () => {
    replies.push(JSON.stringify({ actionable: false, reason: 'nothing here books flights' }));
    const error = await planner()
      .plan({ action: 'Book me a flight to Rome', data: {}, targets, validate })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotActionableError);
    expect((error as NotActionableError).reason).toBe('nothing here books flights');
    expect((error as NotActionableError).attempts[0]?.outcome).toBe('not-actionable');
  });

  it('asks again after an answer that is not JSON', async () => {
    replies.push('Sure! Here is the plan: {steps: [weather', answer(BRIEFING_PLAN));
    const { decision } = await planner().plan({ action, data, targets, validate });
    if (decision.planner !== 'llm') throw new Error('not an LLM decision');
    expect(decision.attempts[0]).toMatchObject({
      outcome: 'no-answer',
      error: expect.stringContaining('not valid JSON'),
    });
    expect(userTexts(1).at(-1)).toContain('not valid JSON');
  });

  it('retries a 429 inside the attempt and plans', async () => {
    server.failNext(429, { 'retry-after': '0' });
    replies.push(answer(BRIEFING_PLAN));
    const { decision } = await planner().plan({ action, data, targets, validate });
    expect(server.calls).toBe(2);
    if (decision.planner !== 'llm') throw new Error('not an LLM decision');
    expect(decision.attempts).toHaveLength(1);
  });

  it('waits as long as Retry-After asks rather than calling again, within its time limit', async () => {
    server.failNext(429, { 'retry-after': '30' });
    const error = await planner({ timeoutMs: 300 })
      .plan({ action, data, targets, validate })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanningTimeoutError);
    expect(server.calls).toBe(1);
  });

  it('gives up at its time limit when the model does not answer', async () => {
    const release = server.holdReplies();
    replies.push(answer(BRIEFING_PLAN));
    try {
      const error = await planner({ timeoutMs: 200 })
        .plan({ action, data, targets, validate })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PlanningTimeoutError);
      expect((error as PlanningTimeoutError).timeoutMs).toBe(200);
    } finally {
      release();
    }
  });

  it('does not retry a refused key, and says which status the endpoint gave', async () => {
    server.failNext(401);
    const error = await planner()
      .plan({ action, data, targets, validate })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlannerUnavailableError);
    expect((error as PlannerUnavailableError).status).toBe(401);
    expect(server.calls).toBe(1);
  });

  it('answers "not actionable" without a call when nothing is registered', async () => {
    await expect(planner().plan({ action, data, targets: [], validate })).rejects.toBeInstanceOf(NotActionableError);
    expect(server.calls).toBe(0);
  });

  it('refuses bad options, naming the value', () => {
    expect(() => planner({ maxAttempts: 0 })).toThrow(/maxAttempts must be a whole number ≥ 1, got 0/);
  });

  it('refuses bad target search options, naming the value', () => {
    expect(() => planner({ targetSearch: { k: 0 } })).toThrow(/targetSearch.k must be a whole number ≥ 1, got 0/);
  });
});

describe('LlmPlanner with many targets', () => {
  const shipped = JSON.parse(readFileSync(new URL('../../data/tools/tools.json', import.meta.url), 'utf8')) as {
    tools: { name: string; description: string; inputSchema: unknown }[];
  };
  /** 27 services that have nothing to do with weather, news or briefings, after the three that do. */
  const many: PlanningTarget[] = [
    ...targets,
    ...shipped.tools.slice(30, 57).map((tool) => ({
      name: tool.name,
      kind: 'service' as const,
      version: '1.0.0',
      description: tool.description,
      inputSchema: tool.inputSchema,
    })),
  ];
  const briefing = 'Get the weather and the top headlines for Lisbon, and write a short briefing from them';
  const shownTargets = (call: number) => {
    const prompt = userTexts(call).join('\n');
    return [...prompt.matchAll(/^- ([\w.-]+) \(service/gm)].map((match) => match[1]);
  };

  it('shows the model only the k targets most relevant to the action, in the prompt and the answer schema', async () => {
    replies.push(answer(BRIEFING_PLAN));
    const { plan } = await planner({ targetSearch: { threshold: 20, k: 6 } }).plan({
      action: briefing,
      data,
      targets: many,
      validate,
    });
    expect(plan).toEqual(BRIEFING_PLAN);
    const shown = shownTargets(0);
    expect(shown).toHaveLength(6);
    expect(shown).toEqual(expect.arrayContaining(['weather', 'news', 'brief']));
    expect(userTexts(0).join('\n')).toContain('Registered targets (the 6 of 30 most relevant to the action):');
    const body = server.bodies[0] as unknown as { response_format: { json_schema: { schema: unknown } } };
    const schema = JSON.stringify(body.response_format.json_schema.schema);
    expect(schema).toContain('"weather"');
    for (const hidden of many.filter((target) => !shown.includes(target.name))) {
      expect(schema).not.toContain(`"${hidden.name}"`);
    }
  });

  it('shows every target up to the threshold, and always with targetSearch: false', async () => {
    replies.push(answer(BRIEFING_PLAN), answer(BRIEFING_PLAN));
    await planner({ targetSearch: { threshold: 30, k: 6 } }).plan({ action: briefing, data, targets: many, validate });
    expect(shownTargets(0)).toHaveLength(30);
    await planner({ targetSearch: false }).plan({ action: briefing, data, targets: many, validate });
    expect(shownTargets(1)).toHaveLength(30);
    expect(userTexts(1).join('\n')).toContain('Registered targets:\n');
  });
});
