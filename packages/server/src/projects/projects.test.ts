/**
 * Project names are unique on the server, on SQLite and on PostgreSQL: a second `POST /v1/projects` with a name in
 * use is a 409 `project-name-taken` naming it (also when requests race for it), only the admin can ask at all, and a
 * database from before the rule that holds a name twice is migrated without losing a project.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStoreLocation } from '@baton/core';
import Database from 'better-sqlite3';
import { type Dialect, Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { serverMigrations } from '../db/migrations.js';
import { openServerDatabase } from '../db/open-server-database.js';
import { createPostgresTestDatabase, type PostgresTestDatabase, postgresReachable } from '../postgres-test-kit.js';
import { startTestServer, type TestServer } from '../server-test-kit.js';

type Json = Record<string, any>;
type DialectName = 'SQLite' | 'PostgreSQL';

const postgres = await postgresReachable();
const dialects: DialectName[] = postgres ? ['SQLite', 'PostgreSQL'] : ['SQLite'];

let t: TestServer | undefined;
let database: PostgresTestDatabase | undefined;
let dir: string | undefined;

afterEach(async () => {
  await t?.close();
  await database?.drop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  t = undefined;
  database = undefined;
  dir = undefined;
});

async function start(dialect: DialectName): Promise<TestServer> {
  database = dialect === 'PostgreSQL' ? await createPostgresTestDatabase('baton_projects') : undefined;
  t = await startTestServer(database === undefined ? {} : { databaseUrl: database.url, secretKey: 'cd'.repeat(32) });
  return t;
}

function createProject(server: TestServer, name: string, key: string = server.adminToken): Promise<Response> {
  return server.request('/v1/projects', { method: 'POST', key, body: JSON.stringify({ name }) });
}

async function projectNames(server: TestServer): Promise<string[]> {
  const listed = (await (await server.request('/v1/projects', { key: server.adminToken })).json()) as Json;
  return (listed.items as Json[]).map((project) => project.name as string);
}

describe.each(dialects)('project names on %s', (dialect) => {
  it('refuses a name in use with a 409 naming it, and creates nothing', async () => {
    const server = await start(dialect);
    expect((await createProject(server, 'billing')).status).toBe(201);
    // The name is trimmed before it is compared, as it is before it is stored.
    for (const name of ['billing', '  billing ']) {
      const taken = await createProject(server, name);
      expect(taken.status).toBe(409);
      expect(taken.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await taken.json()).toMatchObject({
        type: 'urn:baton:problem:project-name-taken',
        status: 409,
        code: 'project-name-taken',
        detail: expect.stringContaining('a project named "billing" exists already'),
      });
    }
    expect((await createProject(server, 'Billing')).status).toBe(201);
    expect((await projectNames(server)).sort()).toEqual(['Billing', 'billing', 'test']);
  });

  it('lets one of many requests racing for a name have it', async () => {
    const server = await start(dialect);
    const answers = await Promise.all(Array.from({ length: 6 }, () => createProject(server, 'race')));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect((await projectNames(server)).filter((name) => name === 'race')).toHaveLength(1);
  });

  it('answers a project key 403 whether or not the name is taken, so a project learns nothing of the others', async () => {
    const server = await start(dialect);
    for (const name of ['test', 'not-taken']) {
      const answer = await createProject(server, name, server.apiKey);
      expect([answer.status, ((await answer.json()) as Json).code]).toEqual([403, 'admin-only']);
    }
  });
});

/** A database of the server's tables as they were before names were unique (up to migration 006). */
async function databaseBeforeUniqueNames(dialect: DialectName): Promise<{ url: string; kysely: Dialect }> {
  if (dialect === 'PostgreSQL') {
    database = await createPostgresTestDatabase('baton_project_names');
    return {
      url: database.url,
      kysely: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
    };
  }
  dir = mkdtempSync(join(tmpdir(), 'baton-project-names-'));
  const file = join(dir, 'baton.db');
  return { url: file, kysely: new SqliteDialect({ database: new Database(file) }) };
}

describe.each(dialects)('the unique project names migration on %s', (dialect) => {
  it('keeps every project: the oldest keeps a name held twice, the later ones get their id added', async () => {
    const { url, kysely } = await databaseBeforeUniqueNames(dialect);
    const old = new Kysely<any>({ dialect: kysely });
    const migrator = new Migrator({
      db: old,
      provider: serverMigrations(dialect === 'SQLite' ? 'sqlite' : 'postgres'),
      migrationTableName: 'baton_server_migration',
      migrationLockTableName: 'baton_server_migration_lock',
    });
    expect((await migrator.migrateTo('006-request-digest')).error).toBeUndefined();
    await old
      .insertInto('baton_server_projects')
      .values([
        { id: 'prj_first', name: 'billing', created_at: 1 },
        { id: 'prj_second', name: 'billing', created_at: 2 },
        { id: 'prj_third', name: 'billing', created_at: 3 },
        { id: 'prj_other', name: 'search', created_at: 4 },
      ])
      .execute();
    await old.destroy();

    const opened = await openServerDatabase(parseStoreLocation(url));
    try {
      const rows = await opened.db.selectFrom('baton_server_projects').select(['id', 'name']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'prj_first', name: 'billing' },
        { id: 'prj_other', name: 'search' },
        { id: 'prj_second', name: 'billing (prj_second)' },
        { id: 'prj_third', name: 'billing (prj_third)' },
      ]);
      await expect(
        opened.db
          .insertInto('baton_server_projects')
          .values({ id: 'prj_new', name: 'search', created_at: 5 })
          .execute(),
      ).rejects.toThrow(/unique/i);
    } finally {
      await opened.close();
    }
  });
});
