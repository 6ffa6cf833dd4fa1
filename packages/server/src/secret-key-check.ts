/**
 * The secret key every replica must share, checked against the database: its check value (an HMAC of a fixed text,
 * which reveals nothing of the key) is stored by the first server to start on the database, and a server started with
 * another key is refused. Webhook signing secrets are derived from the key, so a replica with another one would sign
 * deliveries no receiver can verify; on SQLite, a database moved without its `secret.key` is caught the same way.
 */
import { createHmac } from 'node:crypto';
import { ValidationError } from '@baton/core';
import type { Kysely } from 'kysely';
import type { ServerTables } from './db/server-tables.js';

const SETTING = 'secret-key-check';

function checkValue(key: Buffer): string {
  return createHmac('sha256', key).update('baton secret key check').digest('hex');
}

/** Stores the key's check value on first use; refuses a key whose value differs from the stored one. */
export async function checkSecretKey(db: Kysely<ServerTables>, key: Buffer, source: string): Promise<void> {
  const value = checkValue(key);
  await db
    .insertInto('baton_server_settings')
    .values({ name: SETTING, value })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const stored = await db
    .selectFrom('baton_server_settings')
    .select('value')
    .where('name', '=', SETTING)
    .executeTakeFirstOrThrow();
  if (stored.value === value) return;
  throw new ValidationError('startServer: bad secretKey', [
    {
      path: 'secretKey',
      code: 'secret-key-mismatch',
      message: `${source} is not the secret key this database was first used with (every replica must share one; webhook secrets are derived from it)`,
    },
  ]);
}
