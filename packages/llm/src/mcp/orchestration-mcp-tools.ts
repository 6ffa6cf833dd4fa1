/**
 * A Baton server's services and orchestrations as MCP tools, through a project's client (`createClient` of
 * `@baton/sdk`, or anything of the same shape): each service is a tool that runs it as a one-step orchestration and
 * waits for its result; `baton_orchestrate` submits an action in words (planned by the server) or a plan,
 * `baton_orchestration` reads one's status and result, `baton_cancel_orchestration` cancels one. Their names hold
 * `_`, which service names never do, so they cannot collide.
 */
import { compileSchema, ValidationError } from '@baton/core';
import type { CreateOrchestration, Orchestration, Service } from '@baton/protocol';
import {
  isMcpToolName,
  type McpToolDescription,
  type McpToolProvider,
  type McpToolResult,
  toolError,
  toolInputSchema,
  toolOutputSchema,
  toolResult,
} from './mcp-tool-provider.js';

/** What Baton's MCP server needs of a Baton server: the shape of `@baton/sdk`'s `BatonClient`. */
export interface BatonServerConnection {
  services(): Promise<Service[]>;
  orchestrate(input: {
    action: string;
    data?: Record<string, unknown>;
    plan?: CreateOrchestration['plan'];
  }): Promise<{ id: string; status: string }>;
  get(id: string): Promise<Orchestration>;
  /** Resolves with the result once it succeeded; rejects when it failed or was cancelled. */
  result(id: string, options?: { signal?: AbortSignal }): Promise<unknown>;
  cancel(id: string, reason?: string): Promise<Orchestration>;
}

const ORCHESTRATION_TOOLS: McpToolDescription[] = [
  {
    name: 'baton_orchestrate',
    description:
      'Runs an orchestration on the Baton server: an action in plain words (the server plans it from its services) or an explicit plan. Waits for the result unless wait is false.',
    inputSchema: {
      type: 'object',
      properties: {
        action: { type: 'string', minLength: 1, description: 'What to do, in words (optional with a plan)' },
        data: { type: 'object', description: 'The request data; steps read it as request.data.<field>' },
        plan: { type: 'object', description: 'An explicit plan: { steps: [{ id, target, input }] }' },
        wait: { type: 'boolean', description: 'Wait for the outcome (default true)' },
      },
      anyOf: [{ required: ['action'] }, { required: ['plan'] }],
    },
  },
  {
    name: 'baton_orchestration',
    description: "An orchestration's status, steps, result or error, by id",
    inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'baton_cancel_orchestration',
    description: 'Cancels an orchestration by id',
    inputSchema: {
      type: 'object',
      properties: { id: { type: 'string' }, reason: { type: 'string' } },
      required: ['id'],
    },
    annotations: { idempotentHint: true },
  },
];

/**
 * @example
 * const tools = orchestrationMcpTools(createClient({ url: 'http://localhost:7400', apiKey }));
 * await tools.call('baton_orchestrate', { action: "What's the weather in Paris?" }, signal);
 */
export function orchestrationMcpTools(baton: BatonServerConnection): McpToolProvider {
  return {
    tools: async () => [...(await serviceTools(baton)), ...ORCHESTRATION_TOOLS],
    call: async (name, args, signal) => {
      try {
        return await callTool(baton, name, args, signal);
      } catch (error) {
        return toolError(error);
      }
    },
  };
}

async function serviceTools(baton: BatonServerConnection): Promise<McpToolDescription[]> {
  const services = await baton.services();
  return services
    .filter((service) => isMcpToolName(service.name))
    .map((service) => {
      const outputSchema = toolOutputSchema(service.output ?? undefined);
      return {
        name: service.name,
        description: service.description,
        inputSchema: toolInputSchema(service.input ?? undefined).schema,
        ...(outputSchema === undefined ? {} : { outputSchema }),
        ...(service.effectFree ? { annotations: { readOnlyHint: true } } : {}),
      };
    });
}

