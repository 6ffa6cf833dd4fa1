/** Opens the SQLite store (better-sqlite3): checks the file before touching it, migrates, wires the backend. */
import { Kysely } from 'kysely';
import type { BatonDatabase } from './database-schema.js';
import { GroupedSqliteDialect } from './grouped-sqlite-dialect.js';
import { KyselyRunStore, type KyselyRunStoreSettings } from './kysely-run-store.js';
import type { RunStore } from './run-store.js';
import { shareSqliteConnection } from './shared-sqlite-dialect.js';
import { SqliteBackend } from './sqlite-backend.js';
import { migrateSqlite, openSqliteDatabase } from './sqlite-database.js';
import type { StoreLocation } from './store-location.js';

export function openSqliteStore(
  location: Extract<StoreLocation, { dialect: 'sqlite' }>,
  options: { busyTimeoutMs: number; pollMs: number; groupCommit: boolean },
  settings: KyselyRunStoreSettings,
): RunStore {
  const statements = openSqliteDatabase({
    path: location.path,
    busyTimeoutMs: options.busyTimeoutMs,
    groupCommit: options.groupCommit,
  });
  const db = new Kysely<BatonDatabase>({ dialect: new GroupedSqliteDialect(statements) });
  try {
    migrateSqlite(statements, db as unknown as Kysely<unknown>, location.display);
  } catch (error) {
    statements.close();
    throw error;
  }
  const store = new KyselyRunStore(db, new SqliteBackend(statements, db, options.pollMs), settings);
  shareSqliteConnection(store, statements);
  return store;
}
