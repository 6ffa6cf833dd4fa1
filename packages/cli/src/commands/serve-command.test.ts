import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer } from '@baton/server';
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

/** `baton serve …args` from the sources, in `cwd`, with no `BATON_*` variable (nor `PORT`) but `extraEnv`. */
function spawnServe(args: readonly string[], cwd?: string, extraEnv: Record<string, string> = {}): ChildProcess {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('BATON_') || name === 'PORT') delete env[name];
  Object.assign(env, extraEnv);
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
  expect(await exited).toBe(0);
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
    expect(second).toContain('start with BATON_ADMIN_TOKEN=badm_$(openssl rand -hex 32)');
  }, 60_000);

  it('says which database it uses, new or not, and says it stopped', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
    const db = join(dir, 'typo', 'baton.db');
    const first = (await serveOnce(db)).split('\n');
    expect(first).toContain(`Database: ${db} (new: created now)`);
    expect(first).toContain('Stopping the server… (Ctrl-C again to stop at once)');
    expect(first).toContain('Stopped. Orchestrations under way are kept in the database and go on at the next start.');
    expect((await serveOnce(db)).split('\n')).toContain(`Database: ${db}`);
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

  it.each([
    [{ BATON_PORT: 'abc' }, [], 'BATON_PORT must be a port number from 0 to 65535, got "abc"'],
    [{ PORT: '70000' }, [], 'PORT must be a port number from 0 to 65535, got "70000"'],
    [
      { BATON_RATE_LIMIT: 'abc' },
      ['--port', '0'],
      'BATON_RATE_LIMIT must be a whole number of requests a second, 1 or more, got "abc"',
    ],
    [
      { BATON_RATE_LIMIT: '0' },
      ['--port', '0'],
      'BATON_RATE_LIMIT must be a whole number of requests a second, 1 or more, got "0"',
    ],
    [
      { BATON_SERVICE_GRACE_MS: '-5' },
      ['--port', '0'],
      'BATON_SERVICE_GRACE_MS must be a whole number of milliseconds, 0 or more, got "-5"',
    ],
    [
      {},
      ['--port', '0', '--host', '999.1.1.1'],
      '--host "999.1.1.1" is not an address and no host of that name resolves',
    ],
    [{ BATON_HOST: '999.1.1.1' }, ['--port', '0'], 'BATON_HOST "999.1.1.1" is not an address and no host of that name'],
    [
      { BATON_WEBHOOK_ALLOW_PRIVATE: 'yes' },
      ['--port', '0'],
      'BATON_WEBHOOK_ALLOW_PRIVATE must be 1 (or true) to let webhooks reach private addresses, or 0 (or false), got "yes"',
    ],
  ])(
    'a bad setting %j %j: exit 2 naming it and its value, before anything is created',
    async (env, args, message) => {
      dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
      const child = spawnServe(['--db', join(dir, 'data', 'baton.db'), ...args], dir, env);
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, 'close')) as [number];
      expect(stderr).toContain(`baton: ${message}`);
      expect(stderr).not.toContain('unexpected error');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(code).toBe(2);
      expect(await readdir(dir)).toEqual([]);
    },
    60_000,
  );

  it('a --db path through a file: exit 2 naming --db, the path and the file, before anything is created', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
    await writeFile(join(dir, 'afile'), 'not a folder');
    const db = join(dir, 'afile', 'x.db');
    const child = spawnServe(['--port', '0', '--db', db], dir);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'close')) as [number];
    expect(stderr.trim()).toBe(
      `baton: --db "${db}" cannot be used as the SQLite database: ${join(dir, 'afile')} is a file, not a folder`,
    );
    expect(code).toBe(2);
    expect(await readdir(dir)).toEqual(['afile']);
  }, 60_000);

  /** Runs `baton serve` to its exit; its exit code and stderr. */
  async function serveExit(args: string[], extraEnv: Record<string, string> = {}): Promise<[number, string]> {
    const child = spawnServe(['--port', '0', ...args], dir, extraEnv);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'close')) as [number];
    return [code, stderr.trim()];
  }

  it('a secret key or admin token the server refuses: exit 2 naming the variable, not an unexpected error', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
    const db = join(dir, 'server.db');
    const [tokenCode, token] = await serveExit(['--db', db], { BATON_ADMIN_TOKEN: 'notbadm' });
    expect(tokenCode).toBe(2);
    expect(token).toMatch(/^baton: BATON_ADMIN_TOKEN must start with "badm_"/);
    const [keyCode, key] = await serveExit(['--db', db], { BATON_SECRET_KEY: 'short' });
    expect(keyCode).toBe(2);
    expect(key).toMatch(/^baton: BATON_SECRET_KEY must be at least 32 bytes/);
  }, 60_000);

  it('a --db file another server is using: exit 2 naming that server and --db', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
    const db = join(dir, 'server.db');
    const running = await startServer({ port: 0, databaseUrl: db, logger: false });
    try {
      const [code, stderr] = await serveExit(['--db', db]);
      expect(code).toBe(2);
      expect(stderr).toContain(`baton: another Baton server (pid ${process.pid}, ${running.url}`);
      expect(stderr).toContain(`is using ${db}`);
      expect(stderr).toContain('(another database: --db)');
    } finally {
      await running.close();
    }
  }, 60_000);

  it.runIf(process.platform === 'linux')(
    'a --db folder the system will not make (under /proc): exit 2 at once, naming --db',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'baton-serve-'));
      const db = '/proc/baton-nope/x.db';
      const [code, stderr] = await serveExit(['--db', db]);
      expect(code).toBe(2);
      expect(stderr).toMatch(
        /^baton: --db "\/proc\/baton-nope\/x\.db" cannot be used as the SQLite database: .*ENOENT/,
      );
    },
    60_000,
  );
});
