/**
 * Approvals in `baton_approvals`, for both dialects: created once per id (a replay after a crash finds the first one,
 * another run or step cannot take its id) and listed oldest first. Deciding one is atomic with waking its run, so it
 * is the backend's (`StoreBackend.decideApproval`).
 */
import type { Kysely } from 'kysely';
import type { BatonDatabase } from './database-schema.js';
import { newApprovalRow } from './new-rows.js';
import { toStoredApproval } from './row-mapping.js';
import type { ApprovalStatus, StoredApproval } from './run-store.js';
import { DuplicateApprovalError } from './storage-errors.js';

export async function createApproval(
  db: Kysely<BatonDatabase>,
  approval: Omit<StoredApproval, 'status' | 'decision' | 'decidedAt' | 'createdAt'>,
): Promise<StoredApproval> {
  const row = await db
    .insertInto('baton_approvals')
    .values(newApprovalRow(approval, Date.now()))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row !== undefined) return toStoredApproval(row);
  const existing = await getApproval(db, approval.id);
  if (existing === undefined || existing.runId !== approval.runId || existing.stepKey !== approval.stepKey) {
    throw new DuplicateApprovalError(approval.id, existing?.runId ?? null, existing?.stepKey ?? null);
  }
  return existing;
}

export async function getApproval(db: Kysely<BatonDatabase>, id: string): Promise<StoredApproval | undefined> {
  const row = await db.selectFrom('baton_approvals').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toStoredApproval(row);
}

export async function listApprovals(
  db: Kysely<BatonDatabase>,
  filter: { runId?: string; status?: ApprovalStatus },
): Promise<StoredApproval[]> {
  let query = db.selectFrom('baton_approvals').selectAll().orderBy('created_at').orderBy('id');
  if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return (await query.execute()).map(toStoredApproval);
}
