/** What the API shows of a webhook and of one delivery, built from their rows (times as ISO strings). */
import type { WebhookDeliveriesTable, WebhooksTable } from '../db/server-tables.js';

export interface WebhookView {
  id: string;
  url: string;
  /** The event types (or `prefix.*` patterns) it receives; null for every event. */
  events: string[] | null;
  createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryView {
  /** Also the `webhook-id` header the receiver saw. */
  id: string;
  eventType: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
}

export function webhookView(row: WebhooksTable): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events === null ? null : (JSON.parse(row.events) as string[]),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function deliveryView(row: WebhookDeliveriesTable): DeliveryView {
  const status = row.status as DeliveryStatus;
  return {
    id: row.id,
    eventType: row.event_type,
    status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: new Date(row.created_at).toISOString(),
    deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at).toISOString(),
    nextAttemptAt: status === 'pending' ? new Date(row.next_attempt_at).toISOString() : null,
  };
}
