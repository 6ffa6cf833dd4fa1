/**
 * The server's webhooks: registration (URL checked against the SSRF guard, secret derived from the master key and
 * shown once), the delivery log, and the outbox with its delivery worker. Events are enqueued by the server
 * (`enqueue`) and sent to every matching webhook of the project, signed the Standard Webhooks way, retried with
 * backoff across restarts.
 */
import { randomBytes } from 'node:crypto';
import { describeValue, type Problem, ValidationError } from '@baton/core';
import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/server-tables.js';
import { createDeliveryWorker, type DeliveryOutcome, type WebhookLogger } from './delivery-worker.js';
import { isEventType, validateEventFilter } from './event-filter.js';
import { checkWebhookUrl, type HostLookup } from './ssrf-guard.js';
import { deriveWebhookSecret, requireMasterKey } from './webhook-secret.js';
import { createWebhookStore, type EnqueueScope } from './webhook-store.js';
import type { DeliveryView, WebhookView } from './webhook-views.js';

/** 5 s, 30 s, 2 min, 10 min, 30 min, 2 h, 6 h: eight attempts over about nine hours. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  5_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000, 21_600_000,
];
export const MAX_DELIVERY_PAGE = 100;

export interface WebhooksOptions {
  db: Kysely<ServerTables>;
  dialect: 'sqlite' | 'postgres';
  /** At least 32 random bytes, kept outside the database: every webhook's secret is derived from it. */
  masterKey: Uint8Array;
  /** Let webhooks reach private, loopback and link-local addresses (BATON_WEBHOOK_ALLOW_PRIVATE=1; development). */
  allowPrivate: boolean;
  /** This replica's name in delivery leases. */
  workerId: string;
  /** @default DEFAULT_RETRY_DELAYS_MS */
  retryDelaysMs?: number[];
  /** How often the worker looks for deliveries it was not woken for. @default 1000 */
  pollIntervalMs?: number;
  /** Deadline of one delivery request. @default 10000 */
  timeoutMs?: number;
  /** Deliveries sent at once. @default 8 */
  concurrency?: number;
  /** @default dns.promises.lookup with `all: true` */
  lookup?: HostLookup;
  onDelivery?: (outcome: DeliveryOutcome) => void;
  logger?: WebhookLogger;
  /** The event types there are: a filter that matches none of them is refused. Any, when absent. */
  eventTypes?: readonly string[];
}

export interface WebhookEvent {
  /** Unique per event: a repeat of the same id is not delivered twice. */
  id: string;
  /** Such as `orchestration.completed`. */
  type: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  data: unknown;
}

export interface Webhooks {
  /** Checks the URL and stores the webhook; the secret is returned here only. */
  register(
    projectId: string,
    input: { url: string; events?: string[] },
  ): Promise<{ webhook: WebhookView; secret: string }>;
  list(projectId: string): Promise<WebhookView[]>;
  /** Undefined for an unknown or removed id, or one of another project. */
  get(projectId: string, id: string): Promise<WebhookView | undefined>;
  /** False when the project has no such webhook; its pending deliveries fail. */
  remove(projectId: string, id: string): Promise<boolean>;
  /** The webhook's deliveries, newest first; empty for another project's webhook. */
  deliveries(
    projectId: string,
    webhookId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: DeliveryView[]; nextCursor: string | null }>;
  /** Queues the event for every matching webhook of the project (or only those listed); returns how many. */
  enqueue(projectId: string, event: WebhookEvent, only?: EnqueueScope): Promise<number>;
  start(): void;
  close(): Promise<void>;
}

function invalid(summary: string, path: string, message: string): ValidationError {
  return new ValidationError(summary, [{ path, code: 'invalid', message }]);
}

function checkOptions(options: WebhooksOptions): void {
  requireMasterKey(options.masterKey);
  const problems: Problem[] = [];
  const positive = (path: string, value: number | undefined, integer: boolean) => {
    if (value === undefined) return;
    if (!(Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value)))) {
      problems.push({
        path,
        code: 'range',
        message: `must be a positive ${integer ? 'integer' : 'number'}; got ${describeValue(value)}`,
      });
    }
  };
  positive('pollIntervalMs', options.pollIntervalMs, false);
  positive('timeoutMs', options.timeoutMs, false);
  positive('concurrency', options.concurrency, true);
  const delays = options.retryDelaysMs;
  if (delays !== undefined && !(Array.isArray(delays) && delays.every((d) => Number.isFinite(d) && d >= 0))) {
    problems.push({
      path: 'retryDelaysMs',
      code: 'range',
      message: `must be a list of delays ≥ 0 ms; got ${describeValue(delays)}`,
    });
  }
  if (typeof options.workerId !== 'string' || options.workerId === '') {
    problems.push({
      path: 'workerId',
      code: 'required',
      message: `must be a non-empty string; got ${describeValue(options.workerId)}`,
    });
  }
  if (problems.length > 0) throw new ValidationError('createWebhooks: bad options', problems);
}

