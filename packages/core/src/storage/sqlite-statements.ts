/**
 * One better-sqlite3 connection: its prepared statements, cached by SQL text (Kysely's own SQLite driver prepares every
 * query afresh), its group commit (`GroupCommit`), shared by Kysely's single writes (`GroupedSqliteDialect`) and the
 * store's journal appends, and which Kysely transaction, if any, holds it across awaits (`hold`): every Kysely
 * instance over the connection, and the store's own transactions (`exclusive`), wait for that one to end.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import { GroupCommit } from './group-commit.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';

const MAX_CACHED = 500;

export class SqliteStatements {
  readonly #statements = new Map<string, Statement>();
  #checkpointer: SqliteCheckpointer | undefined;
  #closing: Promise<void> | undefined;

  /** Single writes and journal appends: committed together once per turn of the event loop, or each at once. */
  readonly group: GroupCommit;
  /** The holder of the open Kysely transaction, and the promise of its end. */
  #holder: object | undefined;
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(
    readonly database: Database,
    options: { groupCommit: boolean },
  ) {
    this.group = new GroupCommit(database, options.groupCommit);
  }

  /**
   * Moves WAL checkpoints off the commit path: SQLite's automatic checkpoint runs inside whichever commit crosses the
   * threshold (and syncs the file), which made some journal appends ten times slower than the rest. A worker thread
   * folds the WAL back in instead (`SqliteCheckpointer`).
   */
  checkpointEvery(intervalMs: number): void {
    if (this.database.memory) return;
    this.database.pragma('wal_autocheckpoint = 0');
    // A WAL that grew during a burst is cut back to this when it next starts over.
    this.database.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    this.#checkpointer = new SqliteCheckpointer({
      path: this.database.name,
      intervalMs,
      minWalBytes: 256 * 1024,
      finish: () => this.database.pragma('wal_checkpoint(PASSIVE)'),
    });
  }

  prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare(sql);
      if (this.#statements.size >= MAX_CACHED) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  all<Row>(query: CompiledQuery<Row>): Row[] {
    return this.prepare(query.sql).all(query.parameters) as Row[];
  }

  /** Runs a statement; returns the number of rows it changed. */
  run(query: CompiledQuery): number {
    return this.prepare(query.sql).run(query.parameters).changes;
  }

  /** Runs `work` synchronously in a `BEGIN IMMEDIATE` transaction, so the write lock is never held across an await. */
  immediate<T>(work: () => T): T {
    return this.database.transaction(work).immediate();
  }

  /**
   * `immediate`, once no Kysely transaction holds the connection: begun inside one, `work` would be a savepoint of
   * that transaction, kept or undone with it.
   */
  async exclusive<T>(work: () => T): Promise<T> {
    await this.waitForTurn(undefined);
    return this.immediate(work);
  }

  /** Resolves once no Kysely transaction but `holder`'s holds the connection. */
  async waitForTurn(holder: object | undefined): Promise<void> {
    while (this.#held !== undefined && this.#holder !== holder) await this.#held;
  }

  holds(holder: object): boolean {
    return this.#holder === holder;
  }

  /** Marks the connection held by `holder`'s transaction (the caller waited for its turn and begins it next). */
  hold(holder: object): void {
    this.#holder = holder;
    this.#held = new Promise((release) => {
      this.#release = release;
    });
  }

  /** The held transaction ended: whoever waits goes on, and the writes that waited for it commit. */
  release(): void {
    const release = this.#release;
    this.#holder = undefined;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
    this.group.flush();
  }

  /** Kysely's `destroy()` calls this without waiting; the store's `close()` calls it again and waits for the same end. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.group.flush();
      try {
        // The last connection to close (this one, after the checkpointer's final checkpoint) folds the WAL in.
        await this.#checkpointer?.close();
      } finally {
        this.#statements.clear();
        if (this.database.open) this.database.close();
      }
    })();
    return this.#closing;
  }
}
