/**
 * The server's schema migrations, applied by Kysely's `Migrator` after the engine's own (its tables are checked
 * first), tracked in `baton_server_migration`.
 */
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

type Db = Kysely<unknown>;

async function initial(db: Db): Promise<void> {
  const time = 'bigint';
  await db.schema
    .createTable('baton_server_projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('baton_server_admin_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('baton_server_api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_used_at', time)
    .addColumn('revoked_at', time)
    .execute();
  await db.schema
    .createIndex('baton_server_api_keys_project')
    .on('baton_server_api_keys')
    .columns(['project_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('baton_server_services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('declared_version', 'text')
    .addColumn('input_schema', 'text')
    .addColumn('output_schema', 'text')
    .addColumn('revertible', 'integer', (c) => c.notNull())
    .addColumn('effect_free', 'integer', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addColumn('deleted_at', time)
    .execute();
  await db.schema
    .createIndex('baton_server_services_name')
    .on('baton_server_services')
    .columns(['project_id', 'name'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('baton_server_services_updated')
    .on('baton_server_services')
    .column('updated_at')
    .execute();
  await db.schema
    .createTable('baton_server_service_revisions')
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('input_schema', 'text')
    .addColumn('output_schema', 'text')
    .addColumn('revertible', 'integer', (c) => c.notNull())
    .addColumn('effect_free', 'integer', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('baton_server_service_revisions_pk', ['service_id', 'revision'])
    .execute();
  await db.schema
    .createTable('baton_server_orchestrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('webhook_id', 'text')
    .addColumn('retries', 'integer', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addColumn('finished_at', time)
    .execute();
  await db.schema
    .createIndex('baton_server_orchestrations_idempotency')
    .on('baton_server_orchestrations')
    .columns(['project_id', 'idempotency_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('baton_server_orchestrations_list')
    .on('baton_server_orchestrations')
    .columns(['project_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('baton_server_orchestrations_run')
    .on('baton_server_orchestrations')
    .column('run_id')
    .execute();
  await db.schema
    .createTable('baton_server_webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('deleted_at', time)
    .execute();
  await db.schema
    .createTable('baton_server_webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', time, (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', time)
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addColumn('delivered_at', time)
    .execute();
  await db.schema
    .createIndex('baton_server_webhook_deliveries_due')
    .on('baton_server_webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('baton_server_webhook_deliveries_hook')
    .on('baton_server_webhook_deliveries')
    .columns(['webhook_id', 'created_at'])
    .execute();
}

async function tasks(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const seq = dialect === 'postgres' ? 'bigserial' : 'integer';
  await db.schema
    .createTable('baton_server_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('outcome', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('seq', seq, (c) => (dialect === 'postgres' ? c.notNull() : c.notNull().defaultTo(sql`0`)))
    .execute();
  await db.schema
    .createIndex('baton_server_tasks_queue')
    .on('baton_server_tasks')
    .columns(['service_id', 'status', 'seq'])
    .execute();
}

/**
 * Orchestration rows are found by their id (a run's id starts with it): the index by run id only cost writes. A row
 * whose run never started keeps why in `error`.
 */
async function orchestrationsById(db: Db): Promise<void> {
  await db.schema.dropIndex('baton_server_orchestrations_run').execute();
  await db.schema.alterTable('baton_server_orchestrations').addColumn('error', 'text').execute();
}

/** Where each service instance is connected, for replicas to show each other's (`InstancePresence`). */
async function instances(db: Db): Promise<void> {
  await db.schema
    .createTable('baton_server_replicas')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .execute();
  // An instance id is the service's to choose (kept in a file): the same id may come from two projects, or twice
  // while an old socket closes, so a row is one replica's view of one instance.
  await db.schema
    .createTable('baton_server_instances')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('replica_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('connected_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('outstanding', 'integer', (c) => c.notNull())
    .addColumn('max_concurrency', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('baton_server_instances_pk', ['replica_id', 'project_id', 'id'])
    .execute();
  await db.schema
    .createIndex('baton_server_instances_project')
    .on('baton_server_instances')
    .columns(['project_id', 'replica_id'])
    .execute();
}

/**
 * Actions in plain words: how each orchestration's plan was chosen (`planning`, JSON), the data a template read from
 * the action (`data`, JSON, for a plan that is still being made), and the project's plan templates.
 */
async function planning(db: Db): Promise<void> {
  await db.schema.alterTable('baton_server_orchestrations').addColumn('planning', 'text').execute();
  await db.schema.alterTable('baton_server_orchestrations').addColumn('request', 'text').execute();
  await db.schema
    .createTable('baton_server_plan_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('baton_server_plan_templates_name', ['project_id', 'name'])
    .execute();
}

/**
 * The digest of the request an orchestration was submitted with under an `Idempotency-Key`, so the same key with a
 * different request is refused; null for rows from before (and for requests without a key).
 */
async function requestDigest(db: Db): Promise<void> {
  await db.schema.alterTable('baton_server_orchestrations').addColumn('request_digest', 'text').execute();
}

/**
 * Project names are unique (`POST /v1/projects` answers 409 for a name in use). A database from before may hold a
 * name twice: the oldest project keeps it and each later one becomes `<name> (<id>)`, so its id, keys and everything
 * in it stay as they were, and the index can be built.
 */
async function uniqueProjectNames(db: Db): Promise<void> {
  const projects = db as Kysely<{ baton_server_projects: { id: string; name: string; created_at: number } }>;
  const rows = await projects
    .selectFrom('baton_server_projects')
    .select(['id', 'name'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const names = new Set(rows.map((row) => row.name));
  const kept = new Set<string>();
  for (const row of rows) {
    if (!kept.has(row.name)) {
      kept.add(row.name);
      continue;
    }
    let renamed = `${row.name} (${row.id})`;
    for (let n = 2; names.has(renamed); n += 1) renamed = `${row.name} (${row.id}, ${n})`;
    names.add(renamed);
    await projects.updateTable('baton_server_projects').set({ name: renamed }).where('id', '=', row.id).execute();
  }
  await db.schema
    .createIndex('baton_server_projects_name')
    .on('baton_server_projects')
    .column('name')
    .unique()
    .execute();
}

/** The schema revision each listed instance registered, so every replica shows which instances serve which. */
async function instanceRevisions(db: Db): Promise<void> {
  await db.schema.alterTable('baton_server_instances').addColumn('revision', 'integer').execute();
}

/** Server-wide settings by name: the check value of the secret key every replica must share. */
async function settings(db: Db): Promise<void> {
  await db.schema
    .createTable('baton_server_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export function serverMigrations(dialect: 'sqlite' | 'postgres'): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '001-initial': { up: initial },
    '002-tasks': { up: (db) => tasks(db, dialect) },
    '003-orchestrations-by-id': { up: orchestrationsById },
    '004-instances': { up: instances },
    '005-planning': { up: planning },
    '006-request-digest': { up: requestDigest },
    '007-unique-project-names': { up: uniqueProjectNames },
    '008-instance-revisions': { up: instanceRevisions },
    '009-settings': { up: settings },
  };
  return { getMigrations: async () => migrations };
}