function eventPayload(event: WebhookEvent): string {
  if (typeof event.id !== 'string' || event.id === '' || event.id.length > 200) {
    throw invalid(
      'webhooks.enqueue: bad event',
      'id',
      `must be a string of 1 to 200 characters; got ${describeValue(event.id)}`,
    );
  }
  if (!isEventType(event.type)) {
    throw invalid(
      'webhooks.enqueue: bad event',
      'type',
      `must be an event type such as "orchestration.completed"; got ${describeValue(event.type)}`,
    );
  }
  if (!Number.isFinite(event.timestamp)) {
    throw invalid(
      'webhooks.enqueue: bad event',
      'timestamp',
      `must be milliseconds since the epoch; got ${describeValue(event.timestamp)}`,
    );
  }
  try {
    return JSON.stringify({
      type: event.type,
      timestamp: new Date(event.timestamp).toISOString(),
      data: event.data ?? null,
    });
  } catch (error) {
    throw invalid('webhooks.enqueue: bad event', 'data', `must be JSON-serializable: ${(error as Error).message}`);
  }
}

/**
 * @example
 * const webhooks = createWebhooks({ db, dialect: 'sqlite', masterKey, allowPrivate: false, workerId: 'replica-1' });
 * webhooks.start();
 * const { webhook, secret } = await webhooks.register('proj_1', { url: 'https://hooks.example.com/baton' });
 * await webhooks.enqueue('proj_1', { id: 'evt_1', type: 'orchestration.completed', timestamp: Date.now(), data: {} });
 * await webhooks.close();
 */
export function createWebhooks(options: WebhooksOptions): Webhooks {
  checkOptions(options);
  const { masterKey, allowPrivate, lookup } = options;
  const store = createWebhookStore(options.db, options.dialect);
  const worker = createDeliveryWorker({
    store,
    workerId: options.workerId,
    masterKey,
    allowPrivate,
    lookup,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    timeoutMs: options.timeoutMs ?? 10_000,
    concurrency: options.concurrency ?? 8,
    onDelivery: options.onDelivery,
    logger: options.logger,
  });

  return {
    async register(projectId, input) {
      if (typeof input?.url !== 'string') {
        throw invalid('webhooks.register: bad url', 'url', `must be an http(s) URL; got ${describeValue(input?.url)}`);
      }
      const events = validateEventFilter(input.events, options.eventTypes);
      const { url } = await checkWebhookUrl(input.url, { allowPrivate, lookup });
      const id = `wh_${randomBytes(12).toString('hex')}`;
      const createdAt = Date.now();
      await store.insertWebhook({ id, projectId, url: url.href, events, createdAt });
      const webhook = { id, url: url.href, events, createdAt: new Date(createdAt).toISOString() };
      return { webhook, secret: deriveWebhookSecret(masterKey, id) };
    },
    list: (projectId) => store.listWebhooks(projectId),
    get: (projectId, id) => store.getWebhook(projectId, id),
    remove: (projectId, id) => store.removeWebhook(projectId, id, Date.now()),
    async deliveries(projectId, webhookId, page) {
      if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_DELIVERY_PAGE) {
        throw invalid(
          'webhooks.deliveries: bad limit',
          'limit',
          `must be an integer from 1 to ${MAX_DELIVERY_PAGE}; got ${describeValue(page.limit)}`,
        );
      }
      return store.listDeliveries(projectId, webhookId, page);
    },
    async enqueue(projectId, event, only) {
      const payload = eventPayload(event);
      const added = await store.enqueue(projectId, { id: event.id, type: event.type, payload }, Date.now(), only);
      if (added > 0) worker.wake();
      return added;
    },
    start: () => worker.start(),
    close: () => worker.close(),
  };
}
