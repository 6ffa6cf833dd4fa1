import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, createRegistry, type Registry, StepFailedError } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../server/src/server-test-kit.js';
import { createFixtureMcpServer } from './__fixtures__/fixture-mcp-server.js';
import { connectMcpServers } from './connect-mcp-servers.js';
import { McpCallOutcomeUnknownError, McpConnectionError, McpToolError } from './mcp-errors.js';
import { listenMcpHttp, type McpHttpTransport } from './mcp-http-listener.js';
import { McpNotAServerError } from './mcp-not-a-server-error.js';
import { eventLog, fixtureStdioServer, startFixtureHttpServer } from './mcp-test-kit.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(
  registry: Registry,
  servers: Parameters<typeof connectMcpServers>[0]['servers'],
  options: { callTimeoutMs?: number } = {},
) {
  const log = eventLog();
  const mcp = await connectMcpServers({
    ...options,
    registry,
    servers,
    stderr: 'ignore',
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    listChangedDebounceMs: 0,
    onEvent: log.push,
  });
  cleanups.push(() => mcp.close());
  return { mcp, log };
}

const callOnce = async (registry: Registry, target: string, input: unknown, policy?: object) => {
  const run = createEngine({ registry }).run({ steps: [{ id: 'call', target, input, ...(policy ? { policy } : {}) }] });
  return run.result();
};

const pidOf = async (registry: Registry, server: string) =>
  ((await callOnce(registry, `${server}.whoami`, {})).steps.call!.output as { pid: number }).pid;

