import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { openStore } from './open-store.js';
import { runStoreContract } from './run-store.contract.js';
import { sqlStoredData } from './run-store-contract-kit.js';

/** The PostgreSQL suite always runs: a missing server is a failure, never a skip. */
const url = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
const admin = new pg.Pool({ connectionString: url, max: 2 });

afterAll(async () => {
  await admin.end();
});

runStoreContract(
  'PostgreSQL',
  async () => {
    const schema = `baton_t_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return {
      open: () => openStore({ url, schema }),
      stored: sqlStoredData(async (statement) => {
        const client = await admin.connect();
        try {
          await client.query(`SET search_path TO ${schema}`);
          return (await client.query(statement)).rows;
        } finally {
          await client.query('RESET search_path');
          client.release();
        }
      }),
    };
  },
  async () => {
    for (const schema of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  },
);
