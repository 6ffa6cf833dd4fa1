/** Starting the server where it cannot listen, and closing it while clients wait. */
import { execFile, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ValidationError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseInUseError } from './db/database-in-use-error.js';
import { connectRawService, echoService, startTestServer, type TestServer } from './server-test-kit.js';
import { startServer } from './start-server.js';

const run = promisify(execFile);
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('startServer', () => {
  it('on a port in use, rejects with EADDRINUSE, gives back what it opened so its process can end, and keeps no admin token nor the database it created', async () => {
    const port = new URL(t.server.url).port;
    const program = `
      const { startServer } = await import('@baton/server');
      await startServer({ port: ${port}, databaseUrl: ${JSON.stringify(join(t.dir, 'second.db'))}, logger: false })
        .then(() => console.log('listening'), (error) => console.log(error.code));`;
    // The child must end by itself: a database, a timer or a worker left open would keep it running (and time out).
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@baton/source', '--import', 'tsx', '--input-type=module', '-e', program],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        timeout: 60_000,
      },
    );
    expect(stdout.trim()).toBe('EADDRINUSE');
    // The database it created for nothing is gone, so the next start says it creates it.
    for (const suffix of ['', '-wal', '-shm', '.lock'])
      expect(existsSync(join(t.dir, `second.db${suffix}`))).toBe(false);
    // It stored no admin token nobody was shown: the next start on that database generates one to print.
    const next = await startServer({ port: 0, databaseUrl: join(t.dir, 'second.db'), logger: false });
    await next.close();
    expect(next.adminToken).toMatch(/^badm_/);
  }, 90_000);

  it('refuses a second server on a SQLite file in use, naming the first, and takes the file once it has closed', async () => {
    const databaseUrl = join(t.dir, 'shared.db');
    const first = await startServer({ port: 0, databaseUrl, logger: false });
    const error = await startServer({ port: 0, databaseUrl, logger: false }).catch((e: unknown) => e);
    expect(DatabaseInUseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ holder: { pid: process.pid, url: first.url } });
    expect((error as Error).message).toContain(`is using ${databaseUrl}`);
    await first.close();
    await (await startServer({ port: 0, databaseUrl, logger: false })).close();
  });

  it("refuses a SQLite file another process's server is using, and takes it at once when that process is killed", async () => {
    const databaseUrl = join(t.dir, 'other-process.db');
    const program = `
      const { startServer } = await import('@baton/server');
      const server = await startServer({ port: 0, databaseUrl: ${JSON.stringify(databaseUrl)}, logger: false });
      console.log('listening ' + server.url);
      setInterval(() => {}, 1000);`;
    const child = spawn(
      process.execPath,
      ['--conditions=@baton/source', '--import', 'tsx', '--input-type=module', '-e', program],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening (\S+)/.exec(out);
          if (match) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`the server child ended first (exit ${code})`)));
      });
      const error = await startServer({ port: 0, databaseUrl, logger: false }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'database-in-use', holder: { pid: child.pid, url } });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    // Its lock is left behind, with a pid that is gone: the next server takes the file without waiting.
    expect(existsSync(`${databaseUrl}.lock`)).toBe(true);
    await (await startServer({ port: 0, databaseUrl, logger: false })).close();
  }, 90_000);

  it('refuses an admin token that could never be used (not badm_…), naming the option, before it creates anything', async () => {
    for (const adminToken of ['correct-horse-battery-staple', '', 'badm_']) {
      const databaseUrl = join(t.dir, `refused-${adminToken.length}.db`);
      const error = await startServer({ port: 0, databaseUrl, logger: false, adminToken }).catch((e: unknown) => e);
      expect(ValidationError.isInstance(error)).toBe(true);
      const problem = (error as ValidationError).problems[0];
      expect(problem).toMatchObject({ path: 'adminToken', code: 'admin-token' });
      expect(problem?.message).toContain('must start with "badm_"');
      expect(problem?.message).not.toContain('horse-battery');
      expect(existsSync(databaseUrl)).toBe(false);
    }
  });

  it('refuses a database moved without its secret.key, whose webhook secrets the new key could not make again', async () => {
    const dir = join(t.dir, 'moved');
    const databaseUrl = join(dir, 'baton.db');
    await (await startServer({ port: 0, databaseUrl, logger: false })).close();
    writeFileSync(join(dir, 'secret.key'), 'ef'.repeat(32));
    const error = await startServer({ port: 0, databaseUrl, logger: false }).catch((e: unknown) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).problems[0]).toMatchObject({ path: 'secretKey', code: 'secret-key-mismatch' });
    expect((error as Error).message).toContain(`the key in ${join(dir, 'secret.key')} is not the secret key`);
  });

  it('on close, answers a held GET with the orchestration as it stands and ends event streams, instead of cutting them', async () => {
    const closing = await startTestServer();
    // A service that takes its task and never answers: the orchestration stays running.
    const service = await connectRawService(closing.server.url, closing.apiKey, { hello: echoService('slow') });
    const submitted = await closing.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({ action: { content: 'x' }, plan: { steps: [{ id: 's', target: 'slow', input: {} }] } }),
    });
    const { id } = (await submitted.json()) as { id: string };
    await service.next((message) => message.type === 'task');
    const held = closing.request(`/v1/orchestrations/${id}?waitMs=60000`);
    const events = await closing.request(`/v1/orchestrations/${id}/events`);
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('run-start')) text += new TextDecoder().decode((await reader.read()).value);
    const closed = closing.close();
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ id, status: 'running' });
    // The stream ends cleanly (its client resumes with Last-Event-ID), not with a reset connection.
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).not.toContain('run-finish');
    await closed;
    await service.close();
  });
});
