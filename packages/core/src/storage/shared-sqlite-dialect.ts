/**
 * The connection of an open SQLite store, for the tables of a program built on the same file (the server's projects,
 * keys and orchestrations). One connection for both matters: SQLite drops a connection's page cache whenever another
 * connection has committed since its last transaction, so two connections taking turns on one file read every page
 * from the WAL again, nearly every time. Shared, they also commit in the same groups.
 */
import type { Dialect } from 'kysely';
import { GroupedSqliteDialect } from './grouped-sqlite-dialect.js';
import type { RunStore } from './run-store.js';
import type { SqliteStatements } from './sqlite-statements.js';

const connections = new WeakMap<RunStore, SqliteStatements>();

/** Called by the SQLite store as it opens. */
export function shareSqliteConnection(store: RunStore, statements: SqliteStatements): void {
  connections.set(store, statements);
}

/**
 * A Kysely dialect over `store`'s own SQLite connection, or `undefined` for a store that is not SQLite. Its single
 * writes commit with the store's; a Kysely transaction holds the connection and the store's writes wait for its end;
 * `destroy()` leaves the connection open (the store's `close()` closes it).
 *
 * @example
 * const store = await openStore({ url: 'app.db' });
 * const db = new Kysely<AppTables>({ dialect: sharedSqliteDialect(store) ?? ownDialect });
 */
export function sharedSqliteDialect(store: RunStore): Dialect | undefined {
  const statements = connections.get(store);
  return statements === undefined ? undefined : new GroupedSqliteDialect(statements, false);
}
