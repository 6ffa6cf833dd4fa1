/**
 * The run-row queries every run makes — its row inserted when it starts, finished when it ends, read back when
 * someone looks — compiled once per store (`queryTemplate`) instead of built and compiled by Kysely each time.
 */
import type { Kysely } from 'kysely';
import type { BatonDatabase, RunsTable } from './database-schema.js';
import { queryTemplate } from './query-template.js';
import { finishRunQuery, insertRunQuery, type RunFinish } from './run-queries.js';

/** The finishing columns, the run, and the owner that must still hold it (`holder`: `owner` is a column, set to null). */
export type RunFinishValues = RunFinish & { runId: string; holder: string };

type HeadColumns = Pick<RunsTable, 'last_seq' | 'last_hash'>;

export type RunQueryTemplates = ReturnType<typeof runQueryTemplates>;

export function runQueryTemplates(db: Kysely<BatonDatabase>) {
  return {
    /** `insertRunQuery`: the new row, `returning *`; nothing when the id or the idempotency key is taken. */
    insertRun: queryTemplate((row: RunsTable) => insertRunQuery(db, row)),
    /** `finishRunQuery`: ends the run if `holder` still holds it, its head read from the journal; `returning *`. */
    finishRun: queryTemplate(({ runId, holder, ...finish }: RunFinishValues) =>
      finishRunQuery(db, runId, holder, finish),
    ),
    /** Ends the run with its new head if `holder` still holds it and its head is still `expectedSeq`; `returning *`. */
    finishRunAtHead: queryTemplate(
      ({ runId, holder, expectedSeq, ...finish }: RunFinishValues & HeadColumns & { expectedSeq: number }) =>
        db
          .updateTable('baton_runs')
          .set(finish)
          .where('id', '=', runId)
          .where('owner', '=', holder)
          .where('last_seq', '=', expectedSeq)
          .returningAll(),
    ),
    runById: queryTemplate(({ id }: { id: string }) => db.selectFrom('baton_runs').selectAll().where('id', '=', id)),
  };
}
