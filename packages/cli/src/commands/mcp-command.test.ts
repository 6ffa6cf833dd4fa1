import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, memoryInstanceStore } from '@baton/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, hasStack, runBaton, startCliTestServer } from '../cli-test-kit.js';

const TARGETS = `
let calls = 0;
export const add = {
  name: 'math.add',
  description: 'Adds two numbers',
  input: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  effects: 'none',
  handler: ({ a, b }) => a + b,
};
export const targets = [
  {
    name: 'flaky-lookup',
    description: 'Fails the first time, then finds the order',
    handler: (input) => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('busy'), { retryable: true });
      return { order: input.id, status: 'shipped' };
    },
  },
  {
    name: 'refuse',
    description: 'Always refuses',
    handler: () => { throw new Error('permission denied'); },
  },
];
`;

let home: string;
let targetsFile: string;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'baton-mcp-cli-'));
  targetsFile = join(home, 'targets.mjs');
  await writeFile(targetsFile, TARGETS);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => rm(home, { recursive: true, force: true }));

/** The built `baton mcp serve …` started by the SDK's own stdio client transport, as an MCP host does. */
async function stdioClient(args: string[], env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', 'serve', ...args],
    env: { HOME: home, ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'cli-test', version: '1.0.0' });
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  const pid = transport.pid!;
  cleanups.push(() => client.close());
  return { client, errors, pid, stderr: () => stderr };
}

const textOf = (result: Record<string, unknown>) => (result.content as Array<{ text: string }>)[0]?.text;

describe('baton mcp serve (stdio): the SDK client spawns the built CLI', () => {
  it('lists and calls the targets of --targets through the engine; stdout carries MCP frames only', async () => {
    const { client, errors, pid, stderr } = await stdioClient(['--targets', targetsFile]);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['flaky-lookup', 'math.add', 'refuse']);
    expect(tools[1]).toMatchObject({ description: 'Adds two numbers', annotations: { readOnlyHint: true } });
    expect(await client.callTool({ name: 'math.add', arguments: { a: 2, b: 40 } })).toEqual({
      content: [{ type: 'text', text: '42' }],
    });
    const retried = await client.callTool({ name: 'flaky-lookup', arguments: { id: 'o-7' } });
    expect(retried.structuredContent).toEqual({ order: 'o-7', status: 'shipped' });
    const refused = await client.callTool({ name: 'refuse', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('permission denied');
    expect(errors).toEqual([]);
    expect(stderr()).toContain('Baton MCP server on stdio: 3 targets');
    await client.close();
    expect(isAlive(pid)).toBe(false);
  });

  it('serves a Baton server’s services and runs orchestrations, with the saved connection from the env', async () => {
    const server = await startCliTestServer();
    cleanups.push(() => server.close());
    const weather = createService({
      name: 'weather',
      description: 'Temperature in a city',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      handler: async (input) => ({ city: (input as { city: string }).city, celsius: 19 }),
    });
    await weather.start({ url: server.url, apiKey: server.apiKey });
    cleanups.push(() => weather.stop());
    const { client } = await stdioClient([], server.env);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'weather',
      'baton_orchestrate',
      'baton_orchestration',
      'baton_cancel_orchestration',
    ]);
    const called = await client.callTool({ name: 'weather', arguments: { city: 'Paris' } });
    expect(called.structuredContent).toEqual({ city: 'Paris', celsius: 19 });
    const plan = {
      steps: [{ id: 'w', target: 'weather', input: { city: 'Oslo' } }],
      output: { $ref: 'steps.w.output' },
    };
    const orchestrated = await client.callTool({
      name: 'baton_orchestrate',
      arguments: { action: 'Weather in Oslo', plan },
    });
    expect(orchestrated.structuredContent).toMatchObject({
      status: 'succeeded',
      result: { city: 'Oslo', celsius: 19 },
    });
    const id = (orchestrated.structuredContent as { id: string }).id;
    const read = await client.callTool({ name: 'baton_orchestration', arguments: { id } });
    expect(read.structuredContent).toMatchObject({
      id,
      status: 'succeeded',
      steps: [{ id: 'w', status: 'succeeded' }],
    });
  });
});

