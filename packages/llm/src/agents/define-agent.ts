/**
 * `defineAgent`: an agent as a registry target (kind `agent`) that plans, the server and `baton run agent.yaml` call
 * like any other. Its handler runs the tool loop of `agent-loop.ts` inside the step, so each model call and each tool
 * call is a sub-step of it: journaled in a durable run, replayed when the step resumes. Its `tools` are checked at
 * its first run (an MCP server's tools may be registered after the agent is defined): a name not registered or a
 * `prefix.*` that matches no target fails the run with a `ValidationError` naming it.
 */
import type { TargetDefinition } from '@baton/core';
import { type AgentInput, type AgentOutput, runAgent } from './agent-loop.js';
import { type AgentOptions, checkAgentOptions } from './agent-options.js';
import { type AgentRuntimeSettings, createAgentRuntime } from './agent-runtime.js';
import { modelName } from './model-choice.js';

const AGENT_INPUT = {
  type: 'object',
  required: ['query'],
  properties: {
    query: { type: 'string', minLength: 1, description: 'What the user asks' },
    messages: { type: 'array', description: 'Earlier turns of the conversation (AI SDK model messages)' },
  },
  additionalProperties: false,
};

/**
 * @example
 * registry.register(
 *   defineAgent({
 *     name: 'travel-agent',
 *     registry,
 *     models: [
 *       { model: openai('gpt-4.1'), price: { inputPerMTok: 2, outputPerMTok: 8 } },
 *       { model: openai('gpt-4.1-mini'), price: { inputPerMTok: 0.4, outputPerMTok: 1.6 } },
 *     ],
 *     system: 'You plan trips.',
 *     tools: ['weather.*', 'book-flight'],
 *     toolSearch: { k: 5 },
 *     context: { maxInputTokens: 16_000 },
 *   }),
 * );
 * const result = await engine.run({ steps: [{ id: 'ask', target: 'travel-agent', input: { query: 'Rain in Oslo?' } }] }).result();
 */
export function defineAgent(options: AgentOptions): TargetDefinition<AgentInput, AgentOutput> {
  return agentDefinition(options, {});
}

/**
 * `defineAgent`, for a caller that has checked the agent's tools itself: `agentFromFile` checks the file's own
 * `tools` once its MCP servers are connected, and offers every server's tools when the file names none, a server
 * that serves none included.
 */
export function agentDefinition(
  options: AgentOptions,
  settings: AgentRuntimeSettings,
): TargetDefinition<AgentInput, AgentOutput> {
  const { models } = checkAgentOptions(options);
  const runtime = createAgentRuntime(options, models, settings);
  return {
    name: options.name,
    kind: 'agent',
    description: options.description ?? `Agent ${options.name}`,
    version: options.version ?? '1.0.0',
    input: AGENT_INPUT,
    // Its model calls change nothing outside; its tool calls are sub-calls, each judged by its own target's effects.
    effects: 'none',
    handler: (input, context) => runAgent(runtime, input, context),
    metadata: {
      agent: { models: models.map(modelName), tools: [...(options.tools ?? [])], maxSteps: runtime.maxSteps },
    },
  };
}
