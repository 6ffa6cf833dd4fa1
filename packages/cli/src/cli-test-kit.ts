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
import { type BatonServer, startServer } from '@baton/server';

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

export async function startCliTestServer(): Promise<CliTestServer> {
  const home = await mkdtemp(join(tmpdir(), 'baton-cli-home-'));
  const server = await startServer({
    databaseUrl: join(home, 'baton.db'),
    port: 0,
    logger: false,
    adminToken: ADMIN_TOKEN,
    heartbeatMs: 1000,
    allowPrivateWebhooks: true,
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
