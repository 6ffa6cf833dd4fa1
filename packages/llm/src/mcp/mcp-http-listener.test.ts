import { createRegistry, ValidationError } from '@baton/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBatonMcpServer } from './baton-mcp-server.js';
import { listenMcpHttp, type McpHttpListener } from './mcp-http-listener.js';

const IDLE_MS = 60_000;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/**
 * A Baton MCP server with `echo` and `slow` (which answers once `finish` is called; `slowStarted` says when it runs),
 * listening with `options`.
 */
async function listen(options: { sessionIdleMs?: number; maxSessions?: number }) {
  let finish = () => {};
  const state = { slowStarted: false };
  const registry = createRegistry();
  registry.register({ name: 'echo', description: 'Echoes its input', handler: (input: unknown) => input });
  registry.register({
    name: 'slow',
    description: 'Answers when the test lets it',
    handler: () =>
      new Promise((resolve) => {
        state.slowStarted = true;
        finish = () => resolve({ done: true });
      }),
  });
  const server = createBatonMcpServer({ registry });
  const listener = await server.listen(options);
  cleanups.push(() => server.close());
  return { listener, state, finish: () => finish() };
}

async function connect(listener: McpHttpListener) {
  const transport = new StreamableHTTPClientTransport(new URL(listener.url));
  const client = new Client({ name: 'listener-test', version: '1.0.0' });
  client.onerror = () => {};
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, transport };
}

const initialize = (url: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
    }),
  });

describe('MCP Streamable HTTP sessions', () => {
  it('closes a session its client left idle, and keeps one in use', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const { listener } = await listen({ sessionIdleMs: IDLE_MS });
    const left = await connect(listener);
    const used = await connect(listener);
    expect(listener.sessions()).toBe(2);
    // Idle sessions are looked for every minute here: at 1 minute both were used within it; at 2, one was not.
    for (let halfMinute = 0; halfMinute < 5; halfMinute++) {
      vi.advanceTimersByTime(IDLE_MS / 2);
      await used.client.listTools();
    }
    expect(listener.sessions()).toBe(1);
    // The MCP way: the closed session's next request is answered 404, and its client starts a new session.
    await expect(left.client.listTools()).rejects.toThrow(/404|Session not found/);
    expect((await used.client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['echo', 'slow']);
  });

  it('keeps a session whose request is still being answered, however long it takes', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const { listener, state, finish } = await listen({ sessionIdleMs: IDLE_MS });
    const { client } = await connect(listener);
    const answer = client.callTool({ name: 'slow', arguments: {} });
    await vi.waitFor(() => expect(state.slowStarted).toBe(true));
    vi.advanceTimersByTime(IDLE_MS * 3);
    expect(listener.sessions()).toBe(1);
    finish();
    expect((await answer).isError).not.toBe(true);
    vi.advanceTimersByTime(IDLE_MS * 2);
    expect(listener.sessions()).toBe(0);
  });

  it('keeps idle sessions with an idle time of Infinity', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const { listener } = await listen({ sessionIdleMs: Number.POSITIVE_INFINITY });
    await connect(listener);
    vi.advanceTimersByTime(24 * 60 * IDLE_MS);
    expect(listener.sessions()).toBe(1);
  });

  it('answers an initialize past maxSessions with 503 naming the cap, and starts one again once a session ends', async () => {
    const { listener } = await listen({ maxSessions: 2 });
    const first = await connect(listener);
    await connect(listener);
    const refused = await initialize(listener.url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32000,
        message: expect.stringMatching(/^Service unavailable: 2 MCP sessions are open, .*\(maxSessions\)/),
      },
    });
    const third = new Client({ name: 'listener-test', version: '1.0.0' });
    await expect(third.connect(new StreamableHTTPClientTransport(new URL(listener.url)))).rejects.toThrow(
      /maxSessions/,
    );
    await first.transport.terminateSession();
    await vi.waitFor(() => expect(listener.sessions()).toBe(1));
    await connect(listener);
    expect(listener.sessions()).toBe(2);
  });

  it('refuses session limits that make no sense, naming each', async () => {
    const error = await listenMcpHttp({ sessionIdleMs: 0, maxSessions: 1.5, connect: async () => {} }).catch(
      (caught: unknown) => caught,
    );
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toEqual([
      'sessionIdleMs',
      'maxSessions',
    ]);
  });

  it('refuses an unknown option, a port, host, path or body size that cannot work, naming each and its value', async () => {
    const options = { port: 'x', host: '', path: 'mcp', maxBodyBytes: -1, prot: 3000, connect: async () => {} };
    const error = await listenMcpHttp(options as never).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    const problems = (error as ValidationError).problems;
    expect(problems.map((problem) => problem.path)).toEqual(['prot', 'port', 'host', 'path', 'maxBodyBytes']);
    expect(problems[0]?.message).toContain('unknown option "prot" (known: port, host,');
    expect(problems[1]?.message).toBe('port must be a whole number in [0, 65535], got "x"');
  });
});
