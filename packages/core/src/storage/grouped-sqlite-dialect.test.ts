import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupedSqliteDialect } from './grouped-sqlite-dialect.js';

const folder = mkdtempSync(join(tmpdir(), 'baton-grouped-dialect-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Tables {
  rows: { id: string; value: string };
}

let file: string;
let db: Kysely<Tables>;

beforeEach(async () => {
  file = join(folder, `${crypto.randomUUID()}.db`);
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.exec('CREATE TABLE rows (id TEXT PRIMARY KEY, value TEXT NOT NULL)');
  db = new Kysely<Tables>({ dialect: groupedSqliteDialect(database) });
});
afterEach(async () => {
  await db.destroy();
});

const insert = (id: string, value = 'v') => db.insertInto('rows').values({ id, value }).execute();
const ids = async () => (await db.selectFrom('rows').select('id').orderBy('id').execute()).map((row) => row.id);
/** What another connection sees: only what was committed. */
const committedIds = () => {
  const reader = new Database(file, { readonly: true });
  try {
    return (reader.prepare('SELECT id FROM rows ORDER BY id').all() as { id: string }[]).map((row) => row.id);
  } finally {
    reader.close();
  }
};

describe('groupedSqliteDialect', () => {
  it('answers a write once it is committed, with what Kysely expects of a write', async () => {
    const [result] = await insert('a');
    expect(result?.numInsertedOrUpdatedRows).toBe(1n);
    expect(committedIds()).toEqual(['a']);
    const [updated] = await db.updateTable('rows').set({ value: 'w' }).where('id', '=', 'a').execute();
    expect(updated?.numUpdatedRows).toBe(1n);
    expect(await db.selectFrom('rows').selectAll().execute()).toEqual([{ id: 'a', value: 'w' }]);
  });

  it('fails only the write that broke a constraint, and commits the others of its turn', async () => {
    await insert('taken');
    const outcomes = await Promise.allSettled([insert('a'), insert('taken'), insert('b')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(committedIds()).toEqual(['a', 'b', 'taken']);
  });

  it('returns the rows of a write with RETURNING', async () => {
    const rows = await db.insertInto('rows').values({ id: 'r', value: 'v' }).returning(['id', 'value']).execute();
    expect(rows).toEqual([{ id: 'r', value: 'v' }]);
    expect(committedIds()).toEqual(['r']);
  });

  it('keeps a transaction to itself: writes from outside wait for its end and survive its rollback', async () => {
    let outsideDone = false;
    const failed = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('rows').values({ id: 'inside', value: 'v' }).execute();
        const outside = insert('outside').then(() => {
          outsideDone = true;
        });
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        expect(outsideDone).toBe(false);
        expect(await trx.selectFrom('rows').select('id').execute()).toEqual([{ id: 'inside' }]);
        void outside;
        throw new Error('roll it back');
      })
      .catch((error: unknown) => error);
    expect(await failed).toEqual(new Error('roll it back'));
    await expect.poll(() => outsideDone).toBe(true);
    expect(await ids()).toEqual(['outside']);
  });

  it('commits the writes waiting before a transaction first, then the transaction', async () => {
    const before = insert('before');
    await db.transaction().execute(async (trx) => {
      expect(committedIds()).toEqual(['before']);
      await trx.insertInto('rows').values({ id: 'inside', value: 'v' }).execute();
    });
    await before;
    expect(committedIds()).toEqual(['before', 'inside']);
  });

  it('streams the rows of a select', async () => {
    await Promise.all([insert('a'), insert('b')]);
    const seen: string[] = [];
    for await (const row of db.selectFrom('rows').select('id').orderBy('id').stream()) seen.push(row.id);
    expect(seen).toEqual(['a', 'b']);
  });
});
