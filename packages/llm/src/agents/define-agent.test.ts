import {
  BudgetExceededError,
  createEngine,
  NonRetryableError,
  type Registry,
  type RunEvent,
  ValidationError,
} from '@baton/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { tokenCounter } from '../tokens/token-counter.js';
import type { AgentOutput } from './agent-loop.js';
import type { AgentModel, AgentOptions, ModelPricePerMTok } from './agent-options.js';
import { AgentStepLimitError } from './agent-step-limit-error.js';
import { chatModel, scripted, toolRegistry } from './agent-test-kit.js';
import { defineAgent } from './define-agent.js';

let server: ChatServer;
let registry: Registry;
let calls: string[];

const TWO_TOOLS = scripted([
  { toolCalls: [{ name: 'weather_forecast', arguments: { city: 'Oslo' } }] },
  { toolCalls: [{ name: 'send-email', arguments: { to: 'ada@example.com', body: 'Rain tomorrow' } }] },
  'Rain tomorrow in Oslo; I emailed Ada.',
]);

beforeEach(() => {
  ({ registry, calls } = toolRegistry());
});
afterEach(async () => {
  await server?.close();
});

async function runAgent(
  options: Partial<AgentOptions>,
  runOptions: Parameters<ReturnType<typeof createEngine>['run']>[2] = {},
  query = 'Will it rain in Oslo? Email Ada.',
) {
  registry.register(
    defineAgent({
      name: 'assistant',
      registry,
      model: chatModel(server.baseURL, 'gpt-4o-mini'),
      system: 'You help with the weather.',
      tools: ['weather.*', 'send-email'],
      cache: false,
      ...options,
    }),
  );
  const events: RunEvent[] = [];
  const engine = createEngine({ registry, onEvent: (event) => events.push(event) });
  const plan = { steps: [{ id: 'ask', target: 'assistant', input: { query } }] };
  const handle = engine.run(plan, {}, { runId: 'run-1', ...runOptions });
  const outcome = await handle.result().then(
    (result) => ({ output: (result.output as { ask: AgentOutput }).ask, error: undefined, result }),
    (error: unknown) => ({ output: undefined, error, result: undefined }),
  );
  return { ...outcome, events };
}

/** gpt-4o preferred, then gpt-4o-mini, at these prices, each keeping 200 tokens for its answer. */
function gpt4oThenMini(gpt4o: ModelPricePerMTok, mini: ModelPricePerMTok): AgentModel[] {
  return [
    { model: chatModel(server.baseURL, 'gpt-4o'), price: gpt4o, maxOutputTokens: 200 },
    { model: chatModel(server.baseURL, 'gpt-4o-mini'), price: mini, maxOutputTokens: 200 },
  ];
}

/**
 * A chat server that asks for `arm-failure` and then answers; `arm-failure` makes the next model call fail once with a
 * 503, so the step is retried and replays the first model call and the tool call.
 */
async function startWithArmFailure(): Promise<{ calls: number }> {
  server = await startChatServer({
    reply: scripted([{ toolCalls: [{ name: 'arm-failure', arguments: {} }] }, 'Done after a hiccup.']),
  });
  const armed = { calls: 0 };
  registry.register({
    name: 'arm-failure',
    description: 'Makes the next model call fail once with a 503',
    handler: () => {
      armed.calls++;
      server.failNext(503);
      return { armed: true };
    },
  });
  return armed;
}

