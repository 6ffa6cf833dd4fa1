import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import { LATEST_SCHEMA_VERSION } from './migrations.js';
import { type OpenStoreOptions, openStore } from './open-store.js';
import { clientConfig } from './postgres-database.js';
import {
  StorageCorruptError,
  StorageForeignError,
  StorageTooNewError,
  StorageUnreachableError,
} from './storage-errors.js';

const folder = mkdtempSync(join(tmpdir(), 'baton-open-store-'));
const postgresUrl = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: postgresUrl, max: 2 });
const schemas: string[] = [];

afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  rmSync(folder, { recursive: true, force: true });
});

const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const freshSchema = () => {
  const schema = `baton_t_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

describe('openStore on SQLite', () => {
  it('creates the folder and file, in WAL mode, and reopens it', async () => {
    const path = join(folder, 'nested', 'deeper', 'baton.db');
    const store = await openStore({ url: `sqlite:${path}` });
    expect(store.dialect).toBe('sqlite');
    await store.createRun({ id: 'run', plan: {}, request: null, options: null, owner: 'engine', leaseMs: 1000 });
    await store.close();
    const reopened = await openStore({ url: path });
    expect((await reopened.getRun('run'))?.id).toBe('run');
    await reopened.close();
    const database = new Database(path, { readonly: true });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.prepare('SELECT max(version) AS v FROM baton_schema').get()).toEqual({ v: LATEST_SCHEMA_VERSION });
    database.close();
  });

  it('defaults to .baton/baton.db under the working directory', async () => {
    const previous = process.cwd();
    const workspace = join(folder, 'workspace');
    mkdirSync(workspace);
    process.chdir(workspace);
    try {
      const store = await openStore();
      await store.close();
      expect(existsSync(join(workspace, '.baton', 'baton.db'))).toBe(true);
    } finally {
      process.chdir(previous);
    }
  });

  it('refuses a file of random bytes and leaves it unchanged', async () => {
    const path = join(folder, 'random.db');
    writeFileSync(path, randomBytes(8192));
    const before = fileHash(path);
    const error = await openStore({ url: `sqlite:${path}` }).catch((caught) => caught);
    expect(StorageCorruptError.isInstance(error)).toBe(true);
    expect(error.message).toContain(path);
    expect(fileHash(path)).toBe(before);
  });

  it('refuses a damaged SQLite file (valid header, garbage after) and leaves it unchanged', async () => {
    const path = join(folder, 'damaged.db');
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), randomBytes(8192)]));
    const before = fileHash(path);
    const error = await openStore({ url: path }).catch((caught) => caught);
    expect(StorageCorruptError.isInstance(error)).toBe(true);
    expect(fileHash(path)).toBe(before);
  });

  it("refuses another application's database and leaves it unchanged", async () => {
    const path = join(folder, 'foreign.db');
    const foreign = new Database(path);
    foreign.exec(
      "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada');",
    );
    foreign.close();
    const before = fileHash(path);
    const error = await openStore({ url: path }).catch((caught) => caught);
    expect(StorageForeignError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'storage-foreign', tables: ['customers'] });
    expect(error.message).toContain('customers');
    expect(fileHash(path)).toBe(before);
  });

  it('refuses a database from a newer Baton and leaves it unchanged', async () => {
    const path = join(folder, 'future.db');
    await (await openStore({ url: path })).close();
    const database = new Database(path);
    database
      .prepare('INSERT INTO baton_schema (version, name, applied_at) VALUES (?, ?, ?)')
      .run(LATEST_SCHEMA_VERSION + 1, 'future', 0);
    database.close();
    const before = fileHash(path);
    const error = await openStore({ url: path }).catch((caught) => caught);
    expect(StorageTooNewError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ foundVersion: LATEST_SCHEMA_VERSION + 1, supportedVersion: LATEST_SCHEMA_VERSION });
    expect(fileHash(path)).toBe(before);
  });

  it('reports a path that cannot be a database file', async () => {
    const error = await openStore({ url: folder }).catch((caught) => caught);
    expect(StorageUnreachableError.isInstance(error)).toBe(true);
    expect(error.message).toContain(folder);
  });

  it('checks its options with ValidationErrors that name the option and the value', async () => {
    const bad: [unknown, RegExp][] = [
      [{ url: join(folder, 'x.db'), blobThresholdBytes: -1 }, /blobThresholdBytes.*-1/],
      [{ url: join(folder, 'x.db'), busyTimeoutMs: 'soon' }, /busyTimeoutMs.*soon/],
      [{ url: join(folder, 'x.db'), synchronousCommit: 'yes' }, /synchronousCommit.*yes/],
      [{ url: 'sqlite:' }, /names no SQLite file/],
      [{ url: 42 }, /url.*42/],
      [null, /options must be an object, got null/],
      // The location alone, as a URL is often passed: the error shows the call that was meant.
      ['sqlite:./baton.db', /options must be an object such as \{ url: "sqlite:.\/baton.db" \}/],
      // An option it does not know would be ignored: a location under another name would open another database.
      [{ path: join(folder, 'x.db') }, /unknown option "path" \(known: url, .*\); where the store is goes in url/],
      [{ url: join(folder, 'x.db'), pollIntervallMs: 5 }, /unknown option "pollIntervallMs"/],
    ];
    for (const [options, message] of bad) {
      const error = await openStore(options as OpenStoreOptions).catch((caught: unknown) => caught);
      expect(ValidationError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    expect(existsSync(join(folder, 'x.db'))).toBe(false);
  });

  it('moves journal data over blobThresholdBytes into blobs, and purge() defaults to retentionMs', async () => {
    const path = join(folder, 'options.db');
    const store = await openStore({ url: path, blobThresholdBytes: 16, retentionMs: 0 });
    await store.createRun({ id: 'run', plan: {}, request: null, options: null, owner: 'engine', leaseMs: 1000 });
    await store.appendJournal('run', 'engine', [
      { type: 'a', data: 'short' },
      { type: 'b', data: 'longer than sixteen bytes' },
    ]);
    await store.finishRun('run', 'engine', { status: 'succeeded' });
    const database = new Database(path, { readonly: true });
    expect(database.prepare('SELECT count(*) AS n FROM baton_blobs').get()).toEqual({ n: 1 });
    database.close();
    expect((await store.readJournal('run')).map((entry) => entry.data)).toEqual(['short', 'longer than sixteen bytes']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.purge()).toMatchObject({ runs: 1 });
    await store.close();
  });
});

describe('openStore on PostgreSQL', () => {
  it('fails fast with a clear error when the server cannot be reached, masking the password', async () => {
    const started = performance.now();
    const error = await openStore({ url: 'postgres://baton:s3cret@127.0.0.1:1/test' }).catch((caught) => caught);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(StorageUnreachableError.isInstance(error)).toBe(true);
    expect(error.message).toContain('postgres://baton:***@127.0.0.1:1/test');
    expect(error.message).not.toContain('s3cret');
    expect(error.location).toBe('postgres://baton:***@127.0.0.1:1/test');
  });

  it('gives up connecting after connectTimeoutMs', async () => {
    const started = performance.now();
    const error = await openStore({ url: 'postgresql://10.255.255.1:5432/test', connectTimeoutMs: 300 }).catch(
      (caught) => caught,
    );
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(StorageUnreachableError.isInstance(error)).toBe(true);
  });

  it('creates its schema and reopens it', async () => {
    const schema = freshSchema();
    const store = await openStore({ url: postgresUrl, schema });
    expect(store.dialect).toBe('postgres');
    await store.close();
    await (await openStore({ url: postgresUrl, schema })).close();
    const versions = await admin.query(`SELECT version FROM ${schema}.baton_schema ORDER BY version`);
    expect(versions.rows).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
  });

  it('refuses a schema whose Baton-named tables are not Baton’s, and leaves it unchanged', async () => {
    const schema = freshSchema();
    await admin.query(
      `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.baton_runs (name text); INSERT INTO ${schema}.baton_runs VALUES ('mine')`,
    );
    const error = await openStore({ url: postgresUrl, schema }).catch((caught) => caught);
    expect(StorageForeignError.isInstance(error)).toBe(true);
    const tables = await admin.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [schema]);
    expect(tables.rows).toEqual([{ tablename: 'baton_runs' }]);
    expect((await admin.query(`SELECT name FROM ${schema}.baton_runs`)).rows).toEqual([{ name: 'mine' }]);
  });

  it('refuses a schema from a newer Baton and leaves it unchanged', async () => {
    const schema = freshSchema();
    await (await openStore({ url: postgresUrl, schema })).close();
    await admin.query(`INSERT INTO ${schema}.baton_schema (version, name, applied_at) VALUES ($1, 'future', 0)`, [
      LATEST_SCHEMA_VERSION + 1,
    ]);
    const before = await admin.query(`SELECT * FROM ${schema}.baton_schema ORDER BY version`);
    const error = await openStore({ url: postgresUrl, schema }).catch((caught) => caught);
    expect(StorageTooNewError.isInstance(error)).toBe(true);
    expect(error.foundVersion).toBe(LATEST_SCHEMA_VERSION + 1);
    expect((await admin.query(`SELECT * FROM ${schema}.baton_schema ORDER BY version`)).rows).toEqual(before.rows);
  });

  it('migrates once when several stores open a new schema together', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore({ url: postgresUrl, schema })));
    await Promise.all(stores.map((store) => store.close()));
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${schema}.baton_schema`)).rows).toEqual([
      { n: LATEST_SCHEMA_VERSION },
    ]);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    const error = await openStore({ url: postgresUrl, schema: 'x; DROP TABLE y' }).catch((caught) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/"x; DROP TABLE y" is not a plain identifier/);
  });

  it('commits synchronously by default, and asynchronously on every connection with synchronousCommit: false', async () => {
    for (const synchronousCommit of [true, false]) {
      const config = clientConfig({
        url: postgresUrl,
        schema: freshSchema(),
        connectTimeoutMs: 5000,
        poolSize: 1,
        synchronousCommit,
      });
      const client = new pg.Client(config);
      await client.connect();
      const { rows } = await client.query('SHOW synchronous_commit');
      await client.end();
      expect(rows[0].synchronous_commit).toBe(synchronousCommit ? 'on' : 'off');
    }
    const store = await openStore({ url: postgresUrl, schema: freshSchema(), synchronousCommit: false });
    await store.createRun({ id: 'run', plan: {}, request: null, options: null, owner: 'engine', leaseMs: 1000 });
    await store.appendJournal('run', 'engine', [{ type: 'run-start', stepKey: null, data: { ok: true } }]);
    expect((await store.verifyJournal('run')).ok).toBe(true);
    await store.close();
  });
});
