/** What the routes work with: one object per concept, built once by `createBatonServer`. */
import type { Engine, RunStore } from '@baton/core';
import type { AdminToken } from '../auth/admin-token.js';
import type { ApiKeys } from '../auth/api-keys.js';
import type { ServerMetrics } from '../observability/server-metrics.js';
import type { Orchestrations } from '../orchestrations/orchestrations.js';
import type { RunEventsHub } from '../orchestrations/run-events-hub.js';
import type { Projects } from '../projects/projects.js';
import type { ServiceCatalog } from '../services/service-catalog.js';
import type { SocketGateway } from '../socket/socket-gateway.js';
import type { TaskDispatcher } from '../socket/task-dispatcher.js';

export interface ServerServices {
  admin: AdminToken;
  apiKeys: ApiKeys;
  projects: Projects;
  catalog: ServiceCatalog;
  dispatcher: TaskDispatcher;
  gateway: SocketGateway;
  orchestrations: Orchestrations;
  hub: RunEventsHub;
  webhooks: WebhooksPort;
  engine: Engine;
  store: RunStore;
  metrics: ServerMetrics;
  /** Store and database reachable, migrations applied. */
  ready(): Promise<{ ok: boolean; checks: Record<string, string> }>;
}

/** The webhooks subsystem as the routes use it. */
export interface WebhooksPort {
  register(projectId: string, input: { url: string; events?: string[] | undefined }): Promise<{ webhook: WebhookView; secret: string }>;
  list(projectId: string): Promise<WebhookView[]>;
  get(projectId: string, id: string): Promise<WebhookView | undefined>;
  remove(projectId: string, id: string): Promise<boolean>;
  deliveries(
    projectId: string,
    webhookId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: DeliveryView[]; nextCursor: string | null }>;
  enqueue(
    projectId: string,
    event: { id: string; type: string; timestamp: number; data: unknown },
    only?: { webhookIds?: string[] },
  ): Promise<number>;
  start(): void;
  close(): Promise<void>;
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[] | null;
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}
