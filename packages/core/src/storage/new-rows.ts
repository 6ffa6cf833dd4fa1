/**
 * The rows a new run, approval and failed compensation start as, the same for every store: the Kysely store inserts
 * them and the memory store keeps them.
 */
import { randomUUID } from 'node:crypto';
import type { ApprovalsTable, FailedCompensationsTable, RunsTable } from './database-schema.js';
import { EMPTY_HEAD } from './journal-chain.js';
import { toJsonText } from './row-mapping.js';
import type { FailedCompensation, NewRun, StoredApproval } from './run-store.js';

/** A run as its first owner starts it: running, leased for `leaseMs`, its journal empty. */
export function newRunRow(run: NewRun, now: number): RunsTable {
  return {
    id: run.id,
    status: 'running',
    plan: toJsonText(run.plan) ?? 'null',
    request: toJsonText(run.request),
    options: toJsonText(run.options),
    output: null,
    error: null,
    owner: run.owner,
    lease_expires_at: now + run.leaseMs,
    wake_at: null,
    wake_requested: 0,
    idempotency_key: run.idempotencyKey ?? null,
    cancel_requested: null,
    last_seq: EMPTY_HEAD.seq,
    last_hash: EMPTY_HEAD.hash,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
}

/** A pending approval. */
export function newApprovalRow(
  approval: Omit<StoredApproval, 'status' | 'decision' | 'decidedAt' | 'createdAt'>,
  now: number,
): ApprovalsTable {
  return {
    id: approval.id,
    run_id: approval.runId,
    step_key: approval.stepKey,
    prompt: approval.prompt,
    data: toJsonText(approval.data),
    status: 'pending',
    decision: null,
    expires_at: approval.expiresAt,
    created_at: now,
    decided_at: null,
  };
}

/** An open failed compensation, under a new id. */
export function newCompensationRow(
  entry: Omit<FailedCompensation, 'id' | 'status' | 'reason' | 'createdAt' | 'updatedAt'>,
  now: number,
): FailedCompensationsTable {
  return {
    id: randomUUID(),
    run_id: entry.runId,
    step_key: entry.stepKey,
    target: entry.target,
    error: toJsonText(entry.error),
    status: 'open',
    reason: null,
    created_at: now,
    updated_at: now,
  };
}
