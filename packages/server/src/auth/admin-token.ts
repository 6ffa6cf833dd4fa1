/**
 * The admin token, which alone may create and list projects. `BATON_ADMIN_TOKEN` sets it (its hash replaces the stored
 * one); without it, the first start generates one, returns it once for the operator to read, and stores its hash.
 */
import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/server-tables.js';
import { ADMIN_TOKEN_PREFIX, hashToken, newSecretToken, sameHash } from './secret-token.js';

const ROW_ID = 'admin';

export class AdminToken {
  private hash: string | undefined;

  constructor(private readonly db: Kysely<ServerTables>) {}

  /** Makes sure a token exists; returns it when it was generated now (to print once), else undefined. */
  async ensure(configured: string | undefined): Promise<string | undefined> {
    if (configured !== undefined) {
      this.hash = hashToken(configured);
      await this.db
        .insertInto('baton_server_admin_tokens')
        .values({ id: ROW_ID, hash: this.hash, created_at: Date.now() })
        .onConflict((oc) => oc.column('id').doUpdateSet({ hash: this.hash as string }))
        .execute();
      return undefined;
    }
    const stored = await this.db
      .selectFrom('baton_server_admin_tokens')
      .select('hash')
      .where('id', '=', ROW_ID)
      .executeTakeFirst();
    if (stored !== undefined) {
      this.hash = stored.hash;
      return undefined;
    }
    const token = newSecretToken(ADMIN_TOKEN_PREFIX);
    const inserted = await this.db
      .insertInto('baton_server_admin_tokens')
      .values({ id: ROW_ID, hash: hashToken(token), created_at: Date.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return this.ensure(undefined);
    this.hash = hashToken(token);
    return token;
  }

  matches(token: string): boolean {
    return this.hash !== undefined && token.startsWith(ADMIN_TOKEN_PREFIX) && sameHash(this.hash, hashToken(token));
  }
}
