import { createEngine, createRegistry, NonRetryableError, RetryableError } from '@baton/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { waitFor } from '../../../server/src/server-test-kit.js';
import { createBatonMcpServer } from './baton-mcp-server.js';
import { connectMcpServers } from './connect-mcp-servers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function exampleRegistry() {
  const registry = createRegistry();
  const seen = { flaky: 0, started: 0, aborted: 0 };
  registry.register({
    name: 'math.add',
    description: 'Adds two numbers',
    input: z.object({ a: z.number(), b: z.number() }),
    output: z.number(),
    effects: 'none',
    handler: ({ a, b }) => a + b,
  });
  registry.register({
    name: 'weather',
    description: 'The weather in a city',
    input: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    output: z.object({ city: z.string(), celsius: z.number() }),
    handler: (input: { city: string }) => ({ city: input.city, celsius: 21 }),
  });
  registry.register({
    name: 'shout',
    description: 'Upper-cases a text',
    input: { type: 'string' },
    handler: (text: string) => text.toUpperCase(),
  });
  registry.register({
    name: 'flaky',
    description: 'Fails once, then answers',
    handler: () => {
      seen.flaky += 1;
      if (seen.flaky === 1) throw new RetryableError('try again');
      return { ok: true };
    },
  });
  registry.register({
    name: 'refuse',
    description: 'Always refuses',
    handler: () => {
      throw new NonRetryableError('permission denied for this account');
    },
  });
  registry.register({
    name: 'hang',
    description: 'Waits until cancelled',
    handler: (_input, context) =>
      new Promise((_resolve, reject) => {
        seen.started += 1;
        context.signal.addEventListener('abort', () => {
          seen.aborted += 1;
          reject(new Error('stopped'));
        });
      }),
  });
  return { registry, seen };
}

async function servedOverHttp() {
  const { registry, seen } = exampleRegistry();
  const mcp = createBatonMcpServer({ registry });
  const listener = await mcp.listen();
  cleanups.push(() => mcp.close());
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(listener.url)));
  cleanups.push(() => client.close());
  return { client, listener, seen, registry };
}

const textOf = (result: Record<string, unknown>) => (result.content as Array<{ text: string }>)[0]?.text;

describe('createBatonMcpServer driven by the SDK client over Streamable HTTP', () => {
  it('lists every target as a tool with its description, input schema (non-object schemas wrapped) and object output schema', async () => {
    const { client } = await servedOverHttp();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['flaky', 'hang', 'math.add', 'refuse', 'shout', 'weather']);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(byName.get('math.add')).toMatchObject({
      description: 'Adds two numbers',
      inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
      annotations: { readOnlyHint: true },
    });
    // An object's output schema is listed (the SDK client then checks structuredContent against it); others are not.
    expect(byName.get('weather')?.outputSchema).toMatchObject({
      type: 'object',
      properties: { city: { type: 'string' }, celsius: { type: 'number' } },
      required: ['city', 'celsius'],
    });
    expect(byName.get('math.add')?.outputSchema).toBeUndefined();
    expect(byName.get('shout')?.inputSchema).toEqual({
      type: 'object',
      properties: { input: { type: 'string' } },
      required: ['input'],
    });
  });

  it('calls targets through the engine: outputs as text, objects as structured content too', async () => {
    const { client } = await servedOverHttp();
    const sum = await client.callTool({ name: 'math.add', arguments: { a: 2, b: 3 } });
    expect(sum).toEqual({ content: [{ type: 'text', text: '5' }] });
    const weather = await client.callTool({ name: 'weather', arguments: { city: 'Paris' } });
    expect(weather.structuredContent).toEqual({ city: 'Paris', celsius: 21 });
    expect(textOf(weather)).toBe('{"city":"Paris","celsius":21}');
    const shout = await client.callTool({ name: 'shout', arguments: { input: 'hey' } });
    expect(textOf(shout)).toBe('HEY');
  });

  it("applies the engine's retry policy, and turns failures and bad input into isError results", async () => {
    const { client, seen } = await servedOverHttp();
    const flaky = await client.callTool({ name: 'flaky', arguments: {} });
    expect(flaky.structuredContent).toEqual({ ok: true });
    expect(seen.flaky).toBe(2);
    const refused = await client.callTool({ name: 'refuse', arguments: {} });
    expect(refused).toMatchObject({ isError: true });
    expect(textOf(refused)).toBe('non-retryable: permission denied for this account');
    const invalid = await client.callTool({ name: 'math.add', arguments: { a: 'two', b: 3 } });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toMatch(
      /^validation-failed: the arguments of the tool math\.add do not match its input schema: a: /,
    );
    expect(textOf(invalid)).not.toContain('step');
    const unknown = await client.callTool({ name: 'nope', arguments: {} });
    expect(unknown).toMatchObject({ isError: true, content: [{ text: 'unknown tool "nope": see tools/list' }] });
  });

  it("an MCP cancellation aborts the target's signal", async () => {
    const { client, seen } = await servedOverHttp();
    const controller = new AbortController();
    const call = client.callTool({ name: 'hang', arguments: {} }, undefined, { signal: controller.signal });
    await waitFor(() => seen.started === 1 || undefined, 'the handler to start');
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(() => seen.aborted === 1 || undefined, 'the handler to see the abort');
  });

  it('keeps a session per client, answers 404 for an unknown session and 403 for a non-loopback Host', async () => {
    const { listener } = await servedOverHttp();
    const second = new Client({ name: 'second', version: '1.0.0' });
    await second.connect(new StreamableHTTPClientTransport(new URL(listener.url)));
    expect(listener.sessions()).toBe(2);
    await second.close();
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const unknown = await fetch(listener.url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': 'x' },
      body: ping,
    });
    expect(unknown.status).toBe(404);
    const noSession = await fetch(listener.url, { method: 'POST', headers, body: ping });
    expect(noSession.status).toBe(400);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(listener.url, { method: 'POST', headers: { ...headers, host: 'evil.example' } }, (r) =>
        resolve(r.statusCode ?? 0),
      );
      outgoing.on('error', reject);
      outgoing.end(ping);
    });
    expect(status).toBe(403);
  });

  it('serves another Baton: its targets imported with connectMcpServers and run there', async () => {
    const { listener } = await servedOverHttp();
    const other = createRegistry();
    const imported = await connectMcpServers({ registry: other, servers: [{ name: 'peer', url: listener.url }] });
    cleanups.push(() => imported.close());
    expect(other.resolve({ name: 'peer.math.add' }).effects).toBe('none');
    const run = createEngine({ registry: other }).run({
      steps: [{ id: 'w', target: 'peer.weather', input: { city: 'Rome' }, policy: { timeoutMs: 30_000 } }],
    });
    expect((await run.result()).steps.w?.output).toEqual({ city: 'Rome', celsius: 21 });
  });
});
