/**
 * What goes wrong calling an MCP server's tools: the tool answered with an error (`McpToolError`), the server cannot
 * be reached right now (`McpConnectionError`, retryable: the connection is being re-established), or a call of a tool
 * that changes things was lost on the way back and may have run (`McpCallOutcomeUnknownError`, not retried).
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
  /** The connection failed while a call was out: the server may have run it. */
  readonly mayHaveRun: boolean;

  constructor(server: string, detail: string, options: { cause?: unknown; mayHaveRun?: boolean } = {}) {
    super('mcp-connection', `MCP server "${server}" ${detail}`, { cause: options.cause, retryable: true });
    this.name = 'McpConnectionError';
    this.server = server;
    this.mayHaveRun = options.mayHaveRun ?? false;
  }

  static override isInstance(error: unknown): error is McpConnectionError {
    return BatonError.isInstance(error) && error.code === 'mcp-connection';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), server: this.server, mayHaveRun: this.mayHaveRun };
  }
}

/**
 * A call of a tool that changes things (no `readOnlyHint` or `idempotentHint`) timed out, or its connection dropped,
 * after it was sent: it may have run, and running it again could do its effect twice, so it is not retried.
 */
export class McpCallOutcomeUnknownError extends BatonError {
  readonly server: string;
  readonly tool: string;

  constructor(server: string, tool: string, cause: BatonError) {
    super(
      'mcp-call-outcome-unknown',
      `the call of the tool "${tool}" of MCP server "${server}" may have run (${cause.message}); it is not made ` +
        'again, since the tool is not marked readOnlyHint or idempotentHint',
      { cause, retryable: false },
    );
    this.name = 'McpCallOutcomeUnknownError';
    this.server = server;
    this.tool = tool;
  }

  static override isInstance(error: unknown): error is McpCallOutcomeUnknownError {
    return BatonError.isInstance(error) && error.code === 'mcp-call-outcome-unknown';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), server: this.server, tool: this.tool };
  }
}
