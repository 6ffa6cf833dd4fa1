/**
 * The webhooks' rows and their outbox, on SQLite or PostgreSQL through Kysely. A delivery row is both the job (due
 * at `next_attempt_at`, leased by one worker through `locked_by`/`locked_until`) and its log entry. Claiming is one
 * `UPDATE … WHERE id IN (SELECT …)` statement — with `FOR UPDATE SKIP LOCKED` on PostgreSQL so replicas never wait
 * on each other; SQLite has a single writer, so the statement alone is atomic.
 */
import { createHash } from 'node:crypto';
import { queryTemplate } from '@baton/core';
import type { Kysely } from 'kysely';
import { decodeKeysetCursor, keysetPage, olderThan } from '../db/keyset-cursor.js';
import type { ServerTables } from '../db/server-tables.js';
import { matchesEvent } from './event-filter.js';
import { type DeliveryView, deliveryView, type WebhookView, webhookView } from './webhook-views.js';

/** Stored error texts are cut to this many characters. */
export const MAX_ERROR_LENGTH = 500;

export interface NewWebhook {
  id: string;
  projectId: string;
  url: string;
  events: string[] | null;
  createdAt: number;
}

export interface StoredWebhook extends WebhookView {
  projectId: string;
  deleted: boolean;
}

export interface OutboxEvent {
  /** The caller's event id: with the webhook id, it makes the delivery id, so a repeat is ignored. */
  id: string;
  type: string;
  /** The JSON body to send. */
  payload: string;
}

export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  projectId: string;
  eventType: string;
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
}

export type AttemptResult =
  | { result: 'delivered'; statusCode: number }
  | { result: 'retry'; nextAttemptAt: number; statusCode?: number; error: string }
  | { result: 'failed'; statusCode?: number; error: string };

export interface DeliveryPage {
  items: DeliveryView[];
  nextCursor: string | null;
}

/** A project's live webhook as the outbox needs it: its id and the event types it takes (JSON, null for all). */
export interface LiveWebhook {
  id: string;
  events: string | null;
}

/** Which webhooks an event goes to: the given ids among the live ones, or the live ones already read. */
export interface EnqueueScope {
  webhookIds?: string[];
  live?: readonly LiveWebhook[];
}

