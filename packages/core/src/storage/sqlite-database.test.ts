import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { StorageCorruptError, StorageForeignError } from './storage-errors.js';

const folder = mkdtempSync(join(tmpdir(), 'baton-sqlite-database-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A file made by another application with `sql`, in the default rollback-journal mode. */
function foreignFile(name: string, sql: string): string {
  const path = join(folder, name);
  const database = new Database(path);
  database.exec(sql);
  database.close();
  return path;
}

async function refusal(path: string): Promise<unknown> {
  const before = fileHash(path);
  const error = await openStore({ url: path }).catch((caught) => caught);
  expect(fileHash(path), 'the file bytes').toBe(before);
  expect(existsSync(`${path}-wal`), 'a WAL file').toBe(false);
  const database = new Database(path, { readonly: true });
  expect(database.pragma('journal_mode', { simple: true })).toBe('delete');
  database.close();
  return error;
}

describe('opening a SQLite file that is not Baton’s', () => {
  it.each([
    ['a view', 'CREATE VIEW app_totals AS SELECT 1 AS total', 'app_totals'],
    [
      'a view and a trigger',
      'CREATE VIEW v AS SELECT 1 AS x; CREATE TRIGGER app_audit INSTEAD OF INSERT ON v BEGIN SELECT 1; END',
      'app_audit',
    ],
  ])('refuses a file whose only objects are %s, untouched', async (_what, sql, name) => {
    const error = await refusal(foreignFile(`only-${name}.db`, sql));
    expect(StorageForeignError.isInstance(error)).toBe(true);
    expect((error as StorageForeignError).tables).toContain(name);
  });

  it('refuses a Baton file that another application added its own objects to', async () => {
    const path = join(folder, 'shared.db');
    await (await openStore({ url: path })).close();
    const database = new Database(path);
    database.pragma('journal_mode = DELETE');
    database.exec('CREATE INDEX app_by_status ON baton_runs (status); CREATE TABLE app_notes (text)');
    database.close();
    const error = await refusal(path);
    expect(StorageForeignError.isInstance(error)).toBe(true);
    expect((error as StorageForeignError).tables).toEqual(['app_by_status', 'app_notes']);
  });

  it('refuses a foreign baton_schema table (other columns) with StorageForeignError, untouched', async () => {
    const path = foreignFile('own-schema-table.db', 'CREATE TABLE baton_schema (release TEXT, notes TEXT)');
    const error = await refusal(path);
    expect(StorageForeignError.isInstance(error)).toBe(true);
    expect((error as StorageForeignError).tables).toEqual(['baton_schema']);
  });

  it('refuses a foreign app that has a baton_schema table of the right shape beside its own tables', async () => {
    const path = foreignFile(
      'beside.db',
      'CREATE TABLE customers (id); CREATE TABLE baton_schema (version integer primary key, name text not null, applied_at bigint not null)',
    );
    const error = await refusal(path);
    expect(StorageForeignError.isInstance(error)).toBe(true);
    expect((error as StorageForeignError).tables).toEqual(['customers']);
  });

  it('refuses a Baton-shaped schema table with versions that are not integers, or empty beside Baton tables', async () => {
    const schema =
      'CREATE TABLE baton_schema (version integer primary key, name text not null, applied_at bigint not null)';
    const loose = 'CREATE TABLE baton_schema (version integer, name text, applied_at bigint)';
    const texts = foreignFile('text-version.db', `${loose}; INSERT INTO baton_schema VALUES ('one', 'x', 0)`);
    const error = await refusal(texts);
    expect(StorageCorruptError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('not integers');
    const empty = foreignFile('empty-schema.db', `${schema}; CREATE TABLE baton_runs (id text)`);
    const emptyError = await refusal(empty);
    expect(StorageCorruptError.isInstance(emptyError)).toBe(true);
    expect((emptyError as Error).message).toContain('empty');
  });

  it('still opens (and migrates) an empty file and its own files', async () => {
    const path = join(folder, 'fresh.db');
    await (await openStore({ url: path })).close();
    const reopened = await openStore({ url: path });
    await reopened.createRun({ id: 'run', plan: {}, request: null, options: null, owner: 'engine', leaseMs: 1000 });
    expect((await reopened.getRun('run'))?.cancelRequested).toBeNull();
    await reopened.close();
  });
});
