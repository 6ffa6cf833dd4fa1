import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createSifEmbedder } from '@baton/cache';
import { createEngine, createRegistry } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { ActionPlanner } from './action-planner.js';
import { LlmPlanner } from './llm-planner.js';
import { TemplateMatcher } from './template-matcher.js';
import { withAsk } from './with-ask.js';

let server: ChatServer;
/** Answers by the conversation so far: a first question, or a repair after problems. */
let reply: (messages: number) => string = () => '';
beforeAll(async () => {
  server = await startChatServer({ reply: (body) => reply(body.messages.length) });
});
afterAll(() => server.close());

function engineWithTools() {
  const registry = createRegistry();
  let weatherCalls = 0;
  registry.register({
    name: 'weather',
    description: 'Current weather for a city',
    input: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    handler: async (input: { city: string }) => {
      weatherCalls++;
      if (weatherCalls === 1) throw Object.assign(new Error('flaky'), { retryable: true });
      return { city: input.city, tempC: 21 };
    },
  });
  registry.register({
    name: 'calculator',
    description: 'Evaluates arithmetic',
    input: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
    handler: async () => ({ value: 42 }),
  });
  return { engine: createEngine({ registry }), calls: () => weatherCalls };
}

describe('withAsk', () => {
  it('runs the one target a template picks, with the engine policies (a retry here)', async () => {
    const templates = new TemplateMatcher({ embedder: createSifEmbedder() });
    await templates.add({
      name: 'weather',
      examples: ['What is the weather in {city}?'],
      params: { city: { type: 'string' } },
      plan: { steps: [{ id: 'w', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] },
    });
    const { engine, calls } = engineWithTools();
    const asking = withAsk(engine, { planner: new ActionPlanner({ templates }) });
    const answer = await asking.ask("What's the weather in Lisbon?");
    expect(answer).toMatchObject({
      target: 'weather',
      output: { city: 'Lisbon', tempC: 21 },
      decision: { planner: 'template' },
    });
    expect(calls()).toBe(2);
  });

  it('asks the model for a plan of exactly one step, and tells it when it gave more', async () => {
    const model = createOpenAICompatible({
      name: 'local',
      baseURL: server.baseURL,
      supportsStructuredOutputs: true,
    }).chatModel('m');
    const { engine } = engineWithTools();
    const asking = withAsk(engine, { planner: new ActionPlanner({ llm: new LlmPlanner({ model }) }) });
    const two = {
      steps: [
        { id: 'a', target: 'calculator', input: { expression: '6*7' } },
        { id: 'b', target: 'calculator', input: { expression: '1+1' } },
      ],
    };
    const one = { steps: [{ id: 'calc', target: 'calculator', input: { expression: '6*7' } }] };
    // System prompt and question first; after a plan with problems, the model's answer and the problems too.
    reply = (messages) => JSON.stringify({ actionable: true, plan: messages <= 2 ? two : one });
    const calls = server.calls;
    const answer = await asking.ask('What is six times seven?');
    expect(answer).toMatchObject({ target: 'calculator', output: { value: 42 } });
    if (answer.decision.planner !== 'llm') throw new Error('not planned by the model');
    expect(answer.decision.attempts[0]?.problems[0]?.code).toBe('too-many-steps');
    expect(server.calls).toBe(calls + 2);
    const system = server.bodies[calls]?.messages[0]?.content;
    expect(system).toContain('exactly one step');
    expect(JSON.stringify(server.bodies[calls])).toContain('"maxItems":1');
  });

  it('refuses empty text, naming it', async () => {
    const { engine } = engineWithTools();
    const asking = withAsk(engine, { planner: new ActionPlanner({}) });
    await expect(asking.ask('  ')).rejects.toThrow(/text must be a non-empty string, got " {2}"/);
  });
});
