/**
 * What a target returns for an MCP `tools/call` result: its `structuredContent` when present, else its `content`
 * blocks; an `isError` result is an `McpToolError` carrying the text the tool gave.
 */
import { McpToolError } from './mcp-errors.js';

/** A `tools/call` result as the SDK returns it (the fields Baton reads). */
export interface McpCallResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
  /** Servers of protocol 2024-10-07 answer with this alone. */
  toolResult?: unknown;
}

/**
 * @example
 * mcpCallOutput('weather', 'get_weather', { content: [], structuredContent: { celsius: 21 } }); // { celsius: 21 }
 */
export function mcpCallOutput(server: string, tool: string, result: McpCallResult): unknown {
  if (result.isError === true) throw new McpToolError(server, tool, contentText(result.content) || 'no detail given');
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (result.content === undefined && 'toolResult' in result) return result.toolResult;
  return result.content ?? [];
}

/** The text blocks of a result, joined; other blocks named by their type. */
export function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((block: { type?: unknown; text?: unknown }) =>
      block?.type === 'text' && typeof block.text === 'string' ? block.text : `[${String(block?.type)}]`,
    )
    .join('\n')
    .trim();
}
