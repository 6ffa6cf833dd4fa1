import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../run-cli.ts', import.meta.url));
// By its file URL, so a child in a temporary folder finds it too.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const started: ChildProcess[] = [];
let dir: string | undefined;

afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** `baton serve …args` from the sources, with no `BATON_ADMIN_TOKEN` or `BATON_DATABASE_URL`, in `cwd`. */
function spawnServe(args: readonly string[], cwd?: string): ChildProcess {
  const env = { ...process.env };
  delete env.BATON_ADMIN_TOKEN;
  delete env.BATON_DATABASE_URL;
  const child = spawn(process.execPath, ['--conditions=@baton/source', '--import', tsx, entry, 'serve', ...args], {
    env,
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.push(child);
  return child;
}

/**
 * `baton serve` on a free port (with `--db`, else its default database under `cwd`) until its stderr holds the
 * listening line; its stderr so far, then it is stopped.
 */
async function serveOnce(db: string | undefined, cwd?: string): Promise<string> {
  const child = spawnServe(['--port', '0', ...(db === undefined ? [] : ['--db', db])], cwd);
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (/Admin token/.test(stderr)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`baton serve exited with ${code}:\n${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return stderr;
}

describe('baton serve', () => {
  it('prints a generated admin token once, and after a restart says how to set a new one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
    const db = join(dir, 'baton.db');
    const first = await serveOnce(db);
    expect(first).toMatch(/Baton server on http:\/\/127\.0\.0\.1:\d+ \(API reference: .*\/docs\)/);
    const token = /Admin token, shown once \(only its hash is stored\): (badm_\S+)/.exec(first)?.[1];
    expect(token).toBeDefined();
    const second = await serveOnce(db);
    expect(second).not.toContain(token);
    expect(second).toContain('start with BATON_ADMIN_TOKEN=<new token>');
  }, 60_000);

  it('on a port in use: exit 2 naming the port and --port, and the next start still prints the admin token', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
    const db = join(dir, 'baton.db');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const child = spawnServe(['--port', String(port), '--db', db]);
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, 'close')) as [number];
      expect(code).toBe(2);
      expect(stderr).toContain(
        `baton: port ${port} is in use (another Baton?): stop it, or choose another port (baton serve --port <port>, or BATON_PORT)`,
      );
      expect(stderr).not.toContain('unexpected error');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const next = await serveOnce(db);
    expect(next).toMatch(/Admin token, shown once \(only its hash is stored\): badm_\S+/);
  }, 60_000);

  it('keeps its database in .baton/server.db by default, apart from the .baton/baton.db of openStore()', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
    const stderr = await serveOnce(undefined, dir);
    expect(stderr).toContain('Admin token, shown once');
    await access(join(dir, '.baton', 'server.db'));
    await expect(access(join(dir, '.baton', 'baton.db'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
