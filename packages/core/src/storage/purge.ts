/**
 * Retention: deletes finished runs older than the cut-off (their journal, blob references, approvals and failed
 * compensations with them), expired idempotency results, and blobs nothing references any more. A blob
 * written or reused in the last hour (or within `olderThanMs`, if shorter) is kept, so a journal write that is adding
 * a reference to it right now cannot lose it. Runs that have not finished are never deleted.
 */
import type { Kysely, QueryCreator } from 'kysely';
import type { BatonDatabase } from './database-schema.js';
import { FINISHED_STATUSES } from './run-store.js';

const BLOB_GRACE_MS = 3_600_000;

export async function purgeStore(
  db: Kysely<BatonDatabase>,
  dialect: 'sqlite' | 'postgres',
  olderThanMs: number,
  now: number,
): Promise<{ runs: number; blobs: number; idempotency: number }> {
  const expired = (query: QueryCreator<BatonDatabase>) =>
    query
      .deleteFrom('baton_runs')
      .where('status', 'in', [...FINISHED_STATUSES])
      .where('finished_at', '<=', now - olderThanMs);
  // SQLite keeps the journal's foreign key, so one statement (no lock held across an await) takes it along. On
  // PostgreSQL the journal has none (migration 3): one statement deletes the runs and, from the ids it returns, their
  // journals, so both see the same runs.
  const runs =
    dialect === 'sqlite'
      ? Number((await expired(db).executeTakeFirst()).numDeletedRows)
      : Number(
          (
            await db
              .with('gone', (query) => expired(query).returning('id'))
              .with('journal', (query) =>
                query.deleteFrom('baton_journal').where('run_id', 'in', (eb) => eb.selectFrom('gone').select('id')),
              )
              .selectFrom('gone')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
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
    runs,
    blobs: Number(blobs.numDeletedRows),
    idempotency: Number(idempotency.numDeletedRows),
  };
}