export interface WebhookStore {
  insertWebhook(webhook: NewWebhook): Promise<void>;
  listWebhooks(projectId: string): Promise<WebhookView[]>;
  getWebhook(projectId: string, id: string): Promise<WebhookView | undefined>;
  /** Any project's webhook, removed ones included (for the worker). */
  findWebhook(id: string): Promise<StoredWebhook | undefined>;
  /** Marks the webhook removed and fails its pending deliveries; false when the project has no such webhook. */
  removeWebhook(projectId: string, id: string, now: number): Promise<boolean>;
  /** Adds a delivery for every matching webhook of the project; returns how many were new. */
  /**
   * Queues the event for the project's live webhooks that take its type: all of them, those in `webhookIds`, or the
   * `live` ones the caller read already (with the statement that ended the orchestration).
   */
  enqueue(projectId: string, event: OutboxEvent, now: number, only?: EnqueueScope): Promise<number>;
  /** Leases up to `limit` due deliveries to `workerId` until `now + leaseMs`. */
  claimDue(workerId: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /** Records the outcome of an attempt; false when the lease was lost to another worker meanwhile. */
  recordAttempt(id: string, workerId: string, now: number, outcome: AttemptResult): Promise<boolean>;
  listDeliveries(
    projectId: string,
    webhookId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<DeliveryPage>;
}

/** `msg_` and 32 hex digits of SHA-256 over the event and webhook ids: the same pair always gives the same id. */
export function deliveryId(eventId: string, webhookId: string): string {
  return `msg_${createHash('sha256').update(`${eventId}\n${webhookId}`).digest('hex').slice(0, 32)}`;
}

function clip(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}

/**
 * @example
 * const store = createWebhookStore(db, 'sqlite');
 * await store.enqueue('proj_1', { id: 'evt_1', type: 'orchestration.completed', payload: '{…}' }, Date.now());
 */
export function createWebhookStore(db: Kysely<ServerTables>, dialect: 'sqlite' | 'postgres'): WebhookStore {
  const webhooks = () => db.selectFrom('baton_server_webhooks').selectAll();
  // Read for every orchestration that ends: compiled once.
  const liveWebhooks = queryTemplate(({ projectId }: { projectId: string }) =>
    webhooks().where('project_id', '=', projectId).where('deleted_at', 'is', null),
  );

  return {
    async insertWebhook(webhook) {
      await db
        .insertInto('baton_server_webhooks')
        .values({
          id: webhook.id,
          project_id: webhook.projectId,
          url: webhook.url,
          events: webhook.events === null ? null : JSON.stringify(webhook.events),
          created_at: webhook.createdAt,
          deleted_at: null,
        })
        .execute();
    },

    async listWebhooks(projectId) {
      const rows = await webhooks()
        .where('project_id', '=', projectId)
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(webhookView);
    },

    async getWebhook(projectId, id) {
      const row = await webhooks()
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row === undefined ? undefined : webhookView(row);
    },

    async findWebhook(id) {
      const row = await webhooks().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return undefined;
      return { ...webhookView(row), projectId: row.project_id, deleted: row.deleted_at !== null };
    },

    async removeWebhook(projectId, id, now) {
      return db.transaction().execute(async (trx) => {
        const removed = await trx
          .updateTable('baton_server_webhooks')
          .set({ deleted_at: now })
          .where('id', '=', id)
          .where('project_id', '=', projectId)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (removed.numUpdatedRows === 0n) return false;
        await trx
          .updateTable('baton_server_webhook_deliveries')
          .set({ status: 'failed', last_error: 'webhook removed', updated_at: now })
          .where('webhook_id', '=', id)
          .where('status', '=', 'pending')
          .execute();
        return true;
      });
    },

    async enqueue(projectId, event, now, only) {
      if (only?.webhookIds?.length === 0) return 0;
      const live =
        only?.webhookIds === undefined
          ? (only?.live ?? (await db.executeQuery(liveWebhooks({ projectId }))).rows)
          : await webhooks()
              .where('project_id', '=', projectId)
              .where('deleted_at', 'is', null)
              .where('id', 'in', only.webhookIds)
              .execute();
      const targets = live.filter((row) =>
        matchesEvent(row.events === null ? null : (JSON.parse(row.events) as string[]), event.type),
      );
      if (targets.length === 0) return 0;
      const inserted = await db
        .insertInto('baton_server_webhook_deliveries')
        .values(
          targets.map((row) => ({
            id: deliveryId(event.id, row.id),
            webhook_id: row.id,
            project_id: projectId,
            event_type: event.type,
            payload: event.payload,
            status: 'pending',
            attempts: 0,
            next_attempt_at: now,
            locked_by: null,
            locked_until: null,
            last_status_code: null,
            last_error: null,
            created_at: now,
            updated_at: now,
            delivered_at: null,
          })),
        )
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .execute();
      return inserted.length;
    },

    async claimDue(workerId, now, leaseMs, limit) {
      const table = 'baton_server_webhook_deliveries' as const;
      const lease = { locked_by: workerId, locked_until: now + leaseMs, updated_at: now };
      const returned = ['id', 'webhook_id', 'project_id', 'event_type', 'payload', 'attempts'] as const;
      const due = (from: typeof db) =>
        from
          .selectFrom(table)
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
          .orderBy('next_attempt_at')
          .limit(limit);
      // PostgreSQL may run an `IN (SELECT … LIMIT n)` subquery once per row and lease far more than `limit` rows;
      // a materialized CTE runs once.
      const rows =
        dialect === 'postgres'
          ? await db
              .with(
                (cte) => cte('due').materialized(),
                () => due(db).forUpdate().skipLocked(),
              )
              .updateTable(table)
              .set(lease)
              .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
              .returning(returned)
              .execute()
          : await db
              .updateTable(table)
              .set(lease)
              .where('id', 'in', due(db))
              .where('status', '=', 'pending')
              .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
              .returning(returned)
              .execute();
      return rows.map((row) => ({
        id: row.id,
        webhookId: row.webhook_id,
        projectId: row.project_id,
        eventType: row.event_type,
        payload: row.payload,
        attempts: row.attempts,
      }));
    },

    async recordAttempt(id, workerId, now, outcome) {
      const result = await db
        .updateTable('baton_server_webhook_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          status: outcome.result === 'retry' ? 'pending' : outcome.result,
          next_attempt_at: outcome.result === 'retry' ? outcome.nextAttemptAt : now,
          locked_by: null,
          locked_until: null,
          last_status_code: outcome.statusCode ?? null,
          last_error: outcome.result === 'delivered' ? null : clip(outcome.error),
          updated_at: now,
          delivered_at: outcome.result === 'delivered' ? now : null,
        }))
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async listDeliveries(projectId, webhookId, page) {
      let query = db
        .selectFrom('baton_server_webhook_deliveries')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('webhook_id', '=', webhookId);
      if (page.cursor !== undefined) query = query.where(olderThan(decodeKeysetCursor(page.cursor)));
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      return keysetPage(rows, page.limit, deliveryView);
    },
  };
}
