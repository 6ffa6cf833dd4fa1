/**
 * Connects to PostgreSQL and brings the schema up to date. The pool parses BIGINT (our ms timestamps) as numbers and
 * gives up connecting after `connectTimeoutMs`. Migrations run in one transaction under an advisory lock, after
 * checking — before writing anything — that the schema is Baton's and not newer than this code.
 */
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { ValidationError } from '../errors/validation-error.js';
import type { BatonDatabase } from './database-schema.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_TABLE } from './migrations.js';
import { StorageForeignError, StorageTooNewError, StorageUnreachableError } from './storage-errors.js';

const INT8_OID = 20;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface PostgresConnectionOptions {
  url: string;
  /** Schema for Baton's tables (the connection's `search_path`); the server default when absent. */
  schema?: string;
  connectTimeoutMs: number;
  poolSize: number;
  /** `false` sets `synchronous_commit = off` on every connection (see `OpenStoreOptions.synchronousCommit`). */
  synchronousCommit: boolean;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Client settings shared by the pool and the LISTEN connection. */
export function clientConfig(options: PostgresConnectionOptions): pg.ClientConfig {
  if (options.schema !== undefined && !IDENTIFIER.test(options.schema)) {
    throw new ValidationError('openStore: bad schema', [
      {
        path: 'schema',
        code: 'pattern',
        message: `"${options.schema}" is not a plain identifier (letters, digits, underscores, not starting with a digit)`,
      },
    ]);
  }
  const settings = [
    ...(options.schema === undefined ? [] : [`-c search_path=${options.schema}`]),
    ...(options.synchronousCommit ? [] : ['-c synchronous_commit=off']),
  ];
  return {
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    types,
    ...(settings.length === 0 ? {} : { options: settings.join(' ') }),
  };
}

export function createPool(options: PostgresConnectionOptions): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(options), max: options.poolSize });
  // An idle connection that breaks (server restart) is dropped by the pool; unhandled, the event would crash the process.
  pool.on('error', () => {});
  // So does a connection that breaks while checked out: its query fails with the error; the event must not crash.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Opens and releases one connection, turning any failure into a StorageUnreachableError. */
export async function checkReachable(pool: pg.Pool, display: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    throw new StorageUnreachableError(display, error);
  }
}

export async function migratePostgres(
  db: Kysely<BatonDatabase>,
  display: string,
  schema: string | undefined,
): Promise<void> {
  const untyped = db as unknown as Kysely<unknown>;
  await db.transaction().execute(async (transaction) => {
    const lockName = `baton-schema:${schema ?? ''}`;
    await sql`SELECT pg_advisory_xact_lock(hashtext(${lockName}))`.execute(transaction);
    if (schema !== undefined) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(transaction);
    const tables = await sql<{ tablename: string }>`
      SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'baton\\_%' ORDER BY tablename
    `.execute(transaction);
    const names = tables.rows.map((row) => row.tablename);
    if (names.length > 0 && !names.includes(SCHEMA_TABLE)) throw new StorageForeignError(display, names);
    let current = 0;
    if (names.length > 0) {
      const row = await transaction
        .selectFrom('baton_schema')
        .select((eb) => eb.fn.max('version').as('version'))
        .executeTakeFirst();
      current = Number(row?.version ?? 0);
    }
    if (current > LATEST_SCHEMA_VERSION) throw new StorageTooNewError(display, current, LATEST_SCHEMA_VERSION);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(untyped, 'postgres'))
        await transaction.executeQuery(statement.compile());
      await transaction
        .insertInto('baton_schema')
        .values({ version: migration.version, name: migration.name, applied_at: Date.now() })
        .execute();
    }
  });
}