describe('connectMcpServers over stdio (a child process written with the SDK)', () => {
  it('registers every tool as a target: registry-safe names, JSON Schemas as given, effects from annotations', async () => {
    const registry = createRegistry();
    const { mcp, log } = await connect(registry, [fixtureStdioServer('fixture')]);
    expect(
      mcp
        .targets()
        .map((target) => target.name)
        .sort(),
    ).toEqual([
      'fixture.add-tool',
      'fixture.fail-always',
      'fixture.get-weather',
      'fixture.hang-once',
      'fixture.remove-tool',
      'fixture.send-email',
      'fixture.stats',
      'fixture.whoami',
    ]);
    const weather = registry.resolve({ name: 'fixture.get-weather' });
    expect(weather).toMatchObject({
      kind: 'tool',
      effects: 'none',
      description: 'The current weather in a city',
      metadata: { mcp: { server: 'fixture', tool: 'get_weather', annotations: { readOnlyHint: true } } },
    });
    expect(weather.input?.jsonSchema).toMatchObject({
      type: 'object',
      properties: { city: { type: 'string', minLength: 1 }, unit: { enum: ['c', 'f'] } },
      required: ['city'],
    });
    expect(weather.input?.validate({ city: '' }).map((problem) => problem.path)).toEqual(['city']);
    expect(registry.resolve({ name: 'fixture.send-email' }).effects).toBe('external');
    expect(log.events.map((event) => event.type)).toEqual(['tools-changed', 'server-connected']);
    expect(log.events[1]).toEqual({ type: 'server-connected', server: 'fixture', tools: 8, reconnected: false });
    expect(mcp.servers()).toEqual([{ name: 'fixture', state: 'connected', targets: expect.any(Array) }]);
  });

  it('runs tools through the engine: structured content, else the content blocks', async () => {
    const registry = createRegistry();
    await connect(registry, [fixtureStdioServer('fixture')]);
    const weather = await callOnce(registry, 'fixture.get-weather', { city: 'Paris' });
    expect(weather.steps.call?.output).toEqual({ city: 'Paris', celsius: 10 });
    const email = await callOnce(registry, 'fixture.send-email', { to: 'ada@example.com', body: 'hi' });
    expect(email.steps.call?.output).toEqual([{ type: 'text', text: 'sent to ada@example.com' }]);
    // Started with npm's update notices off (`npx` would print one among an agent's output).
    const whoami = await callOnce(registry, 'fixture.whoami', {});
    expect(whoami.steps.call?.output).toMatchObject({ npmUpdateNotifier: 'false' });
  });

  // The first attempt hangs until its timeout; 4 s leaves a loaded machine time to answer the second one.
  it('with a timeout and a retry policy: the hung call is cancelled on the server and the retry answers', async () => {
    const registry = createRegistry();
    await connect(registry, [fixtureStdioServer('fixture')]);
    const policy = { timeoutMs: 4000, retry: { maxAttempts: 2, initialDelayMs: 1 } };
    const result = await callOnce(registry, 'fixture.hang-once', { n: 7 }, policy);
    expect(result.steps.call).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(result.steps.call?.output).toEqual([{ type: 'text', text: 'answered 7' }]);
    const stats = await waitFor(async () => {
      const output = (await callOnce(registry, 'fixture.stats', {})).steps.call?.output as { cancelled: number };
      return output.cancelled === 1 ? output : undefined;
    }, 'the server to see the cancellation');
    expect(stats).toMatchObject({ cancelled: 1, hangs: 2 });
  });

  it('a call that timed out on a tool that changes things fails without a retry: it may have run', async () => {
    const registry = createRegistry();
    await connect(registry, [fixtureStdioServer('fixture')], { callTimeoutMs: 300 });
    // hang_once answers every call after its first: a retry would succeed, and do its effect a second time.
    const policy = { retry: { maxAttempts: 3, initialDelayMs: 1 } };
    const result = await callOnce(registry, 'fixture.hang-once', { n: 7 }, policy).catch((error: unknown) => error);
    expect(result).toBeInstanceOf(StepFailedError);
    const cause = (result as StepFailedError).cause;
    expect(McpCallOutcomeUnknownError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ retryable: false, server: 'fixture', tool: 'hang_once' });
    const stats = (await callOnce(registry, 'fixture.stats', {})).steps.call?.output as { hangs: number };
    expect(stats.hangs).toBe(1);
  });

  it('an isError result fails the step with an McpToolError (not retried), carrying the tool text', async () => {
    const registry = createRegistry();
    await connect(registry, [fixtureStdioServer('fixture')]);
    const failure = await callOnce(registry, 'fixture.fail-always', {}).catch((error: unknown) => error);
    expect(StepFailedError.isInstance(failure)).toBe(true);
    const cause = (failure as StepFailedError).cause;
    expect(McpToolError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ server: 'fixture', tool: 'fail_always', retryable: false });
    expect((cause as Error).message).toContain('the printer is on fire');
    expect((failure as StepFailedError).attempts).toBe(1);
  });

  it('a killed server: its tools are down, then it is restarted, reconnected and healthy again', async () => {
    const registry = createRegistry();
    const { log } = await connect(registry, [fixtureStdioServer('fixture')]);
    const firstPid = await pidOf(registry, 'fixture');
    const from = log.events.length;
    process.kill(firstPid, 'SIGKILL');
    await log.next('server-disconnected', () => true, from);
    expect(registry.candidates({ name: 'fixture.get-weather' })).toEqual([]);
    expect(registry.describe({ name: 'fixture.get-weather' })?.health).toBe('down');
    // A call meanwhile is told that the MCP server is reconnecting, not only that its tool is down.
    expect(() => registry.resolve({ name: 'fixture.get-weather' })).toThrow(
      /every candidate is down \(fixture\.get-weather@1\.0\.0: MCP server "fixture" is reconnecting \(/,
    );
    const reconnected = await log.next('server-connected', (event) => event.reconnected, from);
    expect(reconnected.tools).toBe(8);
    expect(registry.resolve({ name: 'fixture.get-weather' }).health).toBe('healthy');
    expect(await pidOf(registry, 'fixture')).not.toBe(firstPid);
  });

  it('list_changed: new tools registered, changed schemas replaced, removed ones unregistered', async () => {
    const registry = createRegistry();
    const { log } = await connect(registry, [fixtureStdioServer('fixture')]);
    let from = log.events.length;
    await callOnce(registry, 'fixture.add-tool', { name: 'lookup_order', field: 'orderId' });
    expect(await log.next('tools-changed', () => true, from)).toMatchObject({ added: ['fixture.lookup-order'] });
    expect(registry.resolve({ name: 'fixture.lookup-order' }).input?.jsonSchema).toMatchObject({
      required: ['orderId'],
    });
    const output = (await callOnce(registry, 'fixture.lookup-order', { orderId: 'o-1' })).steps.call?.output;
    expect(output).toEqual([{ type: 'text', text: '{"orderId":"o-1"}' }]);

    from = log.events.length;
    await callOnce(registry, 'fixture.add-tool', { name: 'lookup_order', field: 'id' });
    expect(await log.next('tools-changed', () => true, from)).toMatchObject({ replaced: ['fixture.lookup-order'] });
    expect(registry.resolve({ name: 'fixture.lookup-order' }).input?.jsonSchema).toMatchObject({ required: ['id'] });

    from = log.events.length;
    await callOnce(registry, 'fixture.remove-tool', { name: 'lookup_order' });
    expect(await log.next('tools-changed', () => true, from)).toMatchObject({ removed: ['fixture.lookup-order'] });
    expect(registry.has({ name: 'fixture.lookup-order' })).toBe(false);
  });

  it('close() unregisters the tools and stops the server process', async () => {
    const registry = createRegistry();
    const { mcp } = await connect(registry, [fixtureStdioServer('fixture')]);
    const pid = await pidOf(registry, 'fixture');
    await mcp.close();
    expect(registry.list()).toEqual([]);
    await waitFor(() => !isAlive(pid), 'the server process to end');
    const call = registry.describe({ name: 'fixture.whoami' });
    expect(call).toBeUndefined();
  });

  it('a server that cannot be started is an McpConnectionError naming it, and nothing stays registered', async () => {
    const registry = createRegistry();
    const failure = await connectMcpServers({
      registry,
      servers: [fixtureStdioServer('good'), { name: 'broken', command: '/nonexistent/mcp-server' }],
      stderr: 'ignore',
    }).catch((error: unknown) => error);
    expect(McpConnectionError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ server: 'broken' });
    expect((failure as Error).message).toContain('cannot be reached at /nonexistent/mcp-server:');
    expect(registry.list()).toEqual([]);
  });

  it('a server whose cwd does not exist is an McpConnectionError naming the folder, not the command', async () => {
    const registry = createRegistry();
    const server = { ...fixtureStdioServer('fixture'), cwd: '/nonexistent/baton-mcp-folder' };
    const error = await connect(registry, [server]).catch((caught: unknown) => caught);
    expect(McpConnectionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('its cwd "/nonexistent/baton-mcp-folder" does not exist');
  });

  it('a server that exits before answering: the error ends with what it wrote on stderr, which is also passed on under its name', async () => {
    const script = "console.error('loading config');console.error('Error: missing API_TOKEN');process.exit(3)";
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    const failure = await connectMcpServers({
      registry: createRegistry(),
      servers: [{ name: 'tokenless', command: process.execPath, args: ['-e', script] }],
    })
      .catch((error: unknown) => error)
      .finally(() => {
        process.stderr.write = write;
      });
    expect(McpConnectionError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toMatch(
      /cannot be reached at .+: .+; its stderr ended with:\nloading config\nError: missing API_TOKEN$/,
    );
    expect(written.join('')).toContain('[tokenless] loading config\n[tokenless] Error: missing API_TOKEN\n');
  });
});

describe('connectMcpServers over Streamable HTTP (loopback)', () => {
  it('a URL nothing answers at is an McpConnectionError that says why, not only "fetch failed"', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const failure = await connectMcpServers({
      registry: createRegistry(),
      servers: [{ name: 'cal', url: `http://127.0.0.1:${port}/mcp` }],
      connectTimeoutMs: 5000,
    }).catch((error: unknown) => error);
    expect(McpConnectionError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toMatch(
      /cannot be reached at http:\/\/127\.0\.0\.1:\d+\/mcp: fetch failed \(.*ECONNREFUSED/,
    );
  });

  it('a URL that answers with something other than MCP is an McpNotAServerError naming it and showing what it sent', async () => {
    const answers = [
      {
        contentType: 'text/html; charset=utf-8',
        body: `<html><body>${'Welcome to my blog. '.repeat(40)}</body></html>`,
      },
      { contentType: 'application/json', body: '{"hello":"world"}' },
    ];
    for (const { contentType, body } of answers) {
      const web = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(200, { 'content-type': contentType }).end(body));
      });
      await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise((resolve) => web.close(() => resolve())));
      const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/mcp`;
      const registry = createRegistry();
      const failure = await connectMcpServers({
        registry,
        servers: [{ name: 'web', url }],
        connectTimeoutMs: 5000,
      }).catch((error: unknown) => error);
      expect(McpNotAServerError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({ server: 'web', url, retryable: false, answer: { status: 200, contentType } });
      const message = (failure as Error).message;
      expect(message).toContain(
        `MCP server "web" at ${url} did not answer as an MCP server: it answered 200 (${contentType})`,
      );
      expect(message.length).toBeLessThan(700);
      expect(registry.list()).toEqual([]);
      if (contentType === 'application/json') {
        expect(message).toContain(': "{"hello":"world"}" (its answer is not a valid JSON-RPC message)');
        expect(message).not.toContain('invalid_union');
      } else {
        expect(message).toContain('(text/html; charset=utf-8): "<html><body>Welcome to my blog. Welcome');
        expect(message).toContain('…" (Streamable HTTP error: Unexpected content type: text/html; charset=utf-8)');
      }
    }
  });

  it('imports and calls the tools, and reconnects after the server restarts on its port', async () => {
    let listener = await startFixtureHttpServer();
    cleanups.push(() => listener.close());
    const registry = createRegistry();
    const { log } = await connect(registry, [{ name: 'remote', url: listener.url }]);
    const weather = await callOnce(registry, 'remote.get-weather', { city: 'Lisbon' });
    expect(weather.steps.call?.output).toEqual({ city: 'Lisbon', celsius: 12 });

    const from = log.events.length;
    const { port } = listener;
    await listener.close();
    await log.next('server-disconnected', () => true, from);
    expect(registry.describe({ name: 'remote.get-weather' })?.health).toBe('down');
    listener = await startFixtureHttpServer(port);
    await log.next('server-connected', (event) => event.reconnected, from);
    const again = await callOnce(registry, 'remote.get-weather', { city: 'Oslo' });
    expect(again.steps.call?.output).toEqual({ city: 'Oslo', celsius: 8 });
    expect(listener.sessions()).toBe(1);
  });

  it('a session the server ended is replaced at once, and the call that met its 404 is made again on the new one', async () => {
    const transports: McpHttpTransport[] = [];
    const listener = await listenMcpHttp({
      connect: (transport) => {
        transports.push(transport);
        return createFixtureMcpServer().connect(transport);
      },
    });
    cleanups.push(() => listener.close());
    const registry = createRegistry();
    const log = eventLog();
    // Reconnecting after a backoff would take a minute: only the immediate new session can answer the call in time.
    const mcp = await connectMcpServers({
      registry,
      servers: [{ name: 'remote', url: listener.url }],
      reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
      onEvent: log.push,
    });
    cleanups.push(() => mcp.close());
    expect((await callOnce(registry, 'remote.get-weather', { city: 'Lisbon' })).steps.call?.output).toEqual({
      city: 'Lisbon',
      celsius: 12,
    });

    const from = log.events.length;
    await transports[0]?.close();
    await waitFor(async () => listener.sessions() === 0 || undefined, 'the server to forget the session');
    const policy = { retry: { maxAttempts: 1 } };
    const again = await callOnce(registry, 'remote.get-weather', { city: 'Oslo' }, policy);
    expect(again.steps.call).toMatchObject({ status: 'succeeded', attempts: 1, output: { city: 'Oslo', celsius: 8 } });
    expect(log.events.slice(from)).toContainEqual({
      type: 'server-disconnected',
      server: 'remote',
      reason: 'the server ended its session',
    });
    expect(log.events.slice(from).filter((event) => event.type === 'server-connected')).toHaveLength(1);
    expect(transports).toHaveLength(2);
    expect(listener.sessions()).toBe(1);
  });

  it('list_changed reaches the client over the session stream', async () => {
    const listener = await startFixtureHttpServer();
    cleanups.push(() => listener.close());
    const registry = createRegistry();
    const { log } = await connect(registry, [{ name: 'remote', url: listener.url }]);
    const from = log.events.length;
    await callOnce(registry, 'remote.add-tool', { name: 'trackParcel', field: 'code' });
    expect(await log.next('tools-changed', () => true, from)).toMatchObject({ added: ['remote.track-parcel'] });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
