/**
 * Kysely over one better-sqlite3 connection whose single writes commit in groups (`GroupCommit`): a write outside a
 * transaction waits for the end of the turn and commits with the others written in it; a read runs at once and sees
 * what is committed. Kysely's own SQLite driver runs each write as a transaction of its own, one commit each.
 *
 * A Kysely transaction (`db.transaction().execute(…)`) first commits the writes waiting before it, then holds the
 * connection: other queries wait until it ends, and the group commits once it has.
 */

import type { Database } from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { SqliteStatements } from './sqlite-statements.js';

export class GroupedSqliteDialect implements Dialect {
  /** `ownsConnection: false`: Kysely's `destroy()` leaves the connection to whoever opened it (a store). */
  constructor(
    private readonly statements: SqliteStatements,
    private readonly ownsConnection = true,
  ) {}

  createDriver(): Driver {
    return new GroupedSqliteDriver(this.statements, this.ownsConnection);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class GroupedSqliteDriver implements Driver {
  readonly #statements: SqliteStatements;
  readonly #ownsConnection: boolean;

  constructor(statements: SqliteStatements, ownsConnection: boolean) {
    this.#statements = statements;
    this.#ownsConnection = ownsConnection;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupedConnection(this.#statements);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#statements.waitForTurn(connection);
    this.#statements.hold(connection);
    this.#statements.group.flush();
    try {
      this.#statements.prepare('BEGIN IMMEDIATE').run();
    } catch (error) {
      this.#statements.release();
      throw error;
    }
  }

  async commitTransaction(): Promise<void> {
    try {
      this.#statements.prepare('COMMIT').run();
    } finally {
      this.#statements.release();
    }
  }

  async rollbackTransaction(): Promise<void> {
    try {
      if (this.#statements.database.inTransaction) this.#statements.prepare('ROLLBACK').run();
    } finally {
      this.#statements.release();
    }
  }

  async releaseConnection(): Promise<void> {}

  /**
   * Kysely's `destroy()`; the store's `close()` waits for the same end. A dialect over a store's connection
   * (`sharedSqliteDialect`) leaves it open.
   */
  async destroy(): Promise<void> {
    if (this.#ownsConnection) await this.#statements.close();
  }
}

class GroupedConnection implements DatabaseConnection {
  constructor(private readonly statements: SqliteStatements) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    await this.statements.waitForTurn(this);
    const statement = this.statements.prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    const execute = (): QueryResult<R> => {
      if (statement.reader) return { rows: statement.all(parameters) as R[] };
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    };
    if (statement.readonly || this.statements.holds(this)) return execute();
    return this.statements.group.write(execute);
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) throw new Error('SQLite streams select queries only');
    await this.statements.waitForTurn(this);
    const statement = this.statements.prepare(compiledQuery.sql);
    for (const row of statement.iterate(compiledQuery.parameters as unknown[])) yield { rows: [row as R] };
  }
}

/**
 * A Kysely dialect over `database` (better-sqlite3) that prepares each SQL text once and commits single writes in
 * groups, for another connection to a store's SQLite file (the server's own tables live there too).
 *
 * @example
 * const db = new Kysely<Tables>({ dialect: groupedSqliteDialect(new Database('baton.db')) });
 */
export function groupedSqliteDialect(database: Database): Dialect {
  return new GroupedSqliteDialect(new SqliteStatements(database, { groupCommit: true }));
}
