/**
 * Idempotency keys in `baton_idempotency`, for both dialects: the first result stored under a key wins and is never
 * overwritten while it lives, and a holder claims a key (owner + lease) before it computes the result, so holders in
 * other processes wait for that result rather than compute it again — or take the key over once the claim lapses.
 */
import type { Kysely } from 'kysely';
import type { BatonDatabase } from './database-schema.js';
import { fromJsonText, toJsonText } from './row-mapping.js';
import type { IdempotencyClaim } from './run-store.js';

/** How often a claim is tried again when the row changed between the attempt and the read (a release, a purge). */
const MAX_CLAIM_TRIES = 5;

export async function getIdempotent(db: Kysely<BatonDatabase>, key: string): Promise<{ value: unknown } | undefined> {
  const row = await db
    .selectFrom('baton_idempotency')
    .select('value')
    .where('key', '=', key)
    .where('expires_at', '>', Date.now())
    .where('claim_owner', 'is', null)
    .executeTakeFirst();
  return row && { value: fromJsonText(row.value) };
}

/** Stores a result unless one is stored already; returns the result that stays (the first). */
export async function putIdempotent(
  db: Kysely<BatonDatabase>,
  key: string,
  value: unknown,
  ttlMs: number,
): Promise<{ value: unknown }> {
  const now = Date.now();
  const row = { key, value: toJsonText(value), expires_at: now + ttlMs, claim_owner: null, claim_expires_at: null };
  await db
    .insertInto('baton_idempotency')
    .values(row)
    .onConflict((conflict) =>
      conflict
        .column('key')
        .doUpdateSet({ value: row.value, expires_at: row.expires_at, claim_owner: null, claim_expires_at: null })
        // Only a claim (anyone's: the first to finish wins) or an expired row gives way; a stored result never does.
        .where((eb) =>
          eb.or([eb('baton_idempotency.claim_owner', 'is not', null), eb('baton_idempotency.expires_at', '<=', now)]),
        ),
    )
    .execute();
  return (await getIdempotent(db, key)) ?? { value };
}

export async function claimIdempotent(
  db: Kysely<BatonDatabase>,
  key: string,
  owner: string,
  leaseMs: number,
  ttlMs: number,
): Promise<IdempotencyClaim> {
  for (let attempt = 1; ; attempt++) {
    const now = Date.now();
    const claim = { claim_owner: owner, claim_expires_at: now + leaseMs, value: null, expires_at: now + ttlMs };
    const taken = await db
      .insertInto('baton_idempotency')
      .values({ key, ...claim })
      .onConflict((conflict) =>
        conflict
          .column('key')
          .doUpdateSet(claim)
          // Free to take: an expired row, a lapsed claim, or a claim this owner holds already.
          .where((eb) =>
            eb.or([
              eb('baton_idempotency.expires_at', '<=', now),
              eb.and([
                eb('baton_idempotency.claim_owner', 'is not', null),
                eb('baton_idempotency.claim_expires_at', '<=', now),
              ]),
              eb('baton_idempotency.claim_owner', '=', owner),
            ]),
          ),
      )
      .returning('key')
      .executeTakeFirst();
    if (taken !== undefined) return { state: 'claimed' };
    const row = await db
      .selectFrom('baton_idempotency')
      .select(['value', 'claim_owner', 'claim_expires_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (row?.claim_owner === null) return { state: 'stored', value: fromJsonText(row.value) };
    if (row !== undefined || attempt >= MAX_CLAIM_TRIES) {
      return {
        state: 'held',
        owner: row?.claim_owner ?? 'unknown',
        leaseExpiresAt: Number(row?.claim_expires_at ?? now),
      };
    }
  }
}

export async function renewIdempotentClaim(
  db: Kysely<BatonDatabase>,
  key: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('baton_idempotency')
    .set({ claim_expires_at: Date.now() + leaseMs })
    .where('key', '=', key)
    .where('claim_owner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Drops `owner`'s claim (its call failed): the next holder computes the result. */
export async function releaseIdempotent(db: Kysely<BatonDatabase>, key: string, owner: string): Promise<void> {
  await db.deleteFrom('baton_idempotency').where('key', '=', key).where('claim_owner', '=', owner).execute();
}
