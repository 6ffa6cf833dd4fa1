/**
 * The registered services of every project: stored with each revision of their schemas, and kept in the engine's
 * registry (one target per revision, so a run keeps the revision it resolved when the schemas change). Registering
 * the same definition again changes nothing; a changed one gets the next revision. Other replicas learn of new
 * revisions by `sync()`, which reads what changed since it last looked.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Registry } from '@baton/core';
import type { ServiceDefinition } from '@baton/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { ServerTables, ServicesTable } from '../db/server-tables.js';
import { newId } from '../db/time-ordered-id.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { TaskRouter } from '../socket/task-router.js';
import { remoteTarget, type ServiceRevision } from './remote-target.js';
import { revisionVersion, scopedTargetName } from './target-name.js';

export type ServiceRow = Selectable<ServicesTable>;

type Definition = Required<Pick<ServiceDefinition, 'name' | 'description'>> & {
  kind: 'service' | 'agent';
  version?: string | undefined;
  input?: Record<string, unknown> | undefined;
  output?: Record<string, unknown> | undefined;
  revertible: boolean;
  effectFree: boolean;
};

function fingerprint(definition: Definition): string {
  const made = {
    kind: definition.kind,
    description: definition.description,
    input: definition.input ?? null,
    output: definition.output ?? null,
    revertible: definition.revertible,
    effectFree: definition.effectFree,
  };
  return createHash('sha256').update(canonicalJson(made)).digest('hex');
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));
const parse = (text: string | null): Record<string, unknown> | null =>
  text === null ? null : (JSON.parse(text) as Record<string, unknown>);

export class ServiceCatalog {
  private watermark = 0;
  private readonly registered = new Set<string>();
  /** Live services by project and name, kept by register, remove and sync: plans resolve names without a query. */
  private readonly live = new Map<string, ServiceRow>();

  constructor(
    private readonly db: Kysely<ServerTables>,
    private readonly registry: Registry,
    private readonly router: TaskRouter,
  ) {}

  /**
   * Stores `definition` for `projectId` (a new service, the same revision, or the next one) and registers the
   * revision with the engine. Throws the registry's ValidationError for schemas it cannot compile, before storing.
   */
  async register(projectId: string, definition: Definition): Promise<ServiceRow> {
    const print = fingerprint(definition);
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.store(projectId, definition, print);
      } catch (error) {
        // Two instances of a new service registering at once: the second insert hits the unique name; read again.
        if (attempt >= 2 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  async get(projectId: string, id: string): Promise<ServiceRow | undefined> {
    return this.db
      .selectFrom('baton_server_services')
      .selectAll()
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /** A live service by name: from memory, else after reading what other replicas registered since the last sync. */
  async byName(projectId: string, name: string): Promise<ServiceRow | undefined> {
    const key = `${projectId}/${name}`;
    if (!this.live.has(key)) await this.sync();
    return this.live.get(key);
  }

  async list(projectId: string): Promise<ServiceRow[]> {
    return this.db
      .selectFrom('baton_server_services')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('deleted_at', 'is', null)
      .orderBy('name')
      .execute();
  }

  /** Deletes a service: its revisions leave the registry; false when there is none with that id in the project. */
  async remove(projectId: string, id: string): Promise<ServiceRow | undefined> {
    const row = await this.get(projectId, id);
    if (row === undefined) return undefined;
    const now = Date.now();
    await this.db
      .updateTable('baton_server_services')
      .set({ deleted_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    this.registry.unregister(scopedTargetName(projectId, row.name));
    this.live.delete(`${projectId}/${row.name}`);
    for (const key of [...this.registered]) if (key.startsWith(`${id}@`)) this.registered.delete(key);
    return row;
  }

  /** Registers with the engine every revision stored since the last call (other replicas' registrations). */
  async sync(): Promise<void> {
    // Re-read the last few seconds: another replica's clock, or a transaction that committed late, may date a row
    // just before what was read last.
    const since = Math.max(0, this.watermark - 5000);
    const services = await this.db
      .selectFrom('baton_server_services')
      .selectAll()
      .where('updated_at', '>=', since)
      .execute();
    for (const service of services) {
      this.watermark = Math.max(this.watermark, service.updated_at);
      if (service.deleted_at !== null) {
        this.registry.unregister(scopedTargetName(service.project_id, service.name));
        if (this.live.get(`${service.project_id}/${service.name}`)?.id === service.id) {
          this.live.delete(`${service.project_id}/${service.name}`);
        }
        continue;
      }
      this.live.set(`${service.project_id}/${service.name}`, service);
      const revisions = await this.db
        .selectFrom('baton_server_service_revisions')
        .selectAll()
        .where('service_id', '=', service.id)
        .execute();
      for (const revision of revisions) {
        this.ensureRegistered({
          serviceId: service.id,
          projectId: service.project_id,
          name: service.name,
          kind: service.kind === 'agent' ? 'agent' : 'service',
          description: revision.description,
          revision: revision.revision,
          input: parse(revision.input_schema),
          output: parse(revision.output_schema),
          revertible: revision.revertible === 1,
          effectFree: revision.effect_free === 1,
        });
      }
    }
  }

  private async store(projectId: string, definition: Definition, print: string): Promise<ServiceRow> {
    const existing = await this.byName(projectId, definition.name);
    const now = Date.now();
    if (existing !== undefined && existing.fingerprint === print) {
      await this.db
        .updateTable('baton_server_services')
        .set({ declared_version: definition.version ?? null, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
      this.ensureRegistered(this.revisionOf(existing.id, projectId, existing.revision, definition));
      const row = { ...existing, declared_version: definition.version ?? null, updated_at: now };
      this.live.set(`${projectId}/${definition.name}`, row);
      return row;
    }
    const id = existing?.id ?? newId('svc');
    // Schemas it had before (a deploy rolled back) are that revision again: runs that resolved it keep being served.
    const earlier = existing === undefined ? undefined : await this.revisionWith(existing.id, print);
    const revision = earlier ?? (existing?.revision ?? 0) + 1;
    // Compile first: a schema the engine cannot use is refused before anything is stored.
    this.ensureRegistered(this.revisionOf(id, projectId, revision, definition));
    const row: ServiceRow = {
      id,
      project_id: projectId,
      name: definition.name,
      kind: definition.kind,
      description: definition.description,
      revision,
      declared_version: definition.version ?? null,
      input_schema: json(definition.input),
      output_schema: json(definition.output),
      revertible: definition.revertible ? 1 : 0,
      effect_free: definition.effectFree ? 1 : 0,
      fingerprint: print,
      created_at: existing?.created_at ?? now,
      updated_at: now,
      deleted_at: null,
    };
    await this.db.transaction().execute(async (trx) => {
      if (existing === undefined) await trx.insertInto('baton_server_services').values(row).execute();
      else {
        const { id: _id, project_id: _project, created_at: _created, ...changes } = row;
        await trx.updateTable('baton_server_services').set(changes).where('id', '=', id).execute();
      }
      await trx
        .insertInto('baton_server_service_revisions')
        .values({
          service_id: id,
          revision,
          description: row.description,
          input_schema: row.input_schema,
          output_schema: row.output_schema,
          revertible: row.revertible,
          effect_free: row.effect_free,
          fingerprint: print,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['service_id', 'revision']).doNothing())
        .execute();
    });
    this.live.set(`${projectId}/${definition.name}`, row);
    return row;
  }

  /** The latest revision of the service registered with exactly these schemas (`fingerprint`), if any. */
  private async revisionWith(serviceId: string, fingerprint: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('baton_server_service_revisions')
      .select('revision')
      .where('service_id', '=', serviceId)
      .where('fingerprint', '=', fingerprint)
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.revision;
  }

  private revisionOf(serviceId: string, projectId: string, revision: number, definition: Definition): ServiceRevision {
    return {
      serviceId,
      projectId,
      name: definition.name,
      kind: definition.kind,
      description: definition.description,
      revision,
      input: definition.input ?? null,
      output: definition.output ?? null,
      revertible: definition.revertible,
      effectFree: definition.effectFree,
    };
  }

  private ensureRegistered(revision: ServiceRevision): void {
    const key = `${revision.serviceId}@${revision.revision}`;
    if (this.registered.has(key)) return;
    const name = scopedTargetName(revision.projectId, revision.name);
    if (!this.registry.has(`${name}@${revisionVersion(revision.revision)}`)) {
      this.registry.register(remoteTarget(revision, this.router));
    }
    this.registered.add(key);
  }
}
