import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

const folder = mkdtempSync(join(tmpdir(), 'baton-group-commit-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let file: string;
let database: Database.Database;
let group: GroupCommit;

beforeEach(() => {
  file = join(folder, `${crypto.randomUUID()}.db`);
  database = new Database(file, { timeout: 0 });
  database.pragma('journal_mode = WAL');
  database.exec('CREATE TABLE rows (id TEXT PRIMARY KEY, value TEXT NOT NULL)');
  group = new GroupCommit(database, true);
});
afterEach(() => {
  if (database.open) database.close();
});

const insert =
  (id: string, value = 'v') =>
  () =>
    database.prepare('INSERT INTO rows (id, value) VALUES (?, ?)').run(id, value).changes;
/** Four writes in one turn: a busy turn, after which the group waits for the end of each turn. */
async function busy(into: GroupCommit): Promise<void> {
  database.exec('CREATE TABLE IF NOT EXISTS warm (n INTEGER)');
  const warm = () => database.prepare('INSERT INTO warm (n) VALUES (1)').run().changes;
  await Promise.all(Array.from({ length: 4 }, () => into.write(warm)));
}

const committedBy = (reader: Database.Database) => () =>
  (reader.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n;

const ids = () => (database.prepare('SELECT id FROM rows ORDER BY id').all() as { id: string }[]).map((row) => row.id);

describe('GroupCommit', () => {
  it('commits each write at once while writes come few per turn', async () => {
    const reader = new Database(file, { readonly: true });
    const committed = committedBy(reader);
    const writes = [group.write(insert('a')), group.write(insert('b'))];
    expect(committed()).toBe(2);
    await Promise.all(writes);
    reader.close();
  });

  it('once a turn is busy, runs the writes of each turn in one transaction and answers each once it has committed', async () => {
    await busy(group);
    const reader = new Database(file, { readonly: true });
    const committed = committedBy(reader);
    const seen: string[] = [];
    const write = (id: string) =>
      group
        .write(() => {
          seen.push(`${id} ran in a transaction: ${database.inTransaction}`);
          return insert(id)();
        })
        .then((changes) => seen.push(`${id} answered (${changes} row)`));
    const writes = [write('a'), write('b'), write('c')];
    expect(committed()).toBe(0);
    await Promise.all(writes);
    expect(seen).toEqual([
      'a ran in a transaction: true',
      'b ran in a transaction: true',
      'c ran in a transaction: true',
      'a answered (1 row)',
      'b answered (1 row)',
      'c answered (1 row)',
    ]);
    expect(committed()).toBe(3);
    reader.close();
  });

  it('switches to waiting for the end of the turn within a busy turn, and back once turns carry one write', async () => {
    const reader = new Database(file, { readonly: true });
    const committed = committedBy(reader);
    const burst = ['a', 'b', 'c', 'd', 'e'].map((id) => group.write(insert(id)));
    // The first three committed at once; the turn is busy from the fourth on.
    expect(committed()).toBe(3);
    await Promise.all(burst);
    expect(committed()).toBe(5);
    const lone = group.write(insert('f'));
    expect(committed()).toBe(5);
    await lone;
    // Turns of one write each: after a few of them, a write commits at once again.
    let written = 6;
    let atOnce = false;
    while (!atOnce && written < 50) {
      const pending = group.write(insert(`lone-${written}`));
      written += 1;
      atOnce = committed() === written;
      await pending;
    }
    expect(atOnce).toBe(true);
    expect(written).toBeGreaterThan(8);
    reader.close();
  });

  it('fails only the write whose statement failed; the others of its group commit', async () => {
    await busy(group);
    database.prepare("INSERT INTO rows VALUES ('taken', 'v')").run();
    const outcomes = await Promise.allSettled([
      group.write(insert('a')),
      group.write(insert('taken')),
      group.write(insert('b')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('UNIQUE constraint failed');
    expect(ids()).toEqual(['a', 'b', 'taken']);
  });

  it('undoes all of a failed transaction function and nothing of the others (a savepoint each)', async () => {
    await busy(group);
    const both = database.transaction(() => {
      insert('first-half')();
      throw new Error('second half failed');
    });
    const outcomes = await Promise.allSettled([group.write(insert('a')), group.write(both), group.write(insert('b'))]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('second half failed'));
    expect(ids()).toEqual(['a', 'b']);
  });

  it('fails every write of the group when its transaction cannot begin, and writes none of them', async () => {
    await busy(group);
    const other = new Database(file);
    other.prepare('BEGIN IMMEDIATE').run();
    const outcomes = await Promise.allSettled([group.write(insert('a')), group.write(insert('b'))]);
    other.prepare('ROLLBACK').run();
    other.close();
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(ids()).toEqual([]);
    // The group is not stuck: the next turn's writes commit.
    await group.write(insert('c'));
    expect(ids()).toEqual(['c']);
  });

  it('commits what waits when flushed before the connection closes', async () => {
    await busy(group);
    const pending = group.write(insert('last'));
    group.flush();
    database.close();
    await expect(pending).resolves.toBe(1);
    database = new Database(file);
    expect(ids()).toEqual(['last']);
  });

  it('commits each write at once, in a transaction of its own, when not grouping by turn', async () => {
    const eager = new GroupCommit(database, false);
    const reader = new Database(file, { readonly: true });
    const committed = () => (reader.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n;
    const eagerly = ['a', 'b', 'c', 'd', 'e'].map((id) => eager.write(insert(id)));
    expect(committed()).toBe(5);
    // Grouping by turn, a busy turn's writes wait for its end.
    await busy(group);
    const grouped = group.write(insert('f'));
    expect(committed()).toBe(5);
    await Promise.all([...eagerly, grouped]);
    expect(committed()).toBe(6);
    reader.close();
  });

  it('waits while a transaction of the caller is open, and commits after it when flushed again', async () => {
    database.prepare('BEGIN IMMEDIATE').run();
    insert('inside')();
    let answered = false;
    const pending = group.write(insert('outside')).then(() => {
      answered = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    database.prepare('ROLLBACK').run();
    group.flush();
    await pending;
    expect(ids()).toEqual(['outside']);
  });
});