describe('defineAgent', () => {
  it('calls two tools through the engine, then answers, through the real provider client', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { output, events } = await runAgent({});
    expect(output?.text).toBe('Rain tomorrow in Oslo; I emailed Ada.');
    expect(output?.toolCalls).toEqual([
      { id: 'call_1', tool: 'weather.forecast', input: { city: 'Oslo' }, output: { city: 'Oslo', tomorrow: 'rain' } },
      {
        id: 'call_2',
        tool: 'send-email',
        input: { to: 'ada@example.com', body: 'Rain tomorrow' },
        output: { sent: true },
      },
    ]);
    expect(output?.steps).toBe(3);
    expect(output?.models).toEqual(['local.chat:gpt-4o-mini', 'local.chat:gpt-4o-mini', 'local.chat:gpt-4o-mini']);
    expect(calls).toEqual(['forecast:Oslo', 'email:ada@example.com']);
    expect(server.calls).toBe(3);
    // The model saw the tools under provider-safe names, the system prompt first, and the tool results.
    expect(server.bodies[0]?.tools?.map((t) => t.function.name)).toEqual([
      'weather_forecast',
      'weather_current',
      'send-email',
    ]);
    expect(server.bodies[0]?.messages[0]).toEqual({ role: 'system', content: 'You help with the weather.' });
    expect(server.bodies[2]?.messages.filter((m) => m.role === 'tool')).toHaveLength(2);
    const subCalls = events.filter((e) => e.type === 'sub-call-start');
    expect(subCalls.map((e) => e.type === 'sub-call-start' && [e.target, e.path])).toEqual([
      ['weather.forecast', ['run-1', 'ask', 'tool-1-call_1']],
      ['send-email', ['run-1', 'ask', 'tool-2-call_2']],
    ]);
    expect(output?.usage.inputTokens).toBeGreaterThan(0);
  });

  it('with stream, sends the answer as text-delta events as it arrives, and takes the same calls and usage', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { output, events } = await runAgent({ stream: true });
    expect(output?.text).toBe('Rain tomorrow in Oslo; I emailed Ada.');
    expect(output?.toolCalls.map((call) => [call.tool, call.output])).toEqual([
      ['weather.forecast', { city: 'Oslo', tomorrow: 'rain' }],
      ['send-email', { sent: true }],
    ]);
    expect(server.bodies.map((body) => body.stream)).toEqual([true, true, true]);
    const deltas = events.filter((event) => event.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((event) => event.type === 'text-delta' && event.delta).join('')).toBe(output?.text);
    expect(deltas.every((event) => event.path.join('/') === 'run-1/ask')).toBe(true);
    // The pieces come after the last model call is announced, and before the step ends.
    const lastCall = events.findLastIndex((event) => event.type === 'model-call');
    expect(events.indexOf(deltas[0]!)).toBeGreaterThan(lastCall);
    expect(events.findIndex((event) => event.type === 'step-finish')).toBeGreaterThan(events.indexOf(deltas.at(-1)!));
    expect(output?.usage.inputTokens).toBeGreaterThan(0);
    expect(output?.usage.outputTokens).toBeGreaterThan(0);
  });

  it('with stream, a retried step replays the kept model calls without sending their text again', async () => {
    server = await startChatServer({
      reply: scripted([
        { text: 'Let me arm it.', toolCalls: [{ name: 'arm-failure', arguments: {} }] },
        'Done after a hiccup.',
      ]),
    });
    registry.register({
      name: 'arm-failure',
      description: 'Makes the next model call fail once with a 503',
      handler: () => {
        server.failNext(503);
        return { armed: true };
      },
    });
    const { output, events } = await runAgent({ stream: true, tools: ['arm-failure'] });
    expect(output?.text).toBe('Done after a hiccup.');
    const text = events
      .filter((event) => event.type === 'text-delta')
      .map((event) => (event.type === 'text-delta' ? event.delta : ''))
      .join('');
    // The first call's text streamed once, before the 503; the retry replays that call from the journal, silently.
    expect(events.filter((event) => event.type === 'step-retry')).toHaveLength(1);
    expect(server.calls).toBe(3);
    expect(text).toBe('Let me arm it.Done after a hiccup.');
  });

  it('fails its first run, before any model call, with a ValidationError naming a tools pattern that matches nothing', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { error } = await runAgent({ tools: ['weather.*', 'wether.*'] });
    const cause = (error as { cause?: unknown }).cause;
    expect(ValidationError.isInstance(cause)).toBe(true);
    expect((cause as ValidationError).problems).toEqual([
      {
        path: 'tools[1]',
        code: 'no-match',
        message: '"wether.*" matches no tool (registered: weather.forecast, weather.current, send-email)',
      },
    ]);
    expect((cause as Error).message).toContain('agent "assistant" names tools it cannot have: tools[1]: "wether.*"');
    expect(server.calls).toBe(0);
  });

  it('checks its tools at the first run, not when defined: tools registered in between are found', async () => {
    server = await startChatServer({ reply: scripted(['No tools needed.']) });
    registry.register(
      defineAgent({
        name: 'late',
        registry,
        model: chatModel(server.baseURL, 'gpt-4o-mini'),
        tools: ['later.*'],
        cache: false,
      }),
    );
    registry.register({ name: 'later.tool', description: 'Registered after the agent', handler: () => ({ ok: true }) });
    const result = await createEngine({ registry })
      .run({ steps: [{ id: 'ask', target: 'late', input: { query: 'hi' } }] })
      .result();
    expect((result.output as { ask: AgentOutput }).ask.text).toBe('No tools needed.');
  });

  it('shows the model a failed tool call and goes on', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    registry.register({
      name: 'send-email',
      version: '2.0.0',
      description: 'Sends an email to an address',
      handler: () => {
        throw new NonRetryableError('mailbox full');
      },
    });
    const { output } = await runAgent({});
    expect(output?.toolCalls[1]).toMatchObject({ tool: 'send-email', error: expect.stringContaining('mailbox full') });
    expect(JSON.stringify(server.bodies[2]?.messages.at(-1))).toContain('mailbox full');
    expect(output?.text).toBe('Rain tomorrow in Oslo; I emailed Ada.');
  });

  it('fails with AgentStepLimitError, not an empty answer, when its last allowed model call still calls tools', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { output, error, events } = await runAgent({ maxSteps: 2 });
    expect(output).toBeUndefined();
    // The run fails with the step's failure, whose cause is the agent's.
    const cause = (error as Error).cause;
    expect(AgentStepLimitError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ agent: 'assistant', maxSteps: 2, lastTools: ['send-email'], retryable: false });
    expect((cause as Error).message).toContain(
      'made its 2 model calls (maxSteps) and the last one still called send-email',
    );
    // Both tool calls ran once; the step was not retried into the same end.
    expect(calls).toEqual(['forecast:Oslo', 'email:ada@example.com']);
    expect(server.calls).toBe(2);
    expect(events.filter((event) => event.type === 'step-retry')).toEqual([]);
  });

  it('names the tools of AgentStepLimitError as registered, not by the names the model saw', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { error } = await runAgent({ maxSteps: 1 });
    const cause = (error as Error).cause;
    // The model called weather_forecast, the provider-safe name of weather.forecast.
    expect(cause).toMatchObject({ lastTools: ['weather.forecast'] });
    expect((cause as Error).message).toContain('still called weather.forecast instead of answering');
  });

  it('takes the cheaper model when the budget left cannot cover the preferred one, and says so', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { output, events } = await runAgent(
      {
        models: gpt4oThenMini({ inputPerMTok: 2500, outputPerMTok: 10_000 }, { inputPerMTok: 150, outputPerMTok: 600 }),
      },
      { budget: { costUsd: 1 } },
    );
    expect(output?.models).toEqual(['local.chat:gpt-4o-mini', 'local.chat:gpt-4o-mini', 'local.chat:gpt-4o-mini']);
    expect(server.bodies.map((body) => body.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini']);
    const choices = events.filter((e) => e.type === 'model-choice');
    expect(choices).toHaveLength(3);
    expect(choices[0]).toMatchObject({
      stepId: 'ask',
      path: ['run-1', 'ask'],
      model: 'local.chat:gpt-4o-mini',
      skipped: [
        {
          model: 'local.chat:gpt-4o',
          reason: expect.stringMatching(/^its estimate of \$\d+\.\d+ is over the \$1\.000000 left$/),
        },
      ],
    });
    expect(output?.usage.costUsd).toBeGreaterThan(0);
  });

  it('prefers the first model while the budget covers it', async () => {
    server = await startChatServer({ reply: () => 'Sunny.' });
    const { output, events } = await runAgent(
      {
        models: [
          { model: chatModel(server.baseURL, 'gpt-4o'), price: { inputPerMTok: 2.5, outputPerMTok: 10 } },
          { model: chatModel(server.baseURL, 'gpt-4o-mini'), price: { inputPerMTok: 0.15, outputPerMTok: 0.6 } },
        ],
      },
      { budget: { costUsd: 1 } },
    );
    expect(output?.models).toEqual(['local.chat:gpt-4o']);
    expect(events.find((e) => e.type === 'model-choice')).toMatchObject({ model: 'local.chat:gpt-4o', skipped: [] });
  });

  it('refuses with a budget error, before any request, when no model is affordable', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { error } = await runAgent(
      { models: [{ model: chatModel(server.baseURL, 'gpt-4o'), price: { inputPerMTok: 2.5, outputPerMTok: 10 } }] },
      { budget: { costUsd: 0.000001 } },
    );
    const cause = BudgetExceededError.isInstance(error) ? error : (error as Error).cause;
    expect(BudgetExceededError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ budget: 'costUsd', phase: 'refused' });
    expect(server.calls).toBe(0);
  });

  it("keeps to the agent's own budget over its model calls", async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { error } = await runAgent({
      models: [
        {
          model: chatModel(server.baseURL, 'gpt-4o'),
          price: { inputPerMTok: 1000, outputPerMTok: 0 },
          maxOutputTokens: 50,
        },
      ],
      budget: { costUsd: 0.15 },
    });
    // The first call (about 100 input tokens, $0.10) fits; the second does not fit in what is left.
    expect(BudgetExceededError.isInstance((error as Error).cause ?? error)).toBe(true);
    expect(server.calls).toBe(1);
  });

  it("fails when an answer longer than its estimate passes the agent's own budget, even on the last call", async () => {
    // The estimate (the prompt and 20 tokens of answer) fits in 150 tokens; the 300-word answer the server reports
    // does not. Without a budget the same answer is the agent's output.
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    server = await startChatServer({ reply: () => long });
    const model = { model: chatModel(server.baseURL, 'gpt-4o-mini'), maxOutputTokens: 20 };
    const { error } = await runAgent({ models: [model], budget: { tokens: 150 } });
    const cause = (error as Error).cause ?? error;
    expect(BudgetExceededError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ budget: 'tokens', phase: 'exceeded', limit: 150, stepId: 'ask' });
    expect((cause as Error).message).toContain('agent "assistant"');
    expect((cause as BudgetExceededError).amount).toBeGreaterThan(300);
    expect(server.calls).toBe(1);

    ({ registry } = toolRegistry());
    const unlimited = await runAgent({ models: [model] });
    expect(unlimited.output?.text).toBe(long);
  });

  it('retries a step whose model call failed, replaying the model and tool calls that finished', async () => {
    const armed = await startWithArmFailure();
    const { output, events } = await runAgent({ tools: ['arm-failure'] });
    expect(output?.text).toBe('Done after a hiccup.');
    expect(armed.calls).toBe(1);
    // The first answer, the 503, then the second answer: the first model call was not made again.
    expect(server.calls).toBe(3);
    expect(events.filter((e) => e.type === 'step-retry')).toHaveLength(1);
    const replayed = events.filter((e) => e.type === 'sub-call-finish' && e.replayed);
    expect(replayed.map((e) => e.type === 'sub-call-finish' && e.callId)).toEqual(['tool-1-call_1']);
  });

  it('announces the model choice of a replayed model call only when it was made, not again on replay', async () => {
    await startWithArmFailure();
    const { output, events } = await runAgent({
      tools: ['arm-failure'],
      models: [{ model: chatModel(server.baseURL, 'gpt-4o') }, { model: chatModel(server.baseURL, 'gpt-4o-mini') }],
      // The 503 fails the call, so the step is retried.
      modelFallback: false,
    });
    expect(output?.text).toBe('Done after a hiccup.');
    expect(output?.models).toEqual(['local.chat:gpt-4o', 'local.chat:gpt-4o']);
    // Attempt 1: model-1, then model-2 (the 503). Attempt 2: model-1 replayed, unannounced; model-2 made again.
    const choices = events.filter((e) => e.type === 'model-choice');
    expect(choices.map((e) => [e.attempt, e.model])).toEqual([
      [1, 'local.chat:gpt-4o'],
      [1, 'local.chat:gpt-4o'],
      [2, 'local.chat:gpt-4o'],
    ]);
    expect(server.calls).toBe(3);
    expect(events.filter((e) => e.type === 'model-fallback')).toEqual([]);
  });

  it('counts a replayed model call as the model that made it, whichever the budget left would choose now', async () => {
    await startWithArmFailure();
    // The first call's estimate on gpt-4o is $0.263 of the $0.27 budget; after it ($0.015 spent) the budget can only
    // pay for mini, so the second call (the 503) and the retry's replay of the first are chosen as mini.
    const { output, events } = await runAgent(
      {
        tools: ['arm-failure'],
        models: gpt4oThenMini({ inputPerMTok: 1000, outputPerMTok: 1000 }, { inputPerMTok: 1, outputPerMTok: 1 }),
        modelFallback: false,
      },
      { budget: { costUsd: 0.27 } },
    );
    const choices = events.filter((e) => e.type === 'model-choice');
    expect(choices.map((e) => [e.attempt, e.model])).toEqual([
      [1, 'local.chat:gpt-4o'],
      [1, 'local.chat:gpt-4o-mini'],
      [2, 'local.chat:gpt-4o-mini'],
    ]);
    // The replayed first answer came from gpt-4o and is paid at its price.
    expect(output?.models).toEqual(['local.chat:gpt-4o', 'local.chat:gpt-4o-mini']);
    // Some of its tokens at gpt-4o's $1 a thousand (mini's are a thousandth of that), not all of them.
    const tokens = (output?.usage.inputTokens ?? 0) + (output?.usage.outputTokens ?? 0);
    expect(output?.usage.costUsd).toBeGreaterThan(0.01);
    expect(output?.usage.costUsd).toBeLessThan(tokens * 0.001);
  });

  it('offers each model call only the tools the search picks', async () => {
    server = await startChatServer({ reply: () => 'Sunny.' });
    const { output, events } = await runAgent({
      toolSearch: {
        k: 1,
        create: async (tools) => ({
          search: async (query) => tools.filter((t) => query.includes('rain') && t.name === 'weather_forecast'),
        }),
      },
    });
    expect(output?.text).toBe('Sunny.');
    expect(server.bodies[0]?.tools?.map((t) => t.function.name)).toEqual(['weather_forecast']);
    // A model-call event says what the call was shown: the tools offered (as targets) and the input tokens sent.
    const modelCalls = events.filter((event) => event.type === 'model-call');
    expect(modelCalls).toEqual([
      expect.objectContaining({
        stepId: 'ask',
        model: 'local.chat:gpt-4o-mini',
        tools: ['weather.forecast'],
        inputTokens: expect.any(Number),
        assembled: false,
      }),
    ]);
    expect((modelCalls[0] as { inputTokens: number }).inputTokens).toBeGreaterThan(10);
  });

  it('picks the tools with the built-in tool search (BM25 and the offline embedder)', async () => {
    server = await startChatServer({ reply: () => 'Sent.' });
    const { output } = await runAgent({ toolSearch: { k: 1 } }, {}, 'Send an email to Ada about the picnic');
    expect(output?.text).toBe('Sent.');
    expect(server.bodies[0]?.tools?.map((t) => t.function.name)).toEqual(['send-email']);
  });

  it('sends each model call the context its assembler makes, within the context budget', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const asked: { messages: number; budget: unknown; tools: number }[] = [];
    const { output } = await runAgent({
      context: {
        maxInputTokens: 4000,
        assemble: async (options) => {
          asked.push({ messages: options.messages.length, budget: options.budget, tools: options.tools?.length ?? 0 });
          // Keeps the system prompt and the current turn (the last user message and what follows it) only.
          const system = [{ role: 'system' as const, content: `${options.system} (assembled)` }];
          const turn = options.messages.slice(options.messages.findLastIndex((m) => m.role === 'user'));
          return { messages: [...system, ...turn], tokens: 0 };
        },
      },
    });
    expect(output?.text).toBe('Rain tomorrow in Oslo; I emailed Ada.');
    expect(asked).toEqual([
      { messages: 1, budget: { maxInputTokens: 4000, reserveOutputTokens: 1024 }, tools: 3 },
      { messages: 3, budget: { maxInputTokens: 4000, reserveOutputTokens: 1024 }, tools: 3 },
      { messages: 5, budget: { maxInputTokens: 4000, reserveOutputTokens: 1024 }, tools: 3 },
    ]);
    expect(server.bodies.map((body) => body.messages.map((m) => m.role))).toEqual([
      ['system', 'user'],
      ['system', 'user', 'assistant', 'tool'],
      ['system', 'user', 'assistant', 'tool', 'assistant', 'tool'],
    ]);
    expect(server.bodies.map((body) => body.messages[0]?.content)).toEqual(
      Array(3).fill('You help with the weather. (assembled)'),
    );
  });

  it('keeps every model call within its context budget with assembleContext, dropping the oldest turns', async () => {
    server = await startChatServer({ reply: () => 'Noted.' });
    registry.register(
      defineAgent({
        name: 'assistant',
        registry,
        models: [{ model: chatModel(server.baseURL, 'gpt-4o-mini'), maxOutputTokens: 200 }],
        system: 'You help with the weather.',
        tools: ['weather.*'],
        context: { maxInputTokens: 1200 },
        cache: false,
      }),
    );
    const turn = (n: number) => `Turn ${n}: ${'the forecast said it would rain over the fjords again '.repeat(8)}`;
    const history = Array.from({ length: 30 }, (_, n) => ({
      role: n % 2 === 0 ? ('user' as const) : ('assistant' as const),
      content: turn(n),
    }));
    const plan = { steps: [{ id: 'ask', target: 'assistant', input: { query: 'And tomorrow?', messages: history } }] };
    await createEngine({ registry }).run(plan).result();
    const body = server.bodies[0];
    const counter = tokenCounter('gpt-4o-mini');
    const messages = body?.messages ?? [];
    const tools = (body?.tools ?? []).map((t) => t.function);
    const sent = messages.reduce(
      (sum, m) => sum + counter.message({ role: m.role, content: typeof m.content === 'string' ? m.content : '' }),
      counter.requestOverhead + counter.tools(tools),
    );
    // The input budget is maxInputTokens less the answer's room (the model's maxOutputTokens).
    expect(sent).toBeLessThanOrEqual(1000);
    expect(messages.length).toBeLessThan(history.length + 2);
    expect(messages[0]).toEqual({ role: 'system', content: 'You help with the weather.' });
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'And tomorrow?' });
    // What was kept is the newest turns, in order.
    const kept = messages.slice(1, -1).map((m) => m.content);
    expect(kept).toEqual(history.slice(history.length - kept.length).map((m) => m.content));
    expect(kept.length).toBeGreaterThan(0);
  });

  it('assembles again for the model the budget chose: its tokenizer, its answer room', async () => {
    server = await startChatServer({ reply: () => 'Noted.' });
    registry.register(
      defineAgent({
        name: 'assistant',
        registry,
        models: [
          // Priced out by the budget below; counted exactly, with little room for its answer.
          {
            model: chatModel(server.baseURL, 'gpt-4o'),
            price: { inputPerMTok: 5000, outputPerMTok: 5000 },
            maxOutputTokens: 100,
          },
          // Outside the OpenAI family: estimated (×1.5), and it keeps 600 tokens for its answer.
          {
            model: chatModel(server.baseURL, 'llama-3.1-8b'),
            price: { inputPerMTok: 0.1, outputPerMTok: 0.1 },
            maxOutputTokens: 600,
          },
        ],
        system: 'You help with the weather.',
        context: { maxInputTokens: 1200 },
        cache: false,
      }),
    );
    const turn = (n: number) => `Turn ${n}: ${'the forecast said it would rain over the fjords again '.repeat(8)}`;
    const history = Array.from({ length: 30 }, (_, n) => ({
      role: n % 2 === 0 ? ('user' as const) : ('assistant' as const),
      content: turn(n),
    }));
    const plan = { steps: [{ id: 'ask', target: 'assistant', input: { query: 'And tomorrow?', messages: history } }] };
    await createEngine({ registry })
      .run(plan, {}, { budget: { costUsd: 1 } })
      .result();
    const body = server.bodies[0];
    expect(body?.model).toBe('llama-3.1-8b');
    const counter = tokenCounter('llama-3.1-8b');
    const sent = (body?.messages ?? []).reduce(
      (sum, m) => sum + counter.message({ role: m.role, content: typeof m.content === 'string' ? m.content : '' }),
      counter.requestOverhead,
    );
    // Within 1,200 less the chosen model's 600 of answer room, counted as that model is estimated.
    expect(sent).toBeLessThanOrEqual(600);
    expect(body?.messages.at(-1)).toEqual({ role: 'user', content: 'And tomorrow?' });
  });

  it('refuses a context budget that leaves no room for the prompt, naming the setting', () => {
    const model = chatModel('http://127.0.0.1:1/v1', 'gpt-4o-mini');
    expect(() => defineAgent({ name: 'a', registry, model, context: { maxInputTokens: 50 } })).toThrow(
      "context.maxInputTokens: must be more than the 1024 tokens kept for the answer (context.reserveOutputTokens, else a model's maxOutputTokens, else 1024), got 50",
    );
    expect(() =>
      defineAgent({ name: 'a', registry, model, context: { maxInputTokens: 500, reserveOutputTokens: 100 } }),
    ).not.toThrow();
  });

  it('asks the next model when the preferred one cannot be reached, and says so', async () => {
    server = await startChatServer({ reply: TWO_TOOLS });
    const { output, events } = await runAgent({
      models: [
        { model: chatModel('http://127.0.0.1:1/v1', 'gpt-4o') },
        { model: chatModel(server.baseURL, 'gpt-4o-mini') },
      ],
    });
    expect(output?.text).toBe('Rain tomorrow in Oslo; I emailed Ada.');
    expect(output?.models).toEqual(['local.chat:gpt-4o-mini', 'local.chat:gpt-4o-mini', 'local.chat:gpt-4o-mini']);
    expect(calls).toEqual(['forecast:Oslo', 'email:ada@example.com']);
    const fallbacks = events.filter((e) => e.type === 'model-fallback');
    expect(fallbacks).toHaveLength(3);
    expect(fallbacks[0]).toMatchObject({
      stepId: 'ask',
      from: 'local.chat:gpt-4o',
      to: 'local.chat:gpt-4o-mini',
      reason: expect.stringContaining('could not be reached'),
    });
    // No step was retried: each call went on with the next model.
    expect(events.filter((e) => e.type === 'step-retry')).toEqual([]);
  });

  it('asks the next model after a 503 and pays the call at the price of the model that answered', async () => {
    server = await startChatServer({ reply: () => 'Sunny.' });
    server.failNext(503);
    const { output, events } = await runAgent({
      models: gpt4oThenMini({ inputPerMTok: 1000, outputPerMTok: 1000 }, { inputPerMTok: 1, outputPerMTok: 1 }),
    });
    expect(server.bodies.map((body) => body.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(output?.models).toEqual(['local.chat:gpt-4o-mini']);
    expect(events.find((e) => e.type === 'model-fallback')).toMatchObject({
      from: 'local.chat:gpt-4o',
      to: 'local.chat:gpt-4o-mini',
      reason: expect.stringContaining('503'),
    });
    // At mini's $1 a million tokens, not gpt-4o's $1,000.
    const tokens = (output?.usage.inputTokens ?? 0) + (output?.usage.outputTokens ?? 0);
    expect(tokens).toBeGreaterThan(0);
    expect(output?.usage.costUsd).toBeCloseTo(tokens / 1_000_000, 12);
  });

  it('does not switch models on a failure every model would share (a 400)', async () => {
    server = await startChatServer({ reply: () => 'Sunny.' });
    server.failNext(400);
    const { error, events } = await runAgent({
      models: [{ model: chatModel(server.baseURL, 'gpt-4o') }, { model: chatModel(server.baseURL, 'gpt-4o-mini') }],
    });
    expect(String((error as Error)?.message)).toContain('400');
    expect(events.filter((e) => e.type === 'model-fallback')).toEqual([]);
    expect(server.bodies.map((body) => body.model)).toEqual(['gpt-4o']);
  });

  it("fails with the first model's error when no later model fits the budget left", async () => {
    server = await startChatServer({ reply: () => 'Sunny.' });
    const { error, events } = await runAgent(
      {
        models: [
          { model: chatModel('http://127.0.0.1:1/v1', 'gpt-4o-mini'), price: { inputPerMTok: 1, outputPerMTok: 1 } },
          { model: chatModel(server.baseURL, 'gpt-4o'), price: { inputPerMTok: 1e6, outputPerMTok: 1e6 } },
        ],
      },
      { budget: { costUsd: 0.01 } },
    );
    expect(String((error as Error)?.message)).toContain('could not be reached');
    expect(events.filter((e) => e.type === 'model-fallback')).toEqual([]);
    expect(server.calls).toBe(0);
  });

  it('refuses a modelFallback that is not a boolean', () => {
    expect(() =>
      defineAgent({ name: 'a', registry, model: chatModel('http://127.0.0.1:1/v1', 'm'), modelFallback: 1 as never }),
    ).toThrow(/modelFallback: must be a boolean, got 1/);
  });

  it('refuses a stream that is not a boolean', () => {
    expect(() =>
      defineAgent({ name: 'a', registry, model: chatModel('http://127.0.0.1:1/v1', 'm'), stream: 'yes' as never }),
    ).toThrow(/stream: must be a boolean, got "yes"/);
  });

  it('refuses bad options, naming each', () => {
    expect(() => defineAgent({ name: 'a', registry, models: [], maxSteps: 0, toolSearch: { k: 0 } })).toThrow(
      /model: give a model[\s\S]*toolSearch.k: must be an integer ≥ 1, got 0[\s\S]*maxSteps: must be an integer ≥ 1, got 0/,
    );
  });

  it('refuses a misspelt option at any level rather than ignoring it', () => {
    const model = chatModel('http://127.0.0.1:1/v1', 'gpt-4o-mini');
    const typos = { toolsearch: { k: 2 }, context: { maxInputTokens: 4000, pinned: [0] } };
    const options = { name: 'a', registry, model: { model, maxTokens: 10 }, ...typos } as unknown as AgentOptions;
    let thrown: unknown;
    try {
      defineAgent(options);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { problems: unknown[] }).problems).toEqual([
      expect.objectContaining({
        path: 'toolsearch',
        code: 'unknown-option',
        message: expect.stringContaining('known: name,'),
      }),
      expect.objectContaining({ path: 'context.pinned', message: expect.stringContaining('"pinned"') }),
      expect.objectContaining({
        path: 'model.maxTokens',
        message: expect.stringContaining('known: model, price, maxOutputTokens'),
      }),
    ]);
  });
});