describe('baton mcp serve --http', () => {
  it('serves Streamable HTTP on loopback, says where on stderr, keeps to --max-sessions, and stops on SIGTERM', async () => {
    const args = [
      'mcp',
      'serve',
      '--http',
      '0',
      '--session-idle',
      '600',
      '--max-sessions',
      '1',
      '--targets',
      targetsFile,
    ];
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((done) => child.on('exit', done));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const url = await new Promise<string>((found, failed) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /Baton MCP server on (http:\/\/127\.0\.0\.1:\d+\/mcp): 3 targets/.exec(stderr);
        if (match) found(match[1]!);
      });
      child.on('exit', () => failed(new Error(`baton mcp serve exited: ${stderr}`)));
    });
    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect((await client.listTools()).tools).toHaveLength(3);
    expect(await client.callTool({ name: 'math.add', arguments: { a: 1, b: 1 } })).toEqual({
      content: [{ type: 'text', text: '2' }],
    });
    const second = new Client({ name: 'cli-test-2', version: '1.0.0' });
    await expect(second.connect(new StreamableHTTPClientTransport(new URL(url)))).rejects.toThrow(
      /Service unavailable: 1 MCP sessions are open, the most this server keeps \(maxSessions\)/,
    );
    await client.close();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toBe('');
  });
});

describe('baton mcp serve refuses', () => {
  it('to start with nothing to serve (exit 2)', async () => {
    const result = await runBaton(['mcp', 'serve'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nothing to serve: pass --targets MODULE, or log in to a server');
    expect(result.stdout).toBe('');
  });

  it('a targets module it cannot load or that exports nothing to serve, naming it', async () => {
    // A file that cannot be used is unusable input, exit 3, as for every other command's files.
    const missing = await runBaton(['mcp', 'serve', '--targets', join(home, 'missing.mjs')], { home });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`--targets: cannot load ${join(home, 'missing.mjs')}: no such file`);
    const typescript = join(home, 'targets.ts');
    await writeFile(typescript, 'export const add = { name: "add", description: "Adds", handler: () => 1 };\n');
    const ts = await runBaton(['mcp', 'serve', '--targets', typescript], { home });
    expect(ts.code).toBe(3);
    expect(ts.stderr).toContain('compile it to .js or .mjs first');
    const broken = join(home, 'broken.mjs');
    await writeFile(broken, 'export const add = {\n  name: "add",\n');
    const syntax = await runBaton(['mcp', 'serve', '--targets', broken], { home });
    expect(syntax.code).toBe(3);
    expect(syntax.stderr).toMatch(/cannot load .*broken\.mjs: Unexpected end of input/);
    expect(hasStack(syntax.stderr)).toBe(false);
    const empty = join(home, 'empty.mjs');
    await writeFile(empty, 'export const helper = () => 1;\n');
    const nothing = await runBaton(['mcp', 'serve', '--targets', empty], { home });
    expect(nothing.code).toBe(3);
    expect(nothing.stderr).toContain('exports no registry and no target definitions');
    expect(hasStack(nothing.stderr)).toBe(false);
  });
});

describe('baton mcp serve session limits', () => {
  it('refuses a session limit that is not a whole number of at least 1, or one without --http (exit 2)', async () => {
    const zero = await runBaton(['mcp', 'serve', '--http', '0', '--session-idle', '0', '--targets', targetsFile], {
      home,
    });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--session-idle must be a whole number from 1 to');
    const stdio = await runBaton(['mcp', 'serve', '--max-sessions', '10', '--targets', targetsFile], { home });
    expect(stdio.code).toBe(2);
    expect(stdio.stderr).toContain('--max-sessions applies to Streamable HTTP sessions: add --http <port>');
  });
});

describe('baton mcp serve --http on a port in use', () => {
  it('refuses with exit 2, naming the address', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as { port: number };
    try {
      const result = await runBaton(['mcp', 'serve', '--http', String(port), '--targets', targetsFile], { home });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--http: 127.0.0.1:${port} is in use; pick another port`);
    } finally {
      await new Promise((done) => taken.close(done));
    }
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
