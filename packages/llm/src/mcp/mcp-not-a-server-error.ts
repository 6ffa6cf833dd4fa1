/**
 * An MCP URL answered, but not as an MCP server: a web page, some other JSON API, a body the MCP SDK could not read
 * as JSON-RPC. A wrong URL (or a proxy in the way), which no retry mends; the message shows what it sent.
 */
import { BatonError, clipText } from '@baton/core';
import type { PeekedAnswer } from './mcp-answer-peek.js';

/** How much of the body and of the SDK's complaint the message shows. */
const SHOWN = 200;

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The SDK's errors for an answer that is no MCP: its content type, or a message its schemas refuse. */
export function isNotMcpAnswer(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ZodError' || Array.isArray((error as { issues?: unknown }).issues)) return true;
  return error instanceof SyntaxError || /Unexpected content type/i.test(error.message);
}

/** The SDK's complaint, in a line: a schema's issue list is summed up, not dumped. */
function complaint(error: unknown): string {
  if (Array.isArray((error as { issues?: unknown } | null)?.issues))
    return 'its answer is not a valid JSON-RPC message';
  return clipText(oneLine(error instanceof Error ? error.message : String(error)), SHOWN);
}

export class McpNotAServerError extends BatonError {
  readonly server: string;
  readonly url: string;
  /** What it answered, when it could be read. */
  readonly answer: PeekedAnswer | undefined;

  constructor(server: string, url: string, answer: PeekedAnswer | undefined, options: { cause?: unknown } = {}) {
    const type = answer?.contentType ?? 'no content-type';
    const sent = answer === undefined ? '' : `: it answered ${answer.status} (${type})`;
    const body = answer?.bodyStart ? `: "${clipText(oneLine(answer.bodyStart), SHOWN)}"` : '';
    super(
      'mcp-not-a-server',
      `MCP server "${server}" at ${url} did not answer as an MCP server${sent}${body} (${complaint(options.cause)}); is the URL that of its Streamable HTTP endpoint (often ending in /mcp)?`,
      { cause: options.cause, retryable: false },
    );
    this.name = 'McpNotAServerError';
    this.server = server;
    this.url = url;
    this.answer = answer && { ...answer, bodyStart: clipText(answer.bodyStart, SHOWN) };
  }

  static override isInstance(error: unknown): error is McpNotAServerError {
    return BatonError.isInstance(error) && error.code === 'mcp-not-a-server';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), server: this.server, url: this.url, answer: this.answer };
  }
}
