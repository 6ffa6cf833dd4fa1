/**
 * Queries both dialects share, built with Kysely: what makes a run claimable, claiming it, waking it, requesting
 * its cancel, and deciding an approval. The backends decide how to run them atomically.
 */
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { BatonDatabase, RunsTable } from './database-schema.js';
import { GENESIS_HASH } from './journal-chain.js';

type RunsExpression = ExpressionBuilder<BatonDatabase, 'baton_runs'>;

/** The columns a finished run's row is given (its journal head aside). */
export type RunFinish = Pick<
  RunsTable,
  | 'status'
  | 'output'
  | 'error'
  | 'owner'
  | 'lease_expires_at'
  | 'wake_at'
  | 'wake_requested'
  | 'updated_at'
  | 'finished_at'
>;

/**
 * Ready runs, owned runs whose lease expired, and waiting runs whose wake time has come; with `ownedBy`, also the
 * runs that owner still holds (an engine restarted with the same id takes its own runs back at once).
 */
export function claimable(now: number, ownedBy?: string) {
  // Every claimable run is unfinished: each branch says so, so the planner reads the lease index (which holds only
  // unfinished runs) for it, and the branches stay a union of index searches.
  return (eb: RunsExpression) => {
    const unfinished = eb('finished_at', 'is', null);
    return eb.or([
      eb.and([eb('status', '=', 'ready'), unfinished]),
      eb.and([eb('status', 'in', ['running', 'compensating']), eb('lease_expires_at', '<', now), unfinished]),
      eb.and([eb('status', '=', 'waiting'), eb('wake_at', '<=', now)]),
      ...(ownedBy === undefined
        ? []
        : [eb.and([eb('status', 'in', ['running', 'compensating']), eb('owner', '=', ownedBy), unfinished])]),
    ]);
  };
}

/**
 * `UPDATE … WHERE id IN (SELECT id … LIMIT n) RETURNING *`; with `lockRows` the subquery takes
 * `FOR UPDATE SKIP LOCKED` (PostgreSQL), so concurrent claimers skip each other's rows instead of waiting.
 */
export function claimQuery(
  db: Kysely<BatonDatabase>,
  owner: string,
  leaseMs: number,
  limit: number,
  now: number,
  lockRows: boolean,
  includeOwn = false,
) {
  let candidates = db
    .selectFrom('baton_runs')
    .select('id')
    .where(claimable(now, includeOwn ? owner : undefined))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
  if (lockRows) candidates = candidates.forUpdate().skipLocked();
  return db
    .updateTable('baton_runs')
    .set((eb) => ({
      status: eb
        .case()
        .when('status', '=', 'compensating')
        .then(sql.lit('compensating'))
        .else(sql.lit('running'))
        .end(),
      owner,
      lease_expires_at: now + leaseMs,
      wake_at: null,
      wake_requested: 0,
      updated_at: now,
    }))
    .where('id', 'in', candidates)
    .returningAll();
}

/** The fields that wake a run: a waiting run becomes ready; an owned one is flagged so parking it makes it ready. */
function wakeFields(eb: ExpressionBuilder<BatonDatabase, 'baton_runs'>) {
  return {
    status: eb.case().when('status', '=', 'waiting').then(sql.lit('ready')).else(eb.ref('status')).end(),
    wake_at: eb.case().when('status', '=', 'waiting').then(sql.lit(null)).else(eb.ref('wake_at')).end(),
    wake_requested: eb
      .case()
      .when('status', 'in', ['running', 'compensating'])
      .then(sql.lit(1))
      .else(eb.ref('wake_requested'))
      .end(),
  };
}

const WAKEABLE = ['waiting', 'running', 'compensating'];

/** A waiting run becomes ready; an owned one is flagged so parking it makes it ready instead. */
export function wakeRunQuery(db: Kysely<BatonDatabase>, runId: string, now: number) {
  return db
    .updateTable('baton_runs')
    .set((eb) => ({ ...wakeFields(eb), updated_at: now }))
    .where('id', '=', runId)
    .where('status', 'in', WAKEABLE);
}

/** Records a cancel request (the first reason stays) on an unfinished run and wakes it, in one statement. */
export function requestCancelQuery(db: Kysely<BatonDatabase>, runId: string, reason: string, now: number) {
  return db
    .updateTable('baton_runs')
    .set((eb) => ({
      ...wakeFields(eb),
      cancel_requested: eb.fn.coalesce('cancel_requested', sql.val(reason)),
      updated_at: now,
    }))
    .where('id', '=', runId)
    .where('status', 'in', ['ready', ...WAKEABLE]);
}

/**
 * Decides a pending approval. One whose expiry has passed is marked `expired` instead, whatever was asked, so a late
 * decision never counts; the caller tells the two apart by reading the approval back.
 */
export function decideApprovalQuery(
  db: Kysely<BatonDatabase>,
  id: string,
  status: string,
  decision: string | null,
  now: number,
) {
  const lapsed = sql<boolean>`expires_at is not null and expires_at <= ${now}`;
  return db
    .updateTable('baton_approvals')
    .set({
      status: sql<string>`case when ${lapsed} then 'expired' else ${status} end`,
      decision: sql<string | null>`case when ${lapsed} then null else ${decision} end`,
      decided_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning('run_id');
}

/**
 * The journal's current head, to record on the run row when it parks or finishes. PostgreSQL keeps the row's head
 * current on every append (it is the fence); SQLite, to write one page per append, records it only here.
 */
export function recordedHead() {
  return {
    last_seq: sql<number>`coalesce((SELECT max(seq) FROM baton_journal WHERE run_id = baton_runs.id), -1)`,
    last_hash: sql<string>`coalesce((SELECT hash FROM baton_journal WHERE run_id = baton_runs.id ORDER BY seq DESC LIMIT 1), ${GENESIS_HASH})`,
  };
}

/** A new run's row, `returning *`; nothing on a conflict (the id or the idempotency key is taken). */
export function insertRunQuery(db: Kysely<BatonDatabase>, row: RunsTable) {
  return db
    .insertInto('baton_runs')
    .values(row)
    .onConflict((conflict) => conflict.doNothing())
    .returningAll();
}

/**
 * Ends `runId` with the columns of `finish` if `owner` still holds it, `returning *`; the recorded head is read from
 * the journal.
 */
export function finishRunQuery(db: Kysely<BatonDatabase>, runId: string, owner: string, finish: RunFinish) {
  return db
    .updateTable('baton_runs')
    .set({ ...finish, ...recordedHead() })
    .where('id', '=', runId)
    .where('owner', '=', owner)
    .returningAll();
}
