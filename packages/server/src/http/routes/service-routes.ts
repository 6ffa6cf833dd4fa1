/** `/v1/services`: what has registered over the socket, with its connected instances; deleting one disconnects it. */
import { type Service, serviceSchema } from '@baton/protocol';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { notFound } from '../../errors/http-problem.js';
import type { InstanceView } from '../../services/instance-presence.js';
import type { ServiceRow } from '../../services/service-catalog.js';
import { revisionVersion, scopedTargetName } from '../../services/target-name.js';
import { ServiceDeletedError } from '../../socket/dispatch-errors.js';
import type { App } from './app-env.js';
import { bearer, json, problems } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';

const idParam = z.object({ id: z.string().min(1).max(200) });
const iso = (ms: number) => new Date(ms).toISOString();

/** `down` without an instance up; `degraded` while the current revision's breaker (in this replica) lets no call through. */
function healthOf(
  row: ServiceRow,
  services: ServerServices,
  instances: readonly { status: string }[],
): Service['health'] {
  if (!instances.some((instance) => instance.status === 'up')) return 'down';
  const target = `${scopedTargetName(row.project_id, row.name)}@${revisionVersion(row.revision)}`;
  let breaker: string;
  try {
    breaker = services.engine.breakerState(target);
  } catch {
    return 'healthy';
  }
  return breaker === 'closed' ? 'healthy' : 'degraded';
}

/** Instances connected here (as they are now), then those other replicas hold (as they last wrote them). */
function serviceView(row: ServiceRow, services: ServerServices, elsewhere: readonly InstanceView[]): Service {
  const here = services.dispatcher.connectedInstances(row.id).map((instance) => ({
    id: instance.id,
    status: instance.status,
    connectedAt: instance.connectedAt,
    lastSeenAt: instance.lastSeenAt,
    outstanding: instance.outstanding.size,
    maxConcurrency: instance.maxConcurrency,
    version: instance.revision ?? null,
  }));
  const seen = new Set(here.map((instance) => instance.id));
  const instances = [...here, ...elsewhere.filter((instance) => !seen.has(instance.id))].map((instance) => ({
    ...instance,
    connectedAt: iso(instance.connectedAt),
    lastSeenAt: iso(instance.lastSeenAt),
  }));
  return {
    id: row.id,
    name: row.name,
    kind: row.kind === 'agent' ? 'agent' : 'service',
    description: row.description,
    version: row.revision,
    declaredVersion: row.declared_version,
    input: row.input_schema === null ? null : (JSON.parse(row.input_schema) as Record<string, unknown>),
    output: row.output_schema === null ? null : (JSON.parse(row.output_schema) as Record<string, unknown>),
    revertible: row.revertible === 1,
    effectFree: row.effect_free === 1,
    health: healthOf(row, services, instances),
    instances,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function serviceRoutes(app: App, services: ServerServices): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/services',
      tags: ['services'],
      summary: 'List the services and agents registered in this project',
      security: bearer,
      responses: { 200: json(z.object({ items: z.array(serviceSchema) }), 'Services, by name'), ...problems(403) },
    }),
    async (c) => {
      const projectId = c.get('projectId');
      const rows = await services.catalog.list(projectId);
      const elsewhere = (await services.presence?.others(projectId)) ?? new Map<string, InstanceView[]>();
      return c.json({ items: rows.map((row) => serviceView(row, services, elsewhere.get(row.id) ?? [])) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/services/{id}',
      tags: ['services'],
      summary: 'One service, with its schemas and connected instances',
      security: bearer,
      request: { params: idParam },
      responses: { 200: json(serviceSchema, 'The service'), ...problems(400, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const projectId = c.get('projectId');
      const row = await services.catalog.get(projectId, id);
      if (row === undefined) throw notFound('service', id);
      const elsewhere = (await services.presence?.others(projectId))?.get(row.id) ?? [];
      return c.json(serviceView(row, services, elsewhere), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/services/{id}',
      tags: ['services'],
      summary: 'Delete a service: its instances are disconnected and its waiting tasks fail',
      security: bearer,
      request: { params: idParam },
      responses: { 204: { description: 'Deleted' }, ...problems(400, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const row = await services.catalog.remove(c.get('projectId'), id);
      if (row === undefined) throw notFound('service', id);
      services.gateway.closeService(id);
      services.dispatcher.failService(id, new ServiceDeletedError(row.name));
      return c.body(null, 204);
    },
  );
}
