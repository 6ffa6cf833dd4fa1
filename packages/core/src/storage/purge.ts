/**
 * Retention: deletes finished runs older than the cut-off (their journal explicitly, their blob references, approvals
 * and failed compensations by cascade), expired idempotency results, and blobs nothing references any more. A blob
 * written or reused in the last hour (or within `olderThanMs`, if shorter) is kept, so a journal write that is adding
 * a reference to it right now cannot lose it. Runs that have not finished are never deleted.
 */
import type { Kysely } from 'kysely';
import type { BatonDatabase } from './database-schema.js';
import { FINISHED_STATUSES } from './run-store.js';

const BLOB_GRACE_MS = 3_600_000;

export async function purgeStore(
  db: Kysely<BatonDatabase>,
  olderThanMs: number,
  now: number,
): Promise<{ runs: number; blobs: number; idempotency: number }> {
  const runs = await db.transaction().execute(async (transaction) => {
    const expired = transaction
      .selectFrom('baton_runs')
      .select('id')
      .where('status', 'in', [...FINISHED_STATUSES])
      .where('finished_at', '<=', now - olderThanMs);
    // The journal has no foreign key to its run on PostgreSQL (migration 3): it goes first, by hand.
    await transaction.deleteFrom('baton_journal').where('run_id', 'in', expired).execute();
    return transaction
      .deleteFrom('baton_runs')
      .where('status', 'in', [...FINISHED_STATUSES])
      .where('finished_at', '<=', now - olderThanMs)
      .executeTakeFirst();
  });
  const idempotency = await db.deleteFrom('baton_idempotency').where('expires_at', '<=', now).executeTakeFirst();
  const blobs = await db
    .deleteFrom('baton_blobs')
    .where('created_at', '<=', now - Math.min(olderThanMs, BLOB_GRACE_MS))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('baton_journal_blobs')
            .select('seq')
            .whereRef('baton_journal_blobs.blob_hash', '=', 'baton_blobs.hash'),
        ),
      ),
    )
    .executeTakeFirst();
  return {
    runs: Number(runs.numDeletedRows),
    blobs: Number(blobs.numDeletedRows),
    idempotency: Number(idempotency.numDeletedRows),
  };
}
