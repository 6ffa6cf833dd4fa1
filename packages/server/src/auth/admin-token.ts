/**
 * The admin token, which alone may create and list projects. `BATON_ADMIN_TOKEN` sets it (its hash replaces the stored
 * one); without it, the first start generates one, returns it once for the operator to read, and stores its hash.
 * Loading and generating are two steps so a server generates (and stores) a token only once it is listening: a start
 * that fails before that stores no token nobody saw.
 */
import { ValidationError } from '@baton/core';
import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/server-tables.js';
import { ADMIN_TOKEN_PREFIX, hashToken, newSecretToken, sameHash } from './secret-token.js';

const ROW_ID = 'admin';

/**
 * Refuses a configured admin token that could never be used: the API takes a bearer token as the admin token only when
 * it starts with `badm_`. Its first characters are shown, never the secret.
 */
export function checkAdminTokenOption(token: string | undefined): void {
  if (token === undefined || (token.startsWith(ADMIN_TOKEN_PREFIX) && token.length > ADMIN_TOKEN_PREFIX.length)) return;
  const shown = token.length === 0 ? 'an empty string' : `a value starting "${token.slice(0, 4)}"`;
  throw new ValidationError('startServer: bad adminToken', [
    {
      path: 'adminToken',
      code: 'admin-token',
      message: `BATON_ADMIN_TOKEN must start with "${ADMIN_TOKEN_PREFIX}" followed by a secret (e.g. badm_$(openssl rand -hex 32)); got ${shown}`,
    },
  ]);
}

export class AdminToken {
  private hash: string | undefined;

  constructor(private readonly db: Kysely<ServerTables>) {}

  /** Takes the configured token (its hash replaces the stored one) or else the stored one, if there is one yet. */
  async load(configured: string | undefined): Promise<void> {
    if (configured !== undefined) {
      const hash = hashToken(configured);
      await this.db
        .insertInto('baton_server_admin_tokens')
        .values({ id: ROW_ID, hash, created_at: Date.now() })
        .onConflict((oc) => oc.column('id').doUpdateSet({ hash }))
        .execute();
      this.hash = hash;
      return;
    }
    const stored = await this.db
      .selectFrom('baton_server_admin_tokens')
      .select('hash')
      .where('id', '=', ROW_ID)
      .executeTakeFirst();
    this.hash = stored?.hash;
  }

  /** Generates and stores a token when none was loaded; returns it when it was generated now (to print once). */
  async generateIfMissing(): Promise<string | undefined> {
    if (this.hash !== undefined) return undefined;
    const token = newSecretToken(ADMIN_TOKEN_PREFIX);
    const inserted = await this.db
      .insertInto('baton_server_admin_tokens')
      .values({ id: ROW_ID, hash: hashToken(token), created_at: Date.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    // Another replica generated one first: it printed that one.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return this.load(undefined).then(() => undefined);
    this.hash = hashToken(token);
    return token;
  }

  /**
   * Whether `token` is the admin token stored now: read at every check (admin requests are few), so a token another
   * replica set, rotating a leaked one, holds on every replica at once.
   */
  async matches(token: string): Promise<boolean> {
    if (!token.startsWith(ADMIN_TOKEN_PREFIX)) return false;
    const stored = await this.db
      .selectFrom('baton_server_admin_tokens')
      .select('hash')
      .where('id', '=', ROW_ID)
      .executeTakeFirst();
    return stored !== undefined && sameHash(stored.hash, hashToken(token));
  }
}
