/** Starting the server where it cannot listen, and closing it while clients wait. */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ValidationError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRawService, echoService, startTestServer, type TestServer } from './server-test-kit.js';
import { startServer } from './start-server.js';

const run = promisify(execFile);
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('startServer', () => {
  it('on a port in use, rejects with EADDRINUSE, gives back what it opened so its process can end, and keeps no admin token', async () => {
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
    // It stored no admin token nobody was shown: the next start on that database generates one to print.
    const next = await startServer({ port: 0, databaseUrl: join(t.dir, 'second.db'), logger: false });
    await next.close();
    expect(next.adminToken).toMatch(/^badm_/);
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
