/**
 * On PostgreSQL, the orchestration rows of many requests are written one statement for all (`WriteBatcher` from
 * `@baton/core`): the new rows of a turn in one insert, and the ends of a turn in one update that also announces each
 * (`NOTIFY`) and reads each project's live webhooks, as `finishAndNotify` does for one. SQLite needs none of this: its
 * group commit already puts the writes of a turn in one transaction.
 *
 * @example
 * const writes = new BatchedOrchestrationWrites(db, CHANNEL_RUN_ENDED);
 * const stored = await writes.insert(row);
 */
import { WriteBatcher } from '@baton/core';
import { CompiledQuery, type Kysely } from 'kysely';
import type { OrchestrationsTable, ServerTables } from '../db/server-tables.js';
import type { LiveWebhook } from '../webhooks/webhook-store.js';
import { type OrchestrationFinish, orchestrationQueries } from './orchestration-queries.js';

/** An end as the batch writes it: the common one, with no error of its own to keep and no status to start from. */
export type PlainFinish = Omit<OrchestrationFinish, 'error' | 'onlyFrom'>;

export interface FinishOutcome {
  updated: boolean;
  /** The project's live webhooks, read in the same statement; undefined when nothing was updated. */
  webhooks: readonly LiveWebhook[] | undefined;
}

const ROW_COLUMNS: readonly [keyof OrchestrationsTable, string][] = [
  ['id', 'text'],
  ['project_id', 'text'],
  ['action', 'text'],
  ['run_id', 'text'],
  ['plan', 'text'],
  ['status', 'text'],
  ['idempotency_key', 'text'],
  ['webhook_id', 'text'],
  ['retries', 'integer'],
  ['created_at', 'bigint'],
  ['updated_at', 'bigint'],
  ['finished_at', 'bigint'],
  ['error', 'text'],
  ['planning', 'text'],
  ['request', 'text'],
  ['request_digest', 'text'],
];

const arrays = (columns: readonly (readonly [string, string])[], first = 1) =>
  columns.map(([, type], at) => `$${first + at}::${type}[]`).join(', ');

/** One array per column, one element per item. */
const columnArrays = <T>(items: readonly T[], columns: readonly (readonly [keyof T & string, string])[]) =>
  columns.map(([column]) => items.map((item) => item[column]));

const INSERT_MANY = `INSERT INTO baton_server_orchestrations (${ROW_COLUMNS.map(([column]) => column).join(', ')})
SELECT * FROM unnest(${arrays(ROW_COLUMNS)})
ON CONFLICT (project_id, idempotency_key) DO NOTHING
RETURNING id`;

const FINISH_COLUMNS: readonly [keyof PlainFinish & string, string][] = [
  ['id', 'text'],
  ['runId', 'text'],
  ['status', 'text'],
  ['updated_at', 'bigint'],
  ['finished_at', 'bigint'],
];

/** Rows locked in id order before any is changed, so two such statements never wait for each other in a cycle. */
const FINISH_MANY = `WITH ending AS (
  SELECT * FROM unnest(${arrays(FINISH_COLUMNS)}) AS ending (id, run_id, status, updated_at, finished_at)
), locked AS MATERIALIZED (
  SELECT orc.id FROM baton_server_orchestrations orc JOIN ending ON orc.id = ending.id AND orc.run_id = ending.run_id
  ORDER BY orc.id FOR UPDATE OF orc
), ended AS (
  UPDATE baton_server_orchestrations orc
  SET status = ending.status, updated_at = ending.updated_at, finished_at = ending.finished_at
  FROM ending WHERE orc.id = ending.id AND orc.run_id = ending.run_id AND orc.id IN (SELECT id FROM locked)
  RETURNING orc.id, orc.run_id, orc.project_id
)
SELECT ended.id, pg_notify($${FINISH_COLUMNS.length + 1}, ended.run_id) AS notified,
  (SELECT coalesce(json_agg(json_build_object('id', w.id, 'events', w.events)), '[]'::json)
    FROM baton_server_webhooks AS w WHERE w.project_id = ended.project_id AND w.deleted_at IS NULL) AS webhooks
FROM ended`;

export class BatchedOrchestrationWrites {
  readonly #inserts: WriteBatcher<OrchestrationsTable, boolean>;
  readonly #finishes: WriteBatcher<PlainFinish, FinishOutcome>;

  constructor(db: Kysely<ServerTables>, channel: string) {
    const queries = orchestrationQueries(db);
    this.#inserts = new WriteBatcher({
      send: async (rows) => {
        const values = columnArrays(rows, ROW_COLUMNS);
        const inserted = await db.executeQuery<{ id: string }>(CompiledQuery.raw(INSERT_MANY, values));
        const ids = new Set(inserted.rows.map((row) => row.id));
        return rows.map((row) => ids.has(row.id));
      },
      sendOne: async (row) => Number((await db.executeQuery(queries.insert(row))).numAffectedRows ?? 0n) > 0,
    });
    this.#finishes = new WriteBatcher({
      send: async (finishes) => {
        const values = [...columnArrays(finishes, FINISH_COLUMNS), channel];
        const ended = await db.executeQuery<{ id: string; webhooks: LiveWebhook[] }>(
          CompiledQuery.raw(FINISH_MANY, values),
        );
        const byId = new Map(ended.rows.map((row) => [row.id, row.webhooks]));
        return finishes.map((finish) => ({ updated: byId.has(finish.id), webhooks: byId.get(finish.id) }));
      },
      sendOne: async (finish) => {
        const rows = (await db.executeQuery(queries.finishAndNotify({ ...finish, channel }))).rows;
        return { updated: rows.length > 0, webhooks: rows[0]?.webhooks };
      },
    });
  }

  /** Stores a new orchestration; false when its project already has one under the same idempotency key. */
  insert(row: OrchestrationsTable): Promise<boolean> {
    return this.#inserts.write(row);
  }

  finish(finish: PlainFinish): Promise<FinishOutcome> {
    return this.#finishes.write(finish);
  }
}
