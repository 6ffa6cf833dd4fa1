/**
 * The server's tables, beside the engine's in the same database (all named `baton_…`, so the engine's check for a
 * foreign database accepts them). Times are milliseconds since the epoch; JSON columns hold text.
 */
import type { Generated } from 'kysely';

export interface ProjectsTable {
  id: string;
  /** Unique on the server (`baton_server_projects_name`). */
  name: string;
  created_at: number;
}

/** One row: the hash of the admin token. */
export interface AdminTokensTable {
  id: string;
  hash: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  project_id: string;
  name: string;
  /** The key's first characters, shown so people can tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ServicesTable {
  id: string;
  project_id: string;
  name: string;
  kind: string;
  description: string;
  /** The server's number for the current schemas (grows by one when they change). */
  revision: number;
  declared_version: string | null;
  input_schema: string | null;
  output_schema: string | null;
  revertible: number;
  effect_free: number;
  /** SHA-256 of the canonical JSON of what makes a revision (description, schemas, flags). */
  fingerprint: string;
  created_at: number;
  updated_at: number;
  /** Set by DELETE /v1/services/:id; a deleted service's name may register again later. */
  deleted_at: number | null;
}

/** Every revision a service has had, so runs keep the revision they resolved. */
export interface ServiceRevisionsTable {
  service_id: string;
  revision: number;
  description: string;
  input_schema: string | null;
  output_schema: string | null;
  revertible: number;
  effect_free: number;
  fingerprint: string;
  created_at: number;
}

export interface OrchestrationsTable {
  id: string;
  project_id: string;
  /** The action in words. */
  action: string;
  /** The run executing it now (a retry starts a new run). */
  run_id: string;
  /** The plan as the caller wrote it (service names, not engine target names), JSON. */
  plan: string;
  status: string;
  idempotency_key: string | null;
  webhook_id: string | null;
  /** How many times it was retried. */
  retries: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** Why it failed when its run never started (so the store has no run to ask), JSON; null otherwise. */
  error: string | null;
  /** How the plan of an action in plain words was chosen (`PlanningDecision`), JSON; null for an explicit plan. */
  planning: string | null;
  /** The request (`{ action, data }`) of an orchestration whose plan is being made, JSON; null once its run holds it. */
  request: string | null;
  /**
   * `sha256:<hex>` of the canonical JSON of the request body, when it came with an `Idempotency-Key`: a repeat of the
   * key with another digest is refused. Null without a key, and for rows stored before digests were kept.
   */
  request_digest: string | null;
}

export interface PlanTemplatesTable {
  id: string;
  project_id: string;
  name: string;
  /** The template as registered (`PlanTemplateDefinition`), JSON. */
  definition: string;
  created_at: number;
}

export interface WebhooksTable {
  id: string;
  project_id: string;
  url: string;
  /** JSON array of event types, or null for every event. */
  events: string | null;
  created_at: number;
  deleted_at: number | null;
}

/** The outbox and the delivery log in one: a row per event and webhook. */
export interface WebhookDeliveriesTable {
  /** Also the `webhook-id` header: the receiver's deduplication key. */
  id: string;
  webhook_id: string;
  project_id: string;
  event_type: string;
  /** The JSON body sent. */
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  /** Lease of the replica delivering it now. */
  locked_by: string | null;
  locked_until: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/** Tasks queued for services connected to another replica (PostgreSQL). */
export interface TasksTable {
  id: string;
  project_id: string;
  service_id: string;
  /** The task message, JSON. */
  payload: string;
  status: string;
  claimed_by: string | null;
  lease_until: number | null;
  /** The outcome message, JSON, once there is one. */
  outcome: string | null;
  created_at: number;
  seq: Generated<number>;
}

/** A replica that writes its instances (PostgreSQL), and when it last did. */
export interface ReplicasTable {
  id: string;
  seen_at: number;
}

/** A service instance connected to a replica, as that replica last wrote it. */
export interface SettingsTable {
  name: string;
  value: string;
}

export interface InstancesTable {
  id: string;
  project_id: string;
  service_id: string;
  replica_id: string;
  status: string;
  connected_at: number;
  last_seen_at: number;
  outstanding: number;
  max_concurrency: number;
  /** The schema revision the instance registered; null in rows written before revisions were recorded. */
  revision: number | null;
}

export interface ServerTables {
  baton_server_projects: ProjectsTable;
  baton_server_admin_tokens: AdminTokensTable;
  baton_server_api_keys: ApiKeysTable;
  baton_server_services: ServicesTable;
  baton_server_service_revisions: ServiceRevisionsTable;
  baton_server_orchestrations: OrchestrationsTable;
  baton_server_webhooks: WebhooksTable;
  baton_server_webhook_deliveries: WebhookDeliveriesTable;
  baton_server_tasks: TasksTable;
  baton_server_replicas: ReplicasTable;
  baton_server_instances: InstancesTable;
  baton_server_plan_templates: PlanTemplatesTable;
  baton_server_settings: SettingsTable;
}
