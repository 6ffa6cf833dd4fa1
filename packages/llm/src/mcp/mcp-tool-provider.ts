/**
 * What Baton's MCP server is made of: providers of MCP tools (the registry's targets, a Baton server's services and
 * orchestrations), each listing its tools and answering calls of its own, and how an output or an error becomes a
 * `tools/call` result (JSON text, and `structuredContent` when the output is an object; errors as `isError`).
 */
import { BatonError, StepFailedError } from '@baton/core';

/** A tool as `tools/list` shows it. */
export interface McpToolDescription {
  name: string;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  /** The output's JSON Schema, when it is an object's: the result's `structuredContent` then follows it. */
  outputSchema?: { type: 'object'; [key: string]: unknown };
  annotations?: { readOnlyHint?: boolean; idempotentHint?: boolean };
}

/** A `tools/call` result. */
export interface McpToolResult {
  [key: string]: unknown;
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export interface McpToolProvider {
  tools(): Promise<McpToolDescription[]>;
  /** The result of a call of one of its tools, or `undefined` when `name` is not one of them. */
  call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<McpToolResult | undefined>;
}

/** MCP tool names: at most 128 characters of letters, digits, `_`, `-` and `.`. */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function isMcpToolName(name: string): boolean {
  return TOOL_NAME.test(name);
}

/** An input schema as MCP wants it (an object); any other schema is wrapped as `{ input: schema }`. */
export function toolInputSchema(schema: unknown): { schema: McpToolDescription['inputSchema']; wrapped: boolean } {
  if (schema === undefined) return { schema: { type: 'object' }, wrapped: false };
  if (typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'object') {
    return { schema: schema as McpToolDescription['inputSchema'], wrapped: false };
  }
  return { schema: { type: 'object', properties: { input: schema }, required: ['input'] }, wrapped: true };
}

/**
 * An output schema as MCP takes it: only an object's (`structuredContent` is an object); `undefined` for any other,
 * whose output goes as text alone.
 */
export function toolOutputSchema(schema: unknown): McpToolDescription['outputSchema'] {
  const isObject = typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'object';
  return isObject ? (schema as McpToolDescription['outputSchema']) : undefined;
}

/**
 * @example
 * toolResult({ celsius: 21 }); // { content: [{ type: 'text', text: '{"celsius":21}' }], structuredContent: { celsius: 21 } }
 */
export function toolResult(output: unknown): McpToolResult {
  const text = typeof output === 'string' ? output : (JSON.stringify(output) ?? 'null');
  const isObject = typeof output === 'object' && output !== null && !Array.isArray(output);
  return {
    content: [{ type: 'text', text }],
    ...(isObject ? { structuredContent: output as Record<string, unknown> } : {}),
  };
}

/** The error's message (for a failed step, the message of what failed it), as an `isError` result. */
export function toolError(error: unknown): McpToolResult {
  const cause = StepFailedError.isInstance(error) && error.cause !== undefined ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = BatonError.isInstance(cause) ? `${cause.code}: ` : '';
  return { content: [{ type: 'text', text: `${code}${message}` }], isError: true };
}