async function callTool(
  baton: BatonServerConnection,
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<McpToolResult | undefined> {
  if (name === 'baton_orchestration') return toolResult(orchestrationView(await baton.get(String(args.id))));
  if (name === 'baton_cancel_orchestration') {
    const reason = typeof args.reason === 'string' ? args.reason : 'cancelled by an MCP client';
    return toolResult(orchestrationView(await baton.cancel(String(args.id), reason)));
  }
  if (name === 'baton_orchestrate') return orchestrate(baton, args, signal);
  const service = (await baton.services()).find((candidate) => candidate.name === name);
  if (service === undefined) return undefined;
  if (service.health === 'down') return unavailable(service);
  const { schema, wrapped } = toolInputSchema(service.input ?? undefined);
  // Arguments the service would refuse are the caller's to correct: said now, with no orchestration made for them.
  const problems = compileSchema(schema).validate(args, 'arguments');
  if (problems.length > 0) throw new ValidationError(`invalid arguments for tool "${name}"`, problems);
  const plan = {
    steps: [{ id: 'call', target: name, input: { $ref: wrapped ? 'request.data.input' : 'request.data' } }],
    output: { $ref: 'steps.call.output' },
  };
  const run = await baton.orchestrate({ action: `Call the ${name} service`, data: args, plan });
  const outcome = await waitFor(baton, run.id, signal);
  return outcome.status === 'succeeded' ? toolResult(outcome.result) : failed(outcome);
}

async function orchestrate(
  baton: BatonServerConnection,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<McpToolResult> {
  const { action, data, plan, wait } = args as { action?: unknown; data?: object; plan?: object; wait?: boolean };
  const words = typeof action === 'string' && action.trim() !== '' ? action : undefined;
  if (words === undefined && plan === undefined) {
    throw new ValidationError('invalid arguments for tool "baton_orchestrate"', [
      { path: 'action', code: 'required', message: 'give action (what to do, in words) or plan (an explicit plan)' },
    ]);
  }
  const run = await baton.orchestrate({
    // A plan given alone is named as `baton run --plan` names it.
    action: words ?? 'Run the given plan',
    ...(data === undefined ? {} : { data: data as Record<string, unknown> }),
    ...(plan === undefined ? {} : { plan: plan as CreateOrchestration['plan'] }),
  });
  if (wait === false) return toolResult({ id: run.id, status: run.status });
  const outcome = await waitFor(baton, run.id, signal);
  return outcome.status === 'succeeded' ? toolResult(orchestrationView(outcome)) : failed(outcome);
}

/** Waits for the end; a caller that gives up (an MCP cancellation) cancels the orchestration. */
async function waitFor(baton: BatonServerConnection, id: string, signal: AbortSignal): Promise<Orchestration> {
  try {
    signal.throwIfAborted();
    await baton.result(id, { signal });
  } catch (error) {
    if (signal.aborted) {
      await baton.cancel(id, 'the MCP client cancelled the call').catch(() => undefined);
      throw error;
    }
  }
  return baton.get(id);
}

/**
 * A service with no instance connected answers at once: its task would wait the server's grace period for one (30 s
 * by default) and then fail, while the model that called it waits.
 */
function unavailable(service: Service): McpToolResult {
  const text = `service ${service.name} has no connected instance: start it, or wait for it to reconnect, and call again`;
  return { content: [{ type: 'text', text }], isError: true };
}

function failed(outcome: Orchestration): McpToolResult {
  const view = orchestrationView(outcome);
  const why = outcome.error?.message ?? outcome.status;
  return {
    ...toolResult(view),
    content: [{ type: 'text', text: `orchestration ${outcome.id} ${outcome.status}: ${why}` }],
    isError: true,
  };
}

function orchestrationView(orchestration: Orchestration): Record<string, unknown> {
  return {
    id: orchestration.id,
    status: orchestration.status,
    ...(orchestration.result === undefined ? {} : { result: orchestration.result }),
    ...(orchestration.error === null ? {} : { error: orchestration.error }),
    steps: orchestration.steps.map((step) => ({ id: step.id, status: step.status, service: step.service })),
  };
}
