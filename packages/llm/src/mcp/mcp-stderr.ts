/**
 * The stderr of a stdio MCP server: each line passed on to this process's stderr under the server's name
 * (`[files] listening on stdio`), so the logs of several servers and Baton's own output can be told apart, and the
 * last lines kept, which say why a server that would not start did not.
 */
import type { Readable } from 'node:stream';

const KEPT_LINES = 10;
const MAX_LINE_CHARS = 500;
/** A "line" longer than this without a newline is passed on as it is, so a server cannot grow the buffer forever. */
const MAX_PARTIAL_CHARS = 8192;

export class McpStderr {
  readonly #kept: string[] = [];
  #partial = '';

  constructor(
    private readonly server: string,
    private readonly forward: boolean,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  /** Reads the server's stderr stream (the transport's, with `stderr: 'pipe'`) to its end. */
  attach(stream: Readable | null): void {
    if (stream === null) return;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.#take(chunk));
    stream.on('end', () => this.#flush());
  }

  /** The last lines the server wrote that say something, or '' when it wrote none. */
  tail(): string {
    this.#flush();
    return this.#kept.filter((line) => line.trim() !== '').join('\n');
  }

  #take(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
    if (this.#partial.length > MAX_PARTIAL_CHARS) this.#flush();
  }

  #flush(): void {
    if (this.#partial === '') return;
    this.#line(this.#partial);
    this.#partial = '';
  }

  #line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (this.forward) this.write(`[${this.server}] ${line}\n`);
    this.#kept.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
    if (this.#kept.length > KEPT_LINES) this.#kept.shift();
  }
}
