/**
 * For the CLI's tests: the built `baton` executable run as a child process with its own `$HOME` and no `BATON_*`
 * variables but the ones a test gives, against a real server on loopback (a temporary SQLite file, port 0, a known
 * admin token) with a project and its key.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BatonServer, type BatonServerOptions, startServer } from '@baton/server';

/** The one condition wait of the repository's tests (polls until a value comes, 30 s at most). */
export { waitFor } from '../../server/src/server-test-kit.js';

export const BIN = fileURLToPath(new URL('../bin/baton.js', import.meta.url));
export const ADMIN_TOKEN = `badm_${'c'.repeat(43)}`;

export interface BatonResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/baton.js …args`; `env` is the whole `BATON_*` environment it sees. */
export function runBaton(
  args: readonly string[],
  options: { home: string; env?: Record<string, string> },
): Promise<BatonResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: options.home, ...options.env };
  for (const name of ['BATON_URL', 'BATON_API_KEY', 'BATON_ADMIN_TOKEN']) {
    if (options.env?.[name] === undefined) delete env[name];
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: number | string }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CliTestServer {
  server: BatonServer;
  url: string;
  apiKey: string;
  projectId: string;
  /** A `$HOME` of its own, removed by `close`. */
  home: string;
  /** `BATON_URL` and `BATON_API_KEY` of the project. */
  env: Record<string, string>;
  baton(args: readonly string[], env?: Record<string, string>): Promise<BatonResult>;
  close(): Promise<void>;
}

export async function startCliTestServer(options: BatonServerOptions = {}): Promise<CliTestServer> {
  const home = await mkdtemp(join(tmpdir(), 'baton-cli-home-'));
  const server = await startServer({
    databaseUrl: join(home, 'baton.db'),
    port: 0,
    logger: false,
    adminToken: ADMIN_TOKEN,
    heartbeatMs: 1000,
    allowPrivateWebhooks: true,
    ...options,
  });
  const created = await fetch(`${server.url}/v1/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'cli-test' }),
  });
  const body = (await created.json()) as { project: { id: string }; apiKey: { key: string } };
  const env = { BATON_URL: server.url, BATON_API_KEY: body.apiKey.key };
  return {
    server,
    url: server.url,
    apiKey: body.apiKey.key,
    projectId: body.project.id,
    home,
    env,
    baton: (args, extra = env) => runBaton(args, { home, env: extra }),
    close: async () => {
      await server.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A loopback port nothing listens on: bound, read, closed. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Fails the test when a stack trace reached stderr. */
export const hasStack = (stderr: string) => /\n\s+at /.test(stderr);

export interface ContractRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type ContractRoute = (
  request: ContractRequest,
  response: import('node:http').ServerResponse,
) => void | Promise<void>;

/**
 * A stand-in for routes the server in this repository does not have yet (plan templates, planning in words), built
 * from their written contract: each `"METHOD /path"` (a `:param` matches one segment) answers as the test says, and
 * `GET /health` as a Baton server does. Every request is recorded.
 */
export async function startContractServer(routes: Record<string, ContractRoute>) {
  const { createServer } = await import('node:http');
  const requests: ContractRequest[] = [];
  const compiled = Object.entries(routes).map(([key, route]) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const regex = new RegExp(`^${pattern.replace(/:[^/]+/g, '[^/]+')}$`);
    return { method, regex, route };
  });
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    const text = Buffer.concat(chunks).toString('utf8');
    const request = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    if (request.path === '/health') return sendJson(response, 200, { status: 'ok', version: '9.9.9' });
    const match = compiled.find((entry) => entry.method === request.method && entry.regex.test(request.path));
    if (match === undefined)
      return sendJson(response, 404, {
        type: 'about:blank',
        title: 'Not found',
        status: 404,
        detail: `no route ${request.method} ${request.path}`,
        code: 'no-route',
      });
    await match.route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: import('node:http').ServerResponse, status: number, body: unknown): void {
  const problem = status >= 400 && typeof body === 'object' && body !== null && 'code' in body;
  response.writeHead(status, { 'content-type': problem ? 'application/problem+json' : 'application/json' });
  response.end(JSON.stringify(body));
}
