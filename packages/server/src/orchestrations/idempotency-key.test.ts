/**
 * `Idempotency-Key` on POST /v1/orchestrations, on SQLite and on PostgreSQL: the same request again gets the first
 * orchestration; the key with a different request is a 422 naming the key; an orchestration stored before request
 * digests were kept (none in its row) still answers any request with its key, as it did.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, type PostgresTestDatabase, postgresReachable } from '../postgres-test-kit.js';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
} from '../server-test-kit.js';

type Json = Record<string, any>;
type Dialect = 'SQLite' | 'PostgreSQL';

const postgres = await postgresReachable();

let t: TestServer;
let service: RawService | undefined;
let database: PostgresTestDatabase | undefined;

afterEach(async () => {
  await service?.close();
  await t?.close();
  await database?.drop();
  service = undefined;
  database = undefined;
});

/** A server on `dialect` with an `echo` service connected. */
async function start(dialect: Dialect): Promise<void> {
  database = dialect === 'PostgreSQL' ? await createPostgresTestDatabase('baton_idempotency') : undefined;
  t = await startTestServer(
    database === undefined ? {} : { databaseUrl: database.url, secretKey: 'ab'.repeat(32), serviceGraceMs: 60_000 },
  );
  service = await connectRawService(t.server.url, t.apiKey, {
    hello: echoService('echo'),
    answer: (task) => task.input,
  });
}

/** Makes an orchestration's row look as one stored before request digests were kept. */
async function forgetDigest(dialect: Dialect, id: string): Promise<void> {
  const update = 'UPDATE baton_server_orchestrations SET request_digest = NULL WHERE id = $1';
  if (dialect === 'SQLite') {
    const file = new Database(join(t.dir, 'baton.db'));
    try {
      file.prepare(update.replace('$1', '?')).run(id);
    } finally {
      file.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: database?.url });
  await client.connect();
  try {
    await client.query(update, [id]);
  } finally {
    await client.end();
  }
}

async function submit(body: unknown, key: string, spacing?: number): Promise<{ status: number; body: Json }> {
  const response = await t.request('/v1/orchestrations', {
    method: 'POST',
    headers: { 'idempotency-key': key },
    body: JSON.stringify(body, null, spacing),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const plan = { steps: [{ id: 'a', target: 'echo', input: { n: 1 } }] };

describe.each([
  ['SQLite' as const, true],
  ['PostgreSQL' as const, postgres],
])('Idempotency-Key on %s', (dialect, available) => {
  it.runIf(available)('returns the first orchestration for the same request, and refuses a different one', async () => {
    await start(dialect);
    const first = await submit({ action: { content: 'echo' }, data: { n: 1 }, plan }, 'order-17');
    expect(first.status).toBe(202);
    // The same request, its fields in another order and spaced otherwise: the first orchestration.
    const same = await submit({ plan, data: { n: 1 }, action: { content: ' echo ' } }, 'order-17', 2);
    expect(same).toMatchObject({ status: 202, body: { id: first.body.id } });
    const other = await submit({ action: { content: 'echo' }, data: { n: 2 }, plan }, 'order-17');
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 'idempotency-key-reused', status: 422 });
    expect(other.body.detail).toBe(
      `Idempotency-Key "order-17" was used for a different request (orchestration ${first.body.id}): send a new key for this one, or the first request unchanged to get its orchestration`,
    );
    // A different request that could not be accepted at all: the key's reuse is what is said.
    const unusable = await submit(
      { action: { content: 'echo' }, plan: { steps: [{ id: 'a', target: 'x' }] } },
      'order-17',
    );
    expect(unusable.body.code).toBe('idempotency-key-reused');
    const list = (await (await t.request('/v1/orchestrations')).json()) as Json;
    expect(list.items.map((item: Json) => item.id)).toEqual([first.body.id]);
  });

  it.runIf(available)('answers any request with the key of an orchestration stored without a digest', async () => {
    await start(dialect);
    const first = await submit({ action: { content: 'echo' }, plan }, 'before-digests');
    expect(first.status).toBe(202);
    await forgetDigest(dialect, first.body.id);
    const other = await submit({ action: { content: 'something else' }, plan }, 'before-digests');
    expect(other).toMatchObject({ status: 202, body: { id: first.body.id } });
  });
});
