/**
 * A NUL character in a path, a query or a JSON body is refused with a 400 on every store alike: PostgreSQL's text
 * cannot hold one (it answered 500, after a cancel had taken effect), SQLite took it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, type PostgresTestDatabase, postgresReachable } from '../postgres-test-kit.js';
import { startTestServer, type TestServer } from '../server-test-kit.js';
import { jsonHasNul } from './nul-character-guard.js';

describe('jsonHasNul', () => {
  it('finds a \\u0000 escape in a string or a key, not an escaped backslash before u0000', () => {
    expect(jsonHasNul('{"name":"a\\u0000b"}')).toBe(true);
    expect(jsonHasNul('{"a\\u0000":1}')).toBe(true);
    expect(jsonHasNul('{"name":"a\\\\\\u0000b"}')).toBe(true);
    expect(jsonHasNul('{"name":"a\\\\u0000b"}')).toBe(false);
    expect(jsonHasNul('{"name":"a\\u00001"}')).toBe(true);
    expect(jsonHasNul('{"name":"a\\u0001"}')).toBe(false);
    expect(jsonHasNul('{"name":"plain"}')).toBe(false);
  });
});

const stores: [string, () => Promise<{ databaseUrl?: string; drop?: () => Promise<void> }>][] = [
  ['SQLite', async () => ({})],
  [
    'PostgreSQL',
    async () => {
      const database: PostgresTestDatabase = await createPostgresTestDatabase('baton_nul');
      return { databaseUrl: database.url, drop: () => database.drop() };
    },
  ],
];
const postgres = await postgresReachable();

for (const [name, open] of stores) {
  describe.runIf(name === 'SQLite' || postgres)(`a NUL character in a request, on ${name}`, () => {
    let t: TestServer;
    let drop: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const store = await open();
      drop = store.drop;
      t = await startTestServer(
        store.databaseUrl === undefined ? {} : { databaseUrl: store.databaseUrl, secretKey: 'ab'.repeat(32) },
      );
    });

    afterAll(async () => {
      await t?.close();
      await drop?.();
    });

    async function refused(path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
      const response = await t.request(path, init);
      const text = await response.text();
      expect(response.status, `${init.method ?? 'GET'} ${path} → ${text}`).toBe(400);
      const problem = JSON.parse(text) as Record<string, unknown>;
      expect(problem).toMatchObject({ code: 'nul-character', detail: expect.stringContaining('NUL character') });
      return problem;
    }

    it('refuses it in an id, a query, a name and a cancel reason, and stores nothing', async () => {
      const started = await t.request('/v1/orchestrations', {
        method: 'POST',
        body: JSON.stringify({ action: { content: 'x' }, plan: { steps: [{ id: 'a', approval: { prompt: 'Go?' } }] } }),
      });
      expect(started.status).toBe(202);
      const { id } = (await started.json()) as { id: string };
      for (const path of ['/v1/orchestrations/%00', `/v1/orchestrations/${id}%00`, '/v1/services/a%00b']) {
        expect((await refused(path)).problems).toEqual([
          { path: 'path', code: 'nul-character', message: 'holds a NUL character (\\u0000)' },
        ]);
      }
      expect((await refused('/v1/orchestrations?status=%00')).problems).toMatchObject([{ path: 'query' }]);
      await refused('/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: 'a\u0000b' }) });
      await refused(`/v1/orchestrations/${id}/cancel`, {
        method: 'POST',
        body: JSON.stringify({ reason: 'stop\u0000now' }),
      });
      // The cancel was refused before it took effect, and the server answers as before.
      const shown = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as { status: string };
      expect(shown.status).not.toBe('cancelled');
      const keys = (await (await t.request('/v1/api-keys')).json()) as
        | { items?: { name: string }[] }
        | { name: string }[];
      const names = (Array.isArray(keys) ? keys : (keys.items ?? [])).map((key) => key.name);
      expect(names.some((key) => key.includes('\u0000'))).toBe(false);
      const cancelled = await t.request(`/v1/orchestrations/${id}/cancel`, {
        method: 'POST',
        body: JSON.stringify({ reason: 'stop now' }),
      });
      expect(cancelled.status).toBe(202);
    });
  });
}
