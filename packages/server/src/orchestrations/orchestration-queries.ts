/**
 * The orchestration-row queries of every orchestration — stored when it is submitted, read on every poll, finished
 * when its run ends — compiled once per server (`queryTemplate` from `@baton/core`) instead of built by Kysely each
 * time.
 */
import { queryTemplate } from '@baton/core';
import { type Kysely, sql } from 'kysely';
import type { OrchestrationsTable, ServerTables } from '../db/server-tables.js';
import type { LiveWebhook } from '../webhooks/webhook-store.js';

export interface OrchestrationFinish {
  status: string;
  updated_at: number;
  finished_at: number;
  /** Why it failed, JSON, kept on the row when the store has no run to ask; the row's own is left alone if unset. */
  error?: string;
  /** The orchestration and the run that ended; a retry's newer run is not ended by an older one. */
  id: string;
  runId: string;
  /** Only if the row still has this status: ending a planning orchestration races with its run starting. */
  onlyFrom?: string;
}

export type OrchestrationQueries = ReturnType<typeof orchestrationQueries>;

export function orchestrationQueries(db: Kysely<ServerTables>) {
  const finishing = ({ id, runId, onlyFrom, ...columns }: OrchestrationFinish) => {
    const fenced = db
      .updateTable('baton_server_orchestrations')
      .set(columns)
      .where('id', '=', id)
      .where('run_id', '=', runId);
    return onlyFrom === undefined ? fenced : fenced.where('status', '=', onlyFrom);
  };
  return {
    /** A new orchestration; nothing when its project already has one under the same idempotency key. */
    insert: queryTemplate((row: OrchestrationsTable) =>
      db
        .insertInto('baton_server_orchestrations')
        .values(row)
        .onConflict((conflict) => conflict.columns(['project_id', 'idempotency_key']).doNothing()),
    ),
    /** One project's orchestration by id (nothing for another project's). */
    byId: queryTemplate(({ id, projectId }: { id: string; projectId: string }) =>
      db.selectFrom('baton_server_orchestrations').selectAll().where('id', '=', id).where('project_id', '=', projectId),
    ),
    /**
     * An orchestration's end on SQLite: its row finished, reading in the same statement the project's live webhooks
     * (the end's event goes to them), as `finishAndNotify` does on PostgreSQL; a row (with `webhooks`, a JSON array)
     * when the orchestration was finished.
     */
    finishReadingWebhooks: queryTemplate((finish: OrchestrationFinish) =>
      finishing(finish).returning(
        sql<string>`(select json_group_array(json_object('id', w.id, 'events', w.events))
          from baton_server_webhooks as w
          where w.project_id = baton_server_orchestrations.project_id and w.deleted_at is null)`.as('webhooks'),
      ),
    ),
    /**
     * An orchestration's end on PostgreSQL: its row finished and the run's end announced on `channel` (`NOTIFY`) in
     * the same statement, which also reads the project's live webhooks (the end's event goes to them), so that takes
     * no statement of its own.
     */
    finishAndNotify: queryTemplate(({ channel, ...finish }: OrchestrationFinish & { channel: string }) =>
      db
        .with('ended', () => finishing(finish).returning(['run_id', 'project_id']))
        .selectFrom('ended')
        .select(sql<string>`pg_notify(${channel}, ended.run_id)`.as('notified'))
        .select(
          sql<LiveWebhook[]>`(select coalesce(json_agg(json_build_object('id', w.id, 'events', w.events)), '[]'::json)
            from baton_server_webhooks as w where w.project_id = ended.project_id and w.deleted_at is null)`.as(
            'webhooks',
          ),
        ),
    ),
  };
}
