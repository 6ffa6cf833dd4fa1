import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NAMED_TEXTS, preparedStatementPool, StatementNames } from './prepared-statement-pool.js';

/** Runs against the machine's PostgreSQL: a missing server is a failure, never a skip. */
const url = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `baton_prepared_${randomBytes(4).toString('hex')}`;
// One connection, so every query below runs on the session whose prepared statements it looks at.
const pool = new pg.Pool({ connectionString: url, max: 1 });
const db = new Kysely<Record<string, Record<string, unknown>>>({
  dialect: new PostgresDialect({ pool: preparedStatementPool(pool) }),
});

const prepared = async () =>
  (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db)).rows;

beforeAll(async () => {
  await sql`create table ${sql.table(table)} (id integer primary key, label text)`.execute(db);
  await sql`insert into ${sql.table(table)} values (1, 'one'), (2, 'two')`.execute(db);
});

afterAll(async () => {
  await sql`drop table if exists ${sql.table(table)}`.execute(db);
  await db.destroy();
});

describe('preparedStatementPool', () => {
  it('prepares a query with parameters once under a name, and leaves one without parameters unnamed', async () => {
    const byId = (id: number) => db.selectFrom(table).selectAll().where('id', '=', id).execute();
    expect(await byId(1)).toEqual([{ id: 1, label: 'one' }]);
    expect(await byId(2)).toEqual([{ id: 2, label: 'two' }]);
    const named = (await prepared()).filter((row) => row.statement.includes(table));
    expect(named).toHaveLength(1);
    expect(named[0]?.name).toMatch(/^baton_q_[0-9a-f]{16}$/);
    // Several statements in one text go by the simple protocol, which only an unnamed query may use.
    await sql.raw(`update ${table} set label = label; update ${table} set label = label`).execute(db);
    expect((await prepared()).filter((row) => row.statement.includes('update'))).toEqual([]);
  });

  it('answers a prepared select * again after a migration changed its columns, under a new name', async () => {
    const first = () => db.selectFrom(table).selectAll().where('id', '=', 1).executeTakeFirst();
    expect(await first()).toEqual({ id: 1, label: 'one' });
    await sql`alter table ${sql.table(table)} add column note text default 'added'`.execute(db);
    // PostgreSQL refuses the old plan ("cached plan must not change result type"); the query is sent again unnamed.
    expect(await first()).toEqual({ id: 1, label: 'one', note: 'added' });
    expect(await first()).toEqual({ id: 1, label: 'one', note: 'added' });
    const names = (await prepared()).filter((row) => row.statement.includes(table)).map((row) => row.name);
    expect(names.some((name) => /_r\d+$/.test(name))).toBe(true);
  });

  it('inside a transaction, gives the caller the error of a changed plan, and the next query a new name', async () => {
    const label = () => db.selectFrom(table).selectAll().where('label', '=', 'two').executeTakeFirst();
    expect(await label()).toMatchObject({ id: 2 });
    await sql`alter table ${sql.table(table)} add column size integer default 0`.execute(db);
    const failed = await db
      .transaction()
      .execute((transaction) => transaction.selectFrom(table).selectAll().where('label', '=', 'two').execute())
      .catch((error: unknown) => error);
    expect((failed as { code?: unknown }).code).toBe('0A000');
    expect(await label()).toMatchObject({ id: 2, size: 0 });
  });
});

describe('StatementNames', () => {
  it(`names at most ${MAX_NAMED_TEXTS} texts, none without parameters or past its length limit, each name stable`, () => {
    const names = new StatementNames();
    expect(names.nameOf('select 1', [])).toBeUndefined();
    expect(names.nameOf(`select $1 -- ${'x'.repeat(20_000)}`, [1])).toBeUndefined();
    const first = names.nameOf('select $1', [1]);
    expect(first).toMatch(/^baton_q_/);
    expect(names.nameOf('select $1', [2])).toBe(first);
    for (let i = 0; i < MAX_NAMED_TEXTS; i++) names.nameOf(`select $1 + ${i}`, [1]);
    expect(names.nameOf('select $1 + 999999', [1])).toBeUndefined();
    // Texts named before the cap keep their names.
    expect(names.nameOf('select $1', [3])).toBe(first);
    names.rename('select $1');
    expect(names.nameOf('select $1', [3])).toBe(`${first}_r1`);
  });
});
