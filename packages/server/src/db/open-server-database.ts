/**
 * Opens the server's tables in the engine's database — the same SQLite file or PostgreSQL database — and applies their
 * migrations. On SQLite, given the engine's `store`, the server uses the store's own connection (`sharedSqliteDialect`:
 * two connections taking turns on one file would each drop their page cache at every turn); without one it opens its
 * own, in WAL mode. On PostgreSQL, 64-bit integers are read back as numbers (times in milliseconds fit).
 */
import {
  groupedSqliteDialect,
  preparedStatementPool,
  type RunStore,
  type StoreLocation,
  sharedSqliteDialect,
  ValidationError,
} from '@baton/core';
import { type Dialect, Kysely, Migrator, PostgresDialect } from 'kysely';
import { serverMigrations } from './migrations.js';
import type { ServerTables } from './server-tables.js';

export interface ServerDatabase {
  readonly db: Kysely<ServerTables>;
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

async function sqliteDialect(path: string): Promise<Dialect> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const database = new BetterSqlite3(path === ':memory:' ? ':memory:' : path, { timeout: 5000 });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // The engine's store on the same file folds the WAL back in from a worker thread; a checkpoint run by SQLite inside
  // one of this connection's commits would stall the request that made it.
  database.pragma('wal_autocheckpoint = 0');
  database.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  // Statements prepared once, and single writes committed together once per turn (the orchestration rows of the
  // requests that came in one turn).
  return groupedSqliteDialect(database);
}

async function postgresDialect(url: string, poolSize: number): Promise<PostgresDialect> {
  const { default: pg } = await import('pg');
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new PostgresDialect({ pool: preparedStatementPool(pool) });
}

export async function openServerDatabase(
  location: StoreLocation,
  options: { poolSize?: number; store?: RunStore } = {},
): Promise<ServerDatabase> {
  if (location.dialect === 'memory') {
    throw new ValidationError('openServerDatabase: bad database', [
      {
        path: 'database',
        code: 'unsupported',
        message: 'the server keeps projects and keys in SQLite or PostgreSQL; give a file path or a postgres:// URL',
      },
    ]);
  }
  const shared = location.dialect === 'sqlite' && options.store ? sharedSqliteDialect(options.store) : undefined;
  const dialect =
    shared ??
    (location.dialect === 'sqlite'
      ? await sqliteDialect(location.path)
      : await postgresDialect(location.url, options.poolSize ?? 10));
  const db = new Kysely<ServerTables>({ dialect });
  const migrator = new Migrator({
    db,
    provider: serverMigrations(location.dialect),
    migrationTableName: 'baton_server_migration',
    migrationLockTableName: 'baton_server_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw error;
  }
  return { db, dialect: location.dialect, close: () => db.destroy() };
}
