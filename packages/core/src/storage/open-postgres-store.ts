/** Opens the PostgreSQL store (pg): checks the server is reachable, migrates, wires the backend and its wake-ups. */
import { Kysely, PostgresDialect } from 'kysely';
import type { BatonDatabase } from './database-schema.js';
import { KyselyRunStore, type KyselyRunStoreSettings } from './kysely-run-store.js';
import { PostgresBackend } from './postgres-backend.js';
import {
  checkReachable,
  clientConfig,
  createPool,
  migratePostgres,
  type PostgresConnectionOptions,
} from './postgres-database.js';
import { PostgresWorkSignal } from './postgres-work-signal.js';
import { preparedStatementPool } from './prepared-statement-pool.js';
import type { RunStore } from './run-store.js';
import type { StoreLocation } from './store-location.js';

export async function openPostgresStore(
  location: Extract<StoreLocation, { dialect: 'postgres' }>,
  connection: PostgresConnectionOptions,
  schema: string | undefined,
  settings: KyselyRunStoreSettings,
): Promise<RunStore> {
  const pool = createPool(connection);
  const db = new Kysely<BatonDatabase>({ dialect: new PostgresDialect({ pool: preparedStatementPool(pool) }) });
  try {
    await checkReachable(pool, location.display);
    await migratePostgres(db, location.display, schema);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const signal = new PostgresWorkSignal(clientConfig(connection), schema);
  return new KyselyRunStore(db, new PostgresBackend(db, pool, signal), settings);
}
