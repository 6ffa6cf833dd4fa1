/** What the routes work with: one object per concept, built once by `createBatonServer`. */
import type { Engine, RunStore } from '@baton/core';
import type { AdminToken } from '../../auth/admin-token.js';
import type { ApiKeys } from '../../auth/api-keys.js';
import type { KeyHolds } from '../../auth/key-holds.js';
import type { ServerMetrics } from '../../observability/server-metrics.js';
import type { Orchestrations } from '../../orchestrations/orchestrations.js';
import type { ProjectDecisions } from '../../orchestrations/project-decisions.js';
import type { RunEventsHub } from '../../orchestrations/run-events-hub.js';
import type { PlanTemplates } from '../../planning/plan-templates.js';
import type { Projects } from '../../projects/projects.js';
import type { InstancePresence } from '../../services/instance-presence.js';
import type { ServiceCatalog } from '../../services/service-catalog.js';
import type { SocketGateway } from '../../socket/socket-gateway.js';
import type { TaskDispatcher } from '../../socket/task-dispatcher.js';
import type { Webhooks } from '../../webhooks/index.js';

export interface ServerServices {
  admin: AdminToken;
  apiKeys: ApiKeys;
  projects: Projects;
  catalog: ServiceCatalog;
  dispatcher: TaskDispatcher;
  /** PostgreSQL: the instances connected to the other replicas. */
  presence: InstancePresence | undefined;
  /** How often a held GET or an event stream looks again at a run it hears nothing of. */
  orchestrationPollMs: number;
  /**
   * Aborted when the server starts closing: a held GET answers with the orchestration as it stands, and an event
   * stream ends, so their clients ask again (the SDK and the CLI do) instead of losing the connection mid-answer.
   */
  closing: AbortSignal;
  gateway: SocketGateway;
  /** Event streams and held answers by the key they were made with: revoking it ends them. */
  keyHolds: KeyHolds;
  orchestrations: Orchestrations;
  /** Approvals and failed compensations, each project's own. */
  decisions: ProjectDecisions;
  planTemplates: PlanTemplates;
  hub: RunEventsHub;
  webhooks: Webhooks;
  engine: Engine;
  store: RunStore;
  metrics: ServerMetrics;
  /** Store and database reachable, migrations applied. */
  ready(): Promise<{ ok: boolean; checks: Record<string, string> }>;
}
