/**
 * One MCP tool as a registry target: kind `tool`, the tool's JSON Schemas as given, effects from its annotations
 * (`readOnlyHint` → `none`: it changes nothing outside; an `idempotentHint` tool still changes the world once, so its
 * call waits for what it rests on to be journaled like any other), and a handler that
 * calls the tool on its server with the engine's signal (an abort cancels the MCP request). MCP carries no
 * idempotency key, so a call of a tool that is neither read-only nor idempotent that timed out or lost its connection
 * after it was sent is an `McpCallOutcomeUnknownError`, which the engine does not retry: it may have run.
 */
import { BatonError, type JsonSchema, type TargetDefinition } from '@baton/core';
import { McpCallOutcomeUnknownError, McpConnectionError, McpToolError } from './mcp-errors.js';

/** A tool as `tools/list` describes it (the fields Baton reads). */
export interface McpToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  outputSchema?: { type: 'object'; [key: string]: unknown };
  annotations?: { title?: string; readOnlyHint?: boolean; idempotentHint?: boolean; [key: string]: unknown };
}

/** What the registry keeps in `metadata.mcp` of an imported tool. */
export interface McpToolMetadata {
  server: string;
  /** The tool's own name on its server. */
  tool: string;
  title: string | undefined;
  /** The whole description (the target's is cut to the registry's 500 characters). */
  description: string | undefined;
  annotations: Readonly<Record<string, unknown>>;
}

export type McpToolCaller = (tool: string, input: unknown, signal: AbortSignal) => Promise<unknown>;

const DESCRIPTION_LIMIT = 500;

/**
 * @example
 * registry.register(mcpToolTarget('weather', 'weather.get-weather', tool, (name, input, signal) => call(name, input, signal)));
 */
export function mcpToolTarget(server: string, name: string, tool: McpToolInfo, call: McpToolCaller): TargetDefinition {
  const metadata: McpToolMetadata = {
    server,
    tool: tool.name,
    title: tool.title ?? tool.annotations?.title,
    description: tool.description,
    annotations: { ...tool.annotations },
  };
  const readOnly = tool.annotations?.readOnlyHint === true;
  const repeatable = readOnly || tool.annotations?.idempotentHint === true;
  return {
    name,
    kind: 'tool',
    description: describeTool(server, tool),
    input: withoutId(tool.inputSchema),
    ...(tool.outputSchema === undefined ? {} : { output: withoutId(tool.outputSchema) }),
    effects: readOnly ? 'none' : 'external',
    metadata: { mcp: metadata },
    handler: async (input, context) => {
      try {
        return await call(tool.name, input, context.signal);
      } catch (error) {
        if (repeatable || !mayHaveRun(error)) throw error;
        throw new McpCallOutcomeUnknownError(server, tool.name, error);
      }
    },
  };
}

/** A retryable failure after the call was sent: a request timeout, or a connection lost while it was out. */
function mayHaveRun(error: unknown): error is BatonError {
  if (!BatonError.isInstance(error) || !error.retryable) return false;
  return McpToolError.isInstance(error) || (McpConnectionError.isInstance(error) && error.mayHaveRun);
}

function describeTool(server: string, tool: McpToolInfo): string {
  const text = (tool.description ?? '').trim() || (tool.title ?? tool.annotations?.title ?? '').trim();
  const description = text || `the tool "${tool.name}" of MCP server "${server}"`;
  return description.length <= DESCRIPTION_LIMIT ? description : `${description.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}

/**
 * The schema without its root `$id`: validators keep compiled schemas by id, so a server's schema that changes under
 * the same id (or two tools sharing one) could not be compiled again.
 */
function withoutId(schema: Record<string, unknown>): JsonSchema {
  const { $id: _id, ...rest } = schema;
  return rest;
}
