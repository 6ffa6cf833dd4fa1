/**
 * The child process of `agent-crash.test.ts`: a durable engine on a SQLite file with one agent (`assistant`, through
 * the real OpenAI-compatible provider client to the test's chat server) and two tools that append each call to the
 * invocations file, so what a killed process did survives it. It starts the run its config names, prints `ready`, and
 * `finished <answer JSON>` when a run finishes.
 */
import { appendFileSync } from 'node:fs';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createEngine, createRegistry, openStore } from '@baton/core';
// The agent's own modules, not the package index: the bundle then leaves out parts it does not use (the MCP server
// reads its package.json beside its module, which a bundle does not have).
import type { AgentOutput } from '../../packages/llm/src/agents/agent-loop.js';
import { defineAgent } from '../../packages/llm/src/agents/define-agent.js';

interface AgentWorkerConfig {
  storeUrl: string;
  baseURL: string;
  invocations: string;
  engineId: string;
  runId?: string;
}

const config = JSON.parse(process.argv[2] ?? '') as AgentWorkerConfig;
const say = (line: string) => process.stdout.write(`${line}\n`);

const store = await openStore({ url: config.storeUrl, pollIntervalMs: 10 });
const registry = createRegistry();
const tool = (name: string, description: string) =>
  registry.register({
    name,
    description,
    handler: (input: unknown, ctx) => {
      appendFileSync(config.invocations, `${name} ${JSON.stringify(input)} ${ctx.idempotencyKey}\n`);
      return { done: name };
    },
  });
tool('weather.forecast', 'Forecast for the next days in a city');
tool('send-email', 'Sends an email');
const model = createOpenAICompatible({ name: 'local', baseURL: config.baseURL, includeUsage: true }).chatModel(
  'gpt-4o-mini',
);
registry.register(
  defineAgent({ name: 'assistant', registry, model, tools: ['weather.forecast', 'send-email'], cache: false }),
);
const engine = createEngine({
  registry,
  store,
  engineId: config.engineId,
  leaseMs: 1000,
  onError: (error) => console.error(error),
  onEvent: (event) => {
    if (event.type === 'run-finish') {
      say(`finished ${JSON.stringify((event.output as { ask: AgentOutput }).ask.text)}`);
    }
  },
});
await engine.start();
if (config.runId !== undefined) {
  const plan = { steps: [{ id: 'ask', target: 'assistant', input: { query: 'Rain in Oslo? Email Ada.' } }] };
  engine
    .run(plan, {}, { runId: config.runId })
    .result()
    .catch((error) => console.error(error));
}
say('ready');
