/**
 * A tiny OpenAI-compatible server on 127.0.0.1 (random port) for tests: `POST /v1/chat/completions`, plain JSON
 * or SSE (`stream: true`), counting calls and keeping request bodies; and `POST /v1/embeddings`, answering
 * bag-of-hashed-words vectors of `EMBEDDING_DIMENSION`. Tests reach it through the real provider client.
 * The answer echoes the last user message unless `reply` says otherwise — a text, or tool calls in OpenAI's format
 * (`tool_calls` with ids, `finish_reason: tool_calls`); `failWith` makes calls fail with a status (`failNext` only the
 * next one, with headers such as `retry-after`);
 * `holdReplies` keeps replies back until released, so tests can order concurrent calls by events; `cutStreams` cuts
 * streamed answers short.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completion request as the server received it. */
export interface ChatBody {
  model: string;
  stream?: boolean;
  messages: {
    role: string;
    content: string | { type: string; text?: string }[] | null;
    tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
    tool_call_id?: string;
  }[];
  tools?: { type: 'function'; function: { name: string; description?: string; parameters?: unknown } }[];
  max_tokens?: number;
}

/** An answer that calls tools (`arguments` is sent as JSON text); `id` defaults to `call_<n>`, counted per server. */
export interface ChatToolCallsReply {
  text?: string;
  toolCalls: { id?: string; name: string; arguments: unknown }[];
}

export interface ChatServerOptions {
  /** The answer for a request: a text, or tool calls. @default `answer to: <last user message>` */
  reply?: (body: ChatBody) => string | ChatToolCallsReply;
  /** `finish_reason` sent. @default 'stop' */
  finishReason?: string;
}

export interface ChatServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  /** Chat completion requests received (failed ones included). */
  readonly calls: number;
  /** Texts received by `/v1/embeddings`. */
  readonly embedded: string[];
  readonly bodies: ChatBody[];
  /** Answer every following call with this HTTP status (or succeed again with undefined). */
  failWith(status: number | undefined): void;
  /** Answer the next call only with this status and these headers (e.g. 429 with `retry-after`). */
  failNext(status: number, headers?: Record<string, string>): void;
  setFinishReason(reason: string): void;
  /**
   * Cut every following streamed answer after its first piece: `end` closes the response without a finish, `reset`
   * drops the connection; undefined streams whole answers again.
   */
  cutStreams(how: 'end' | 'reset' | undefined): void;
  /** Holds every chat reply (the request is still counted on arrival) until the returned function is called. */
  holdReplies(): () => void;
  close(): Promise<void>;
}

const lastUser = (body: ChatBody) => {
  const content = [...body.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  return typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('');
};

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The reply as text and OpenAI tool calls. */
function wireReply(reply: string | ChatToolCallsReply, nextId: () => string) {
  if (typeof reply === 'string') return { text: reply, toolCalls: [] as WireToolCall[] };
  const toolCalls = reply.toolCalls.map((call) => ({
    id: call.id ?? nextId(),
    type: 'function' as const,
    function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) },
  }));
  return { text: reply.text ?? '', toolCalls };
}

function usageOf(body: ChatBody, text: string) {
  const prompt = body.messages.reduce((n, m) => n + JSON.stringify(m.content).split(/\s+/).length, 0);
  const completion = text.split(/\s+/).length;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export const EMBEDDING_DIMENSION = 16;

function embed(text: string): number[] {
  const vector = new Array<number>(EMBEDDING_DIMENSION).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let hash = 0;
    for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    vector[hash % EMBEDDING_DIMENSION]! += 1;
  }
  return vector;
}

function sendStream(
  res: ServerResponse,
  body: ChatBody,
  text: string,
  toolCalls: WireToolCall[],
  finishReason: string,
  cut: 'end' | 'reset' | undefined,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1, model: body.model };
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  for (const piece of text.match(/\s*\S+/g) ?? (text ? [text] : [])) {
    send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: piece }, finish_reason: null }] });
    if (cut === 'end') return void res.end();
    if (cut === 'reset') return void res.destroy();
  }
  toolCalls.forEach((call, index) => {
    const delta = { role: 'assistant', tool_calls: [{ index, ...call }] };
    send({ ...base, choices: [{ index: 0, delta, finish_reason: null }] });
  });
  send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason }] });
  send({ ...base, choices: [], usage: usageOf(body, text) });
  res.end('data: [DONE]\n\n');
}

export async function startChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  let calls = 0;
  let toolCallCount = 0;
  let failure: number | undefined;
  const failures: { status: number; headers: Record<string, string> }[] = [];
  let finishReason = options.finishReason ?? 'stop';
  let cut: 'end' | 'reset' | undefined;
  const bodies: ChatBody[] = [];
  const embedded: string[] = [];
  let held: Promise<void> = Promise.resolve();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'POST' && req.url === '/v1/embeddings') {
      const { input } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: string[] };
      embedded.push(...input);
      const data = input.map((text, index) => ({ object: 'embedding', index, embedding: embed(text) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    calls++;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatBody;
    bodies.push(body);
    const once = failures.shift();
    if (failure !== undefined || once) {
      const status = once?.status ?? (failure as number);
      res.writeHead(status, { 'content-type': 'application/json', ...once?.headers });
      res.end(JSON.stringify({ error: { message: `test server failure ${status}`, type: 'server_error' } }));
      return;
    }
    await held;
    const reply = options.reply ? options.reply(body) : `answer to: ${lastUser(body)}`;
    const { text, toolCalls } = wireReply(reply, () => `call_${++toolCallCount}`);
    const finish = toolCalls.length > 0 ? 'tool_calls' : finishReason;
    if (body.stream) return sendStream(res, body, text, toolCalls, finish, cut);
    const message =
      toolCalls.length > 0
        ? { role: 'assistant', content: text || null, tool_calls: toolCalls }
        : { role: 'assistant', content: text };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message, finish_reason: finish }],
        usage: usageOf(body, text + JSON.stringify(toolCalls)),
      }),
    );
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => res.writeHead(500).end(error.message));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get calls() {
      return calls;
    },
    bodies,
    embedded,
    failWith: (status) => {
      failure = status;
    },
    failNext: (status, headers = {}) => {
      failures.push({ status, headers });
    },
    setFinishReason: (reason) => {
      finishReason = reason;
    },
    cutStreams: (how) => {
      cut = how;
    },
    holdReplies: () => {
      let release = () => {};
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return release;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
