/** `/v1/projects` (admin token) and `/v1/api-keys` (project key). */
import {
  apiKeySchema,
  createApiKeySchema,
  createdApiKeySchema,
  createdProjectSchema,
  createProjectSchema,
  projectSchema,
} from '@baton/protocol';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { conflict, notFound } from '../../errors/http-problem.js';
import type { App } from './app-env.js';
import { bearer, json, jsonBody, problems } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';

const idParam = z.object({ id: z.string().min(1).max(200) });

export function projectRoutes(app: App, services: ServerServices): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/projects',
      tags: ['projects'],
      summary: 'Create a project and its first API key (admin token)',
      description: 'Project names are unique on the server: a name in use is a 409 `project-name-taken` naming it.',
      security: bearer,
      request: jsonBody(createProjectSchema),
      responses: {
        201: json(createdProjectSchema, 'The project, and its first API key: shown only here'),
        ...problems(400, 403, 409, 413, 415),
      },
    }),
    async (c) => c.json(await services.projects.create(c.req.valid('json').name), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/projects',
      tags: ['projects'],
      summary: 'List projects (admin token)',
      security: bearer,
      responses: { 200: json(z.object({ items: z.array(projectSchema) }), 'Every project'), ...problems(403) },
    }),
    async (c) => c.json({ items: await services.projects.list() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/api-keys',
      tags: ['api-keys'],
      summary: 'Create an API key for this project',
      security: bearer,
      request: jsonBody(createApiKeySchema),
      responses: { 201: json(createdApiKeySchema, 'The key: shown only here'), ...problems(400, 403, 413, 415) },
    }),
    async (c) => c.json(await services.apiKeys.create(c.get('projectId'), c.req.valid('json').name), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/api-keys',
      tags: ['api-keys'],
      summary: "List this project's live API keys",
      security: bearer,
      responses: {
        200: json(z.object({ items: z.array(apiKeySchema) }), 'Keys by prefix; never the keys'),
        ...problems(403),
      },
    }),
    async (c) => c.json({ items: await services.apiKeys.list(c.get('projectId')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/api-keys/{id}',
      tags: ['api-keys'],
      summary: 'Revoke an API key at once, also for sockets open with it',
      description:
        "A key revoked already is a 409 `api-key-revoked` saying when, as other actions done already are; the project's only live key is a 409 `last-api-key` (make another first).",
      security: bearer,
      request: { params: idParam },
      responses: { 204: { description: 'Revoked' }, ...problems(400, 403, 404, 409) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const revoked = await services.apiKeys.revoke(c.get('projectId'), id);
      if (revoked === undefined) throw notFound('API key', id);
      if ('last' in revoked) {
        throw conflict(
          'last-api-key',
          `API key "${id}" is the project's only live key: revoked, it would leave the project unreachable; create another key (POST /v1/api-keys) first, then revoke this one`,
        );
      }
      if (revoked.already) {
        throw conflict(
          'api-key-revoked',
          `API key "${id}" was revoked already, at ${new Date(revoked.revokedAt).toISOString()}`,
        );
      }
      services.gateway.closeKey(id);
      services.keyHolds.revoke(id);
      return c.body(null, 204);
    },
  );
}
