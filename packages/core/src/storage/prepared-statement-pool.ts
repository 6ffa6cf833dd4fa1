/**
 * A pg pool for Kysely whose clients send parameterized queries as named prepared statements, so PostgreSQL parses
 * and plans each text once per connection instead of on every call. Unnamed, the parse and bind steps of the server's
 * hot queries took about a third of PostgreSQL's CPU time per orchestration (`log_statement_stats`).
 *
 * A name is a hash of the text. Queries without parameters stay unnamed (PostgreSQL's simple protocol, which also
 * takes several statements in one text, as migrations send), and so does every text past the first
 * `MAX_NAMED_TEXTS` distinct ones or longer than `MAX_NAMED_TEXT_LENGTH`: a query shaped by its data (an `in` list of
 * every length) cannot fill each connection with statements. A prepared statement whose result columns changed under
 * it (a migration added a column to a `select *`: "cached plan must not change result type", SQLSTATE 0A000) is sent
 * again unnamed — outside a transaction; inside one, which the error failed, the caller gets the error — and its text
 * gets a new name from then on.
 */
import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

export const MAX_NAMED_TEXTS = 1000;
export const MAX_NAMED_TEXT_LENGTH = 16_384;
const CACHED_PLAN_CHANGED = '0A000';

/** Statement names by text, shared by every connection of a pool. */
export class StatementNames {
  readonly #names = new Map<string, string>();
  #renamed = 0;

  /** The name to prepare `text` under, or undefined to send it unnamed. */
  nameOf(text: string, parameters: readonly unknown[]): string | undefined {
    if (parameters.length === 0 || text.length > MAX_NAMED_TEXT_LENGTH) return undefined;
    const known = this.#names.get(text);
    if (known !== undefined || this.#names.size >= MAX_NAMED_TEXTS) return known;
    const name = `baton_q_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    this.#names.set(text, name);
    return name;
  }

  /** Gives `text` a name no connection has prepared yet (its old statement's plan no longer fits). */
  rename(text: string): void {
    const old = this.#names.get(text);
    if (old === undefined) return;
    this.#renamed += 1;
    this.#names.set(text, `${old.replace(/_r\d+$/, '')}_r${this.#renamed}`);
  }
}

type Cursor = PostgresCursor<unknown>;

/** What the connection's last ReadyForQuery said (pg keeps it as `_txStatus`): `I` idle, `T` in a transaction, `E` failed. */
function transactionStatus(client: pg.PoolClient): 'idle' | 'transaction' | 'unknown' {
  const status = (client as unknown as { _txStatus?: unknown })._txStatus;
  return status === 'I' ? 'idle' : status === 'T' || status === 'E' ? 'transaction' : 'unknown';
}

function preparedClient(client: pg.PoolClient, names: StatementNames): PostgresPoolClient {
  async function run<R>(text: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
    const values = [...parameters];
    const name = names.nameOf(text, parameters);
    if (name === undefined) return (await client.query(text, values)) as unknown as PostgresQueryResult<R>;
    try {
      return (await client.query({ name, text, values })) as unknown as PostgresQueryResult<R>;
    } catch (error) {
      if ((error as { code?: unknown }).code !== CACHED_PLAN_CHANGED) throw error;
      names.rename(text);
      // Inside a transaction the error has already failed it: the caller sees the error and may run it again.
      if (transactionStatus(client) !== 'idle') throw error;
      return (await client.query(text, values)) as unknown as PostgresQueryResult<R>;
    }
  }
  function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(
    first: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof first !== 'string')
      return client.query(first as unknown as pg.Submittable) as unknown as Cursor as PostgresCursor<R>;
    return run<R>(first, parameters ?? []);
  }
  return { query, release: () => client.release() };
}

/** `pool` for Kysely's `PostgresDialect`, its queries prepared by name (one wrapper per pg client, kept with it). */
export function preparedStatementPool(pool: pg.Pool, names = new StatementNames()): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrapped.get(client);
      if (wrapper === undefined) {
        wrapper = preparedClient(client, names);
        wrapped.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
