/**
 * For the server's PostgreSQL tests (here and in `test/server/`): whether a server answers, and a database of a test's
 * own, created on it and dropped afterwards (replicas share one database, as they would in production).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test database (as every PostgreSQL test uses): others are created from a connection to it, on its server. */
export const POSTGRES_ADMIN_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when PostgreSQL answers; always true on CI, so a missing server fails there instead of skipping. */
export async function postgresReachable(url = POSTGRES_ADMIN_URL): Promise<boolean> {
  if (process.env.CI === 'true') return true;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function adminQuery(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

export interface PostgresTestDatabase {
  /** `postgres://…/<name>` */
  readonly url: string;
  /** Drops it, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

/** Creates `<prefix>_<pid>_<time>`. */
export async function createPostgresTestDatabase(prefix: string): Promise<PostgresTestDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    url: POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
