import type { Kysely } from 'kysely';
import { encodeData } from './blob-codec.js';
import type { BatonDatabase } from './database-schema.js';
import type { EncodedEntry } from './journal-chain.js';
import { newCompensationRow } from './new-rows.js';
import { toFailedCompensation } from './row-mapping.js';
import type { CompensationStatus, FailedCompensation } from './run-store.js';
import { LeaseLostError } from './storage-errors.js';
import type { StoreBackend } from './store-backend.js';

export async function addFailedCompensation(
  db: Kysely<BatonDatabase>,
  entry: Omit<FailedCompensation, 'id' | 'status' | 'reason' | 'createdAt' | 'updatedAt'>,
): Promise<FailedCompensation> {
  const now = Date.now();
  const row = await db
    .insertInto('baton_failed_compensations')
    .values(newCompensationRow(entry, now))
    .onConflict((conflict) => conflict.columns(['run_id', 'step_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row !== undefined) return toFailedCompensation(row);
  // Recorded already, by an earlier life of the run that died before journaling it.
  const existing = await db
    .selectFrom('baton_failed_compensations')
    .selectAll()
    .where('run_id', '=', entry.runId)
    .where('step_key', '=', entry.stepKey)
    .executeTakeFirstOrThrow();
  return toFailedCompensation(existing);
}

export async function listFailedCompensations(
  db: Kysely<BatonDatabase>,
  filter: { runId?: string; status?: CompensationStatus },
): Promise<FailedCompensation[]> {
  let query = db.selectFrom('baton_failed_compensations').selectAll().orderBy('created_at').orderBy('id');
  if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return (await query.execute()).map(toFailedCompensation);
}

export async function closeFailedCompensation(
  db: Kysely<BatonDatabase>,
  backend: StoreBackend,
  close: { id: string; status: 'resolved' | 'ignored'; reason: string; blobThresholdBytes: number },
): Promise<boolean> {
  const { id, status, reason } = close;
  const now = Date.now();
  const closed = await db
    .updateTable('baton_failed_compensations')
    .set({ status, reason, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returning(['run_id', 'step_key'])
    .executeTakeFirst();
  if (closed === undefined) return false;
  const data = encodeData({ compensationId: id, status, reason }, close.blobThresholdBytes);
  const entry: EncodedEntry = {
    type: 'compensation-close',
    stepKey: closed.step_key,
    data: data.text,
    blobs: data.blobs,
  };
  try {
    await journalAsOwner(db, backend, closed.run_id, entry, now);
  } catch (error) {
    // Unjournaled, the close did not happen: the entry is open again for the caller to retry.
    await db
      .updateTable('baton_failed_compensations')
      .set({ status: 'open', reason: null, updated_at: Date.now() })
      .where('id', '=', id)
      .where('status', '=', status)
      .execute();
    throw error;
  }
  return true;
}

/**
 * Appends an entry on behalf of whoever holds the run (nobody, once it finished; an engine still compensating other
 * steps, otherwise). The owner is read and the write fenced by it, so a run changing hands in between is retried.
 */
async function journalAsOwner(
  db: Kysely<BatonDatabase>,
  backend: StoreBackend,
  runId: string,
  entry: EncodedEntry,
  now: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const run = await db.selectFrom('baton_runs').select('owner').where('id', '=', runId).executeTakeFirst();
    try {
      await backend.appendJournal({ runId, owner: run?.owner ?? null, entries: [entry], now });
      return;
    } catch (error) {
      if (!LeaseLostError.isInstance(error) || run === undefined || attempt >= 5) throw error;
    }
  }
}
