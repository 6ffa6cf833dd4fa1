/**
 * What goes wrong calling an MCP server's tools: the tool answered with an error (`McpToolError`), or the server
 * cannot be reached right now (`McpConnectionError`, retryable: the connection is being re-established).
 */
import { BatonError } from '@baton/core';

/** The tool ran and reported a failure (`isError: true`), or the server refused the call (a JSON-RPC error). */
export class McpToolError extends BatonError {
  /** The server's name in the configuration. */
  readonly server: string;
  /** The tool's own name on that server. */
  readonly tool: string;
  /** The JSON-RPC error code when the server refused the call; undefined for an `isError` result. */
  readonly mcpCode: number | undefined;

  constructor(
    server: string,
    tool: string,
    detail: string,
    options: { mcpCode?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super('mcp-tool-error', `the tool "${tool}" of MCP server "${server}" failed: ${detail.slice(0, 1000)}`, {
      cause: options.cause,
      retryable: options.retryable ?? false,
    });
    this.name = 'McpToolError';
    this.server = server;
    this.tool = tool;
    this.mcpCode = options.mcpCode;
  }

  static override isInstance(error: unknown): error is McpToolError {
    return BatonError.isInstance(error) && error.code === 'mcp-tool-error';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), server: this.server, tool: this.tool, mcpCode: this.mcpCode };
  }
}

/** The MCP server cannot be reached: it never answered, or it dropped and is being reconnected. Retryable. */
export class McpConnectionError extends BatonError {
  readonly server: string;

  constructor(server: string, detail: string, options: { cause?: unknown } = {}) {
    super('mcp-connection', `MCP server "${server}" ${detail}`, { cause: options.cause, retryable: true });
    this.name = 'McpConnectionError';
    this.server = server;
  }

  static override isInstance(error: unknown): error is McpConnectionError {
    return BatonError.isInstance(error) && error.code === 'mcp-connection';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), server: this.server };
  }
}
