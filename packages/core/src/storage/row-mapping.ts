/** Converts between table rows and the contract's records: JSON text ↔ values, snake_case ↔ camelCase. */
import type { Selectable } from 'kysely';
import type { ApprovalsTable, FailedCompensationsTable, JournalTable, RunsTable } from './database-schema.js';
import type {
  ApprovalStatus,
  CompensationStatus,
  FailedCompensation,
  JournalEntry,
  StoredApproval,
  StoredRun,
  StoredRunStatus,
} from './run-store.js';

/** JSON text for a column; `undefined` becomes SQL NULL (JSON `null` stays `'null'`). */
export function toJsonText(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value) ?? null;
}

export function fromJsonText(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

export function toStoredRun(row: Selectable<RunsTable>): StoredRun {
  return {
    id: row.id,
    status: row.status as StoredRunStatus,
    plan: fromJsonText(row.plan),
    request: fromJsonText(row.request),
    options: fromJsonText(row.options),
    output: fromJsonText(row.output),
    error: fromJsonText(row.error),
    owner: row.owner,
    leaseExpiresAt: row.lease_expires_at,
    wakeAt: row.wake_at,
    idempotencyKey: row.idempotency_key,
    cancelRequested: row.cancel_requested,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function toJournalEntry(row: Selectable<JournalTable>, data: unknown): JournalEntry {
  return {
    runId: row.run_id,
    seq: row.seq,
    type: row.type,
    stepKey: row.step_key,
    data,
    prevHash: row.prev_hash,
    hash: row.hash,
    createdAt: row.created_at,
  };
}

export function toStoredApproval(row: Selectable<ApprovalsTable>): StoredApproval {
  return {
    id: row.id,
    runId: row.run_id,
    stepKey: row.step_key,
    prompt: row.prompt,
    data: fromJsonText(row.data),
    status: row.status as ApprovalStatus,
    decision: fromJsonText(row.decision),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

export function toFailedCompensation(row: Selectable<FailedCompensationsTable>): FailedCompensation {
  return {
    id: row.id,
    runId: row.run_id,
    stepKey: row.step_key,
    target: row.target,
    error: fromJsonText(row.error),
    status: row.status as CompensationStatus,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
