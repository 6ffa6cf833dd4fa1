/**
 * `GET /v1/approvals` and `GET /v1/compensation-failures`, on SQLite and on PostgreSQL: pages of the caller's
 * project only, oldest first, walked with `nextCursor`; filtered by status and by orchestration (retries included);
 * another project's entries neither listed nor decided (404); bad paging a 400.
 */
import { join } from 'node:path';
import { openStore, type RunStore } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, type PostgresTestDatabase, postgresReachable } from '../postgres-test-kit.js';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../server-test-kit.js';

type Json = Record<string, any>;

const postgres = await postgresReachable();

let t: TestServer | undefined;
let store: RunStore | undefined;
let database: PostgresTestDatabase | undefined;

afterEach(async () => {
  await store?.close();
  await t?.close();
  await database?.drop();
  store = undefined;
  t = undefined;
  database = undefined;
});

async function start(dialect: 'SQLite' | 'PostgreSQL'): Promise<{ t: TestServer; store: RunStore }> {
  database = dialect === 'PostgreSQL' ? await createPostgresTestDatabase('baton_decisions') : undefined;
  t = await startTestServer(database === undefined ? {} : { databaseUrl: database.url, secretKey: 'ab'.repeat(32) });
  // A second connection to the same database, to record failed compensations as the engine would.
  store = await openStore({ url: database?.url ?? join(t.dir, 'baton.db') });
  return { t, store };
}

async function json(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

async function otherProjectKey(server: TestServer): Promise<string> {
  const created = await server.request('/v1/projects', {
    method: 'POST',
    key: TEST_ADMIN_TOKEN,
    body: JSON.stringify({ name: 'other' }),
  });
  return (await json(created)).apiKey.key as string;
}

/** Submits an orchestration that waits for one approval; resolves with its id once the approval is stored. */
async function awaitingApproval(server: TestServer, prompt: string, key?: string): Promise<string> {
  const submitted = await server.request('/v1/orchestrations', {
    method: 'POST',
    ...(key === undefined ? {} : { key }),
    body: JSON.stringify({ action: { content: prompt }, plan: { steps: [{ id: 'ok', approval: { prompt } }] } }),
  });
  expect(submitted.status).toBe(202);
  const { id } = await json(submitted);
  for (;;) {
    const listed = await json(
      await server.request(`/v1/approvals?orchestrationId=${id}`, key === undefined ? {} : { key }),
    );
    if (listed.items.length > 0) return id as string;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every item of every page, following `nextCursor`; also the size of each page. */
async function walk(server: TestServer, path: string, key?: string): Promise<{ items: Json[]; pages: number[] }> {
  const items: Json[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const url: string = cursor === null ? path : `${path}&cursor=${cursor}`;
    const response = await server.request(url, key === undefined ? {} : { key });
    expect(response.status).toBe(200);
    const page = await json(response);
    items.push(...page.items);
    pages.push(page.items.length);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { items, pages };
}

describe.each([
  ['SQLite', true],
  ['PostgreSQL', postgres],
] as const)('decisions on %s', (dialect, available) => {
  it.skipIf(!available)(
    "pages a project's approvals oldest first, filters them, and keeps other projects' out",
    async () => {
      const { t } = await start(dialect);
      const otherKey = await otherProjectKey(t);
      const mine: string[] = [];
      for (const n of [1, 2, 3]) mine.push(await awaitingApproval(t, `Ship ${n}?`));
      const theirs = await awaitingApproval(t, 'Theirs?', otherKey);

      const listed = await walk(t, '/v1/approvals?status=pending&limit=2');
      expect(listed.pages).toEqual([2, 1]);
      expect(listed.items.map((approval) => approval.orchestrationId)).toEqual(mine);
      expect(listed.items.map((approval) => approval.prompt)).toEqual(['Ship 1?', 'Ship 2?', 'Ship 3?']);
      expect((await walk(t, '/v1/approvals?limit=200', otherKey)).items.map((each) => each.orchestrationId)).toEqual([
        theirs,
      ]);
      // Another project's orchestration id filters to nothing; an own one to its approval.
      expect((await json(await t.request(`/v1/approvals?orchestrationId=${theirs}`))).items).toEqual([]);
      const first = (await json(await t.request(`/v1/approvals?orchestrationId=${mine[0]}`))).items;
      expect(first).toHaveLength(1);

      // Deciding another project's approval is a 404, as for an id that does not exist; the owner decides it.
      const theirApproval = (await json(await t.request('/v1/approvals', { key: otherKey }))).items[0];
      const refused = await t.request(`/v1/approvals/${theirApproval.id}/approve`, { method: 'POST', body: '{}' });
      expect(refused.status).toBe(404);
      const approved = await t.request(`/v1/approvals/${first[0].id}/approve`, { method: 'POST', body: '{}' });
      expect(approved.status).toBe(200);
      expect((await json(await t.request('/v1/approvals?status=approved'))).items.map((each: Json) => each.id)).toEqual(
        [first[0].id],
      );
      expect((await walk(t, '/v1/approvals?status=pending&limit=1')).pages).toEqual([1, 1]);

      for (const bad of ['cursor=%21%21', 'limit=0', 'limit=201', 'limt=5']) {
        const response = await t.request(`/v1/approvals?${bad}`);
        expect(response.status, bad).toBe(400);
      }
    },
    60_000,
  );

  it.skipIf(!available)(
    "pages a project's failed compensations, its retries' included, and resolves only its own",
    async () => {
      const { t, store } = await start(dialect);
      const otherKey = await otherProjectKey(t);
      const mine = await awaitingApproval(t, 'Mine?');
      const theirs = await awaitingApproval(t, 'Theirs?', otherKey);
      const error = { name: 'Error', message: 'refund service down' };
      await store.addFailedCompensation({ runId: mine, stepKey: 'pay', target: 'payments', error });
      await store.addFailedCompensation({ runId: theirs, stepKey: 'pay', target: 'payments', error });
      // A retry's run is `<orchestration>~<n>`: its entries are the orchestration's.
      await store.createRun({
        id: `${mine}~1`,
        plan: { steps: [] },
        request: {},
        options: {},
        owner: 'test',
        leaseMs: 60_000,
      });
      await store.addFailedCompensation({ runId: `${mine}~1`, stepKey: 'ship', target: 'shipping', error });
      const expected = 2;

      const listed = await walk(t, '/v1/compensation-failures?status=open&limit=1');
      expect(listed.items).toHaveLength(expected);
      expect(listed.items.every((entry) => entry.orchestrationId === mine)).toBe(true);
      const filtered = await json(await t.request(`/v1/compensation-failures?orchestrationId=${mine}`));
      expect(filtered.items).toHaveLength(expected);
      const theirEntry = (await json(await t.request('/v1/compensation-failures', { key: otherKey }))).items;
      expect(theirEntry.map((entry: Json) => entry.orchestrationId)).toEqual([theirs]);

      const refused = await t.request(`/v1/compensation-failures/${theirEntry[0].id}/resolve`, {
        method: 'POST',
        body: JSON.stringify({ reason: 'not yours' }),
      });
      expect(refused.status).toBe(404);
      const resolved = await t.request(`/v1/compensation-failures/${listed.items[0]?.id}/resolve`, {
        method: 'POST',
        body: JSON.stringify({ reason: 'refunded by hand' }),
      });
      expect(resolved.status).toBe(200);
      expect(await json(resolved)).toMatchObject({ status: 'resolved', reason: 'refunded by hand' });
      expect((await json(await t.request('/v1/compensation-failures?status=open'))).items).toHaveLength(expected - 1);
    },
    60_000,
  );
});
