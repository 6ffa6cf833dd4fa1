/**
 * What an MCP URL answered while a connection was being opened: its status, content type and the start of its body,
 * read from a copy beside the SDK's. Kept so that a server that is no MCP server (a web page, some other JSON API)
 * can be named as such, showing what it sent, rather than by the SDK's parse errors. Event streams are not read.
 */
import { bodyStart } from '../body-start.js';

/** The body is read this far, at most. */
const READ_LIMIT = 1024;

export interface PeekedAnswer {
  status: number;
  contentType: string | undefined;
  /** The start of the body; empty for an event stream. */
  bodyStart: string;
}

type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * @example
 * const peek = new McpAnswerPeek();
 * const transport = new StreamableHTTPClientTransport(url, { fetch: peek.fetch });
 * // … connect fails …
 * await peek.last(); // { status: 200, contentType: 'text/html', bodyStart: '<html>…' }
 * peek.stop(); // once connected
 */
export class McpAnswerPeek {
  #last: Promise<PeekedAnswer> | undefined;
  #peeking = true;

  readonly fetch: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    if (!this.#peeking) return response;
    const contentType = response.headers.get('content-type') ?? undefined;
    const { status } = response;
    this.#last = contentType?.toLowerCase().includes('text/event-stream')
      ? Promise.resolve({ status, contentType, bodyStart: '' })
      : bodyStart(response.clone(), READ_LIMIT).then((start) => ({ status, contentType, bodyStart: start }));
    return response;
  };

  /** The last answer read while peeking, if any. */
  last(): Promise<PeekedAnswer | undefined> {
    return this.#last ?? Promise.resolve(undefined);
  }

  /** Reads no more answers: the connection is open and they are the SDK's alone. */
  stop(): void {
    this.#peeking = false;
    this.#last = undefined;
  }
}
