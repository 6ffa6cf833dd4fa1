/**
 * Opens the SQLite file behind a store. Everything that could damage a file that is not ours is checked first, by
 * reading only: the header (is it SQLite at all?), the schema objects (is every one Baton's? is `baton_schema` shaped
 * as Baton made it?) and the schema version (is it from a newer Baton?). Only then does it switch to WAL (which rewrites the header) and apply migrations, synchronously in
 * one `BEGIN IMMEDIATE` transaction so concurrent openers serialise.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { makeDirectory } from './make-directory.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_TABLE } from './migrations.js';
import { SqliteStatements } from './sqlite-statements.js';
import {
  StorageCorruptError,
  StorageForeignError,
  StorageTooNewError,
  StorageUnreachableError,
} from './storage-errors.js';

const SQLITE_HEADER = 'SQLite format 3\0';

export interface SqliteOpenOptions {
  path: string;
  busyTimeoutMs: number;
  /** Commit the single writes of one turn of the event loop together (`GroupCommit`). */
  groupCommit: boolean;
}

function readHeader(path: string): string | undefined {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StorageUnreachableError(path, error);
  }
  if (!stats.isFile()) throw new StorageUnreachableError(path, new Error('not a regular file'));
  if (stats.size === 0) return undefined;
  const buffer = Buffer.alloc(SQLITE_HEADER.length);
  const descriptor = openSync(path, 'r');
  try {
    const length = readSync(descriptor, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('latin1');
  } finally {
    closeSync(descriptor);
  }
}

function openFile(path: string): BetterSqlite3.Database {
  try {
    if (path !== ':memory:') makeDirectory(dirname(path));
    return new BetterSqlite3(path);
  } catch (error) {
    throw new StorageUnreachableError(path, error);
  }
}

function schemaVersion(database: BetterSqlite3.Database): number {
  return (database.prepare(`SELECT max(version) FROM ${SCHEMA_TABLE}`).pluck().get() as number | null) ?? 0;
}

/** The columns `baton_schema` has had since version 1, by name, with their declared types. */
const SCHEMA_TABLE_COLUMNS = { version: 'INTEGER', name: 'TEXT', applied_at: 'BIGINT' } as const;

interface SchemaObject {
  type: string;
  name: string;
}

/** Baton's objects are tables and indexes named `baton_…`; anything else (a view, a trigger, any other name) is not. */
const isBatonObject = (object: SchemaObject) =>
  (object.type === 'table' || object.type === 'index') && object.name.startsWith('baton_');

function readObjects(database: BetterSqlite3.Database, path: string): SchemaObject[] {
  try {
    return database
      .prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .all() as SchemaObject[];
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StorageCorruptError(path, (error as Error).message, error);
    }
    throw new StorageUnreachableError(path, error);
  }
}

/** The schema version, after checking that `baton_schema` is shaped as Baton made it (reading only). */
function checkedVersion(database: BetterSqlite3.Database, path: string, objects: readonly SchemaObject[]): number {
  const columns = database.prepare(`PRAGMA table_info(${SCHEMA_TABLE})`).all() as { name: string; type: string }[];
  const shaped =
    columns.length === Object.keys(SCHEMA_TABLE_COLUMNS).length &&
    columns.every(
      (column) => SCHEMA_TABLE_COLUMNS[column.name as keyof typeof SCHEMA_TABLE_COLUMNS] === column.type.toUpperCase(),
    );
  if (!shaped)
    throw new StorageForeignError(
      path,
      objects.map((object) => object.name),
    );
  try {
    const kinds = database.prepare(`SELECT DISTINCT typeof(version) FROM ${SCHEMA_TABLE}`).pluck().all() as string[];
    if (kinds.some((kind) => kind !== 'integer')) {
      throw new StorageCorruptError(path, `${SCHEMA_TABLE} holds versions that are not integers`);
    }
    const version = schemaVersion(database);
    if (version === 0 && objects.some((object) => object.type === 'table' && object.name !== SCHEMA_TABLE)) {
      throw new StorageCorruptError(path, `${SCHEMA_TABLE} is empty but Baton tables exist`);
    }
    return version;
  } catch (error) {
    if (StorageCorruptError.isInstance(error)) throw error;
    throw new StorageCorruptError(path, (error as Error).message, error);
  }
}

/**
 * Refuses (without writing) a file that is corrupt, foreign or too new. Foreign: any schema object that is not
 * Baton's, or a `baton_schema` table of another shape.
 */
function inspect(database: BetterSqlite3.Database, path: string): void {
  const objects = readObjects(database, path);
  if (objects.length === 0) return;
  const foreign = objects.filter((object) => !isBatonObject(object));
  const hasSchemaTable = objects.some((object) => object.type === 'table' && object.name === SCHEMA_TABLE);
  if (foreign.length > 0 || !hasSchemaTable) {
    throw new StorageForeignError(
      path,
      (foreign.length > 0 ? foreign : objects).map((object) => object.name),
    );
  }
  const version = checkedVersion(database, path, objects);
  if (version > LATEST_SCHEMA_VERSION) throw new StorageTooNewError(path, version, LATEST_SCHEMA_VERSION);
}

/** Opens, checks and configures the file; returns the statement cache that owns the connection. */
export function openSqliteDatabase(options: SqliteOpenOptions): SqliteStatements {
  const header = readHeader(options.path);
  if (header !== undefined && header !== SQLITE_HEADER) {
    throw new StorageCorruptError(options.path, 'the file does not start with the SQLite header');
  }
  const database = openFile(options.path);
  try {
    database.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
    inspect(database, options.path);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    const statements = new SqliteStatements(database, { groupCommit: options.groupCommit });
    statements.checkpointEvery(250);
    return statements;
  } catch (error) {
    database.close();
    throw error;
  }
}

/** Applies the migrations this file lacks; the version is read again under the write lock. */
export function migrateSqlite(statements: SqliteStatements, db: Kysely<unknown>, path: string): void {
  statements.immediate(() => {
    const exists = statements.database
      .prepare('SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?')
      .get('table', SCHEMA_TABLE);
    const current = exists === undefined ? 0 : schemaVersion(statements.database);
    if (current > LATEST_SCHEMA_VERSION) throw new StorageTooNewError(path, current, LATEST_SCHEMA_VERSION);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(db, 'sqlite')) statements.run(statement.compile());
      statements.database
        .prepare(`INSERT INTO ${SCHEMA_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`)
        .run(migration.version, migration.name, Date.now());
    }
  });
}
