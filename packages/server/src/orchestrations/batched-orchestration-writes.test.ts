/**
 * The orchestration rows of many requests in one statement each way, on PostgreSQL: every row keeps its own outcome
 * (a taken idempotency key, an end for a run that is no longer the orchestration's), and every end is announced and
 * comes with its own project's live webhooks.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openServerDatabase, type ServerDatabase } from '../db/open-server-database.js';
import type { OrchestrationsTable } from '../db/server-tables.js';
import { createPostgresTestDatabase, type PostgresTestDatabase, postgresReachable } from '../postgres-test-kit.js';
import { BatchedOrchestrationWrites } from './batched-orchestration-writes.js';

const postgres = await postgresReachable();
const CHANNEL = 'baton_test_run_ended';

let database: PostgresTestDatabase | undefined;
let server: ServerDatabase | undefined;
let listener: pg.Client | undefined;

afterEach(async () => {
  await listener?.end();
  await server?.close();
  await database?.drop();
  [listener, server, database] = [undefined, undefined, undefined];
});

function row(id: string, projectId: string, idempotencyKey: string | null = null): OrchestrationsTable {
  return {
    id,
    project_id: projectId,
    action: `action of ${id}`,
    run_id: id,
    plan: '{"steps":[]}',
    status: 'running',
    idempotency_key: idempotencyKey,
    webhook_id: null,
    retries: 0,
    created_at: 1,
    updated_at: 1,
    finished_at: null,
    error: null,
    planning: null,
    request: null,
    request_digest: null,
  };
}

describe.runIf(postgres)('BatchedOrchestrationWrites on PostgreSQL', () => {
  it('stores the rows of one turn together, all but the second of two with one idempotency key', async () => {
    database = await createPostgresTestDatabase('baton_batched_writes');
    server = await openServerDatabase({ dialect: 'postgres', url: database.url, display: database.url });
    const writes = new BatchedOrchestrationWrites(server.db, CHANNEL);
    const rows = [row('orc_1', 'p1', 'key'), row('orc_2', 'p1'), row('orc_3', 'p1', 'key'), row('orc_4', 'p2', 'key')];
    expect(await Promise.all(rows.map((one) => writes.insert(one)))).toEqual([true, true, false, true]);
    const stored = await server.db
      .selectFrom('baton_server_orchestrations')
      .select(['id', 'project_id', 'action', 'idempotency_key'])
      .orderBy('id')
      .execute();
    expect(stored).toEqual([
      { id: 'orc_1', project_id: 'p1', action: 'action of orc_1', idempotency_key: 'key' },
      { id: 'orc_2', project_id: 'p1', action: 'action of orc_2', idempotency_key: null },
      { id: 'orc_4', project_id: 'p2', action: 'action of orc_4', idempotency_key: 'key' },
    ]);
  });

  it('ends the rows of one turn together, announcing each and reading its own project’s live webhooks', async () => {
    database = await createPostgresTestDatabase('baton_batched_writes');
    server = await openServerDatabase({ dialect: 'postgres', url: database.url, display: database.url });
    const writes = new BatchedOrchestrationWrites(server.db, CHANNEL);
    for (const one of [row('orc_1', 'p1'), row('orc_2', 'p1'), row('orc_3', 'p2')]) await writes.insert(one);
    await server.db
      .insertInto('baton_server_webhooks')
      .values([
        {
          id: 'wh_live',
          project_id: 'p1',
          url: 'https://example.com/a',
          events: '["orchestration.succeeded"]',
          created_at: 1,
          deleted_at: null,
        },
        { id: 'wh_gone', project_id: 'p1', url: 'https://example.com/b', events: null, created_at: 1, deleted_at: 2 },
      ])
      .execute();
    listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const announced: string[] = [];
    listener.on('notification', (message) => announced.push(message.payload ?? ''));
    await listener.query(`LISTEN ${CHANNEL}`);
    const end = (id: string, runId: string, status: string) =>
      writes.finish({ id, runId, status, updated_at: 5, finished_at: 5 });
    const outcomes = await Promise.all([
      end('orc_1', 'orc_1', 'succeeded'),
      end('orc_2', 'orc_2~1', 'failed'),
      end('orc_3', 'orc_3', 'cancelled'),
    ]);
    expect(outcomes).toEqual([
      { updated: true, webhooks: [{ id: 'wh_live', events: '["orchestration.succeeded"]' }] },
      { updated: false, webhooks: undefined },
      { updated: true, webhooks: [] },
    ]);
    const ended = await server.db
      .selectFrom('baton_server_orchestrations')
      .select(['id', 'status', 'finished_at'])
      .orderBy('id')
      .execute();
    expect(ended).toEqual([
      { id: 'orc_1', status: 'succeeded', finished_at: 5 },
      { id: 'orc_2', status: 'running', finished_at: null },
      { id: 'orc_3', status: 'cancelled', finished_at: 5 },
    ]);
    await expect.poll(() => [...announced].sort()).toEqual(['orc_1', 'orc_3']);
  });
});
