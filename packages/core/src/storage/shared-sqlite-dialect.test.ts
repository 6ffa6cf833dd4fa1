import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { readyRun } from './run-store-contract-kit.js';
import { sharedSqliteDialect } from './shared-sqlite-dialect.js';

const folder = mkdtempSync(join(tmpdir(), 'baton-shared-dialect-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Notes {
  baton_test_notes: { id: number; text: string };
}

async function openShared(name: string) {
  const store = await openStore({ url: join(folder, name), groupCommit: true });
  const dialect = sharedSqliteDialect(store);
  if (dialect === undefined) throw new Error('a SQLite store shares its connection');
  const db = new Kysely<Notes>({ dialect });
  await db.schema
    .createTable('baton_test_notes')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('text', 'text')
    .execute();
  return { store, db };
}

describe('sharedSqliteDialect', () => {
  it('is undefined for a store that is not SQLite', async () => {
    const store = await openStore({ url: 'memory:' });
    expect(sharedSqliteDialect(store)).toBeUndefined();
    await store.close();
  });

  it("makes the store's own transactions wait for a Kysely transaction instead of joining it", async () => {
    const { store, db } = await openShared('wait.db');
    try {
      const runId = await readyRun(store);
      let claimed: string[] | undefined;
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => {
        inside = resolve;
      });
      let letGo!: () => void;
      const held = new Promise<void>((resolve) => {
        letGo = resolve;
      });
      const transaction = db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('baton_test_notes').values({ id: 1, text: 'undone' }).execute();
          inside();
          await held;
          throw new Error('roll back');
        })
        .catch((error: Error) => error.message);
      await entered;
      const claim = store.claimRuns('engine-a', 60_000, 10).then((runs) => {
        claimed = runs.map((run) => run.id);
      });
      // Several turns of the event loop: the claim still waits for the transaction.
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(claimed).toBeUndefined();
      letGo();
      expect(await transaction).toBe('roll back');
      await claim;
      // The claim ran after the rollback, in a transaction of its own: it stands, and the note does not.
      expect(claimed).toEqual([runId]);
      expect((await store.getRun(runId))?.owner).toBe('engine-a');
      expect(await db.selectFrom('baton_test_notes').selectAll().execute()).toEqual([]);
    } finally {
      await db.destroy();
      await store.close();
    }
  });

  it("commits single writes with the store's, and leaves the connection open when Kysely is destroyed", async () => {
    const { store, db } = await openShared('writes.db');
    try {
      const [, runId] = await Promise.all([
        db.insertInto('baton_test_notes').values({ id: 2, text: 'kept' }).execute(),
        readyRun(store),
      ]);
      await db.destroy();
      expect((await store.getRun(runId))?.status).toBe('ready');
      const other = await openStore({ url: join(folder, 'writes.db') });
      const reader = new Kysely<Notes>({ dialect: sharedSqliteDialect(other)! });
      expect(await sql<{ text: string }>`select text from baton_test_notes`.execute(reader)).toMatchObject({
        rows: [{ text: 'kept' }],
      });
      await reader.destroy();
      await other.close();
    } finally {
      await store.close();
    }
  });
});
