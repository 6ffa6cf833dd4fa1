import { encodeData } from './blob-codec.js';
import { appendMemoryJournal } from './memory-journal.js';
import type { MemoryTables } from './memory-tables.js';
import { newApprovalRow, newCompensationRow } from './new-rows.js';
import { toFailedCompensation, toJsonText, toStoredApproval } from './row-mapping.js';
import type { ApprovalStatus, CompensationStatus, FailedCompensation, StoredApproval } from './run-store.js';
import { DuplicateApprovalError } from './storage-errors.js';

/** Oldest first, ties by id: the order the SQL stores list in. */
function byCreation(a: { created_at: number; id: string }, b: { created_at: number; id: string }): number {
  return a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function createMemoryApproval(
  tables: MemoryTables,
  approval: Omit<StoredApproval, 'status' | 'decision' | 'decidedAt' | 'createdAt'>,
): StoredApproval {
  const existing = tables.approvals.get(approval.id);
  if (existing === undefined) {
    const row = newApprovalRow(approval, Date.now());
    tables.approvals.set(row.id, row);
    return toStoredApproval(row);
  }
  if (existing.run_id !== approval.runId || existing.step_key !== approval.stepKey) {
    throw new DuplicateApprovalError(approval.id, existing.run_id, existing.step_key);
  }
  return toStoredApproval(existing);
}

export function listMemoryApprovals(
  tables: MemoryTables,
  filter: { runId?: string; status?: ApprovalStatus },
): StoredApproval[] {
  return [...tables.approvals.values()]
    .filter((row) => filter.runId === undefined || row.run_id === filter.runId)
    .filter((row) => filter.status === undefined || row.status === filter.status)
    .sort(byCreation)
    .map(toStoredApproval);
}

/**
 * Decides a pending approval; one whose expiry has passed is marked `expired` instead, whatever was asked. Returns
 * its run id, or undefined when it was not pending.
 */
export function decideMemoryApproval(
  tables: MemoryTables,
  id: string,
  status: 'approved' | 'rejected' | 'expired',
  decision: unknown,
  now: number,
): string | undefined {
  const row = tables.approvals.get(id);
  if (row === undefined || row.status !== 'pending') return undefined;
  const lapsed = row.expires_at !== null && row.expires_at <= now;
  const text = toJsonText(decision);
  row.status = lapsed ? 'expired' : status;
  row.decision = lapsed ? null : text;
  row.decided_at = now;
  return row.run_id;
}

export function addMemoryFailedCompensation(
  tables: MemoryTables,
  entry: Omit<FailedCompensation, 'id' | 'status' | 'reason' | 'createdAt' | 'updatedAt'>,
): FailedCompensation {
  for (const row of tables.compensations.values()) {
    // Recorded already, by an earlier life of the run that died before journaling it.
    if (row.run_id === entry.runId && row.step_key === entry.stepKey) return toFailedCompensation(row);
  }
  const now = Date.now();
  const row = newCompensationRow(entry, now);
  tables.compensations.set(row.id, row);
  return toFailedCompensation(row);
}

export function listMemoryFailedCompensations(
  tables: MemoryTables,
  filter: { runId?: string; status?: CompensationStatus },
): FailedCompensation[] {
  return [...tables.compensations.values()]
    .filter((row) => filter.runId === undefined || row.run_id === filter.runId)
    .filter((row) => filter.status === undefined || row.status === filter.status)
    .sort(byCreation)
    .map(toFailedCompensation);
}

/** Closes an open entry and journals it on behalf of whoever holds its run, in one step; false when none is open. */
export function closeMemoryFailedCompensation(
  tables: MemoryTables,
  id: string,
  status: 'resolved' | 'ignored',
  reason: string,
  blobThresholdBytes: number,
): boolean {
  const row = tables.compensations.get(id);
  if (row === undefined || row.status !== 'open') return false;
  const now = Date.now();
  const data = encodeData({ compensationId: id, status, reason }, blobThresholdBytes);
  const entry = { type: 'compensation-close', stepKey: row.step_key, data: data.text, blobs: data.blobs };
  // Unjournaled, the close does not happen: appending first leaves the entry open if it throws.
  appendMemoryJournal(tables, {
    runId: row.run_id,
    owner: tables.runs.get(row.run_id)?.owner ?? null,
    entries: [entry],
    now,
  });
  Object.assign(row, { status, reason, updated_at: now });
  return true;
}
