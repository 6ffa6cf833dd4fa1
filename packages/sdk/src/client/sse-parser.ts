/**
 * A Server-Sent Events parser following the WHATWG event-stream rules: `event`, `data` (lines joined with `\n`), `id`
 * (ignored when it holds NUL), `retry`, `:` comments, CRLF / LF / CR line endings, a BOM at the start, and chunk
 * boundaries anywhere — even inside a UTF-8 sequence or between the CR and LF of one line ending. Each chunk is scanned
 * once: a line that spans many chunks (a 10 MB event arrives in hundreds) is kept in pieces and joined once it ends.
 *
 * @example
 * const parser = createSseParser();
 * for (const event of parser.push(chunk)) console.log(event.type, event.data);
 */

export interface SseEvent {
  /** The `event` field, `message` when absent. */
  type: string;
  /** The `data` lines joined with `\n`. */
  data: string;
  /** The `id` field when this event carried one; undefined otherwise. */
  id: string | undefined;
  /** The stream's last event id when this event was dispatched (what a reconnect sends as `Last-Event-ID`). */
  lastEventId: string;
}

export interface SseParser {
  /** Feeds the next chunk, bytes or text, and returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[];
  /** Ends the stream: an event without its closing blank line is discarded, as the standard says. */
  end(): void;
  /** The last event id seen so far (the `id` field of the last event that set one). */
  readonly lastEventId: string;
  /** The reconnection time the server set with `retry:`, in ms; undefined until it does. */
  readonly retryMs: number | undefined;
}

export interface SseParserOptions {
  /** The last event id to start from, e.g. the one a previous connection ended on. @default '' */
  lastEventId?: string;
}

/**
 * @example
 * const parser = createSseParser({ lastEventId: '41' });
 * parser.push('id: 42\ndata: {"a":1}\n\n'); // [{ type: 'message', data: '{"a":1}', id: '42', lastEventId: '42' }]
 */
export function createSseParser(options: SseParserOptions = {}): SseParser {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let lastEventId = options.lastEventId ?? '';
  let retryMs: number | undefined;
  /** The line begun in earlier chunks, in pieces. */
  let pending: string[] = [];
  let atStart = true;
  let skipNextLineFeed = false;
  let eventType = '';
  let data: string[] = [];
  let idInEvent: string | undefined;

  function processLine(line: string, out: SseEvent[]): void {
    if (line === '') {
      dispatch(out);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventType = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) {
      lastEventId = value;
      idInEvent = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
  }

  function dispatch(out: SseEvent[]): void {
    if (data.length > 0) {
      out.push({ type: eventType || 'message', data: data.join('\n'), id: idInEvent, lastEventId });
    }
    eventType = '';
    data = [];
    idInEvent = undefined;
  }

  function pushText(text: string): SseEvent[] {
    let input = text;
    if (atStart && input.length > 0) {
      atStart = false;
      if (input.startsWith('\uFEFF')) input = input.slice(1);
    }
    if (skipNextLineFeed && input.length > 0) {
      skipNextLineFeed = false;
      if (input.startsWith('\n')) input = input.slice(1);
    }
    const out: SseEvent[] = [];
    const lineEnd = /[\r\n]/g;
    let start = 0;
    for (let match = lineEnd.exec(input); match !== null; match = lineEnd.exec(input)) {
      const { index } = match;
      const piece = input.slice(start, index);
      processLine(pending.length === 0 ? piece : pending.join('') + piece, out);
      pending = [];
      if (input[index] === '\r') {
        if (index + 1 === input.length) skipNextLineFeed = true;
        else if (input[index + 1] === '\n') lineEnd.lastIndex = index + 2;
      }
      start = lineEnd.lastIndex;
    }
    if (start < input.length) pending.push(input.slice(start));
    return out;
  }

  return {
    push(chunk) {
      return pushText(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      decoder.decode();
      pending = [];
      eventType = '';
      data = [];
      idInEvent = undefined;
    },
    get lastEventId() {
      return lastEventId;
    },
    get retryMs() {
      return retryMs;
    },
  };
}
