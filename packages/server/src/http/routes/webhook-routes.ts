/** `/v1/webhooks`: where a project's events go, signed; each delivery and its attempts are logged. */
import { createdWebhookSchema, createWebhookSchema, deliverySchema, webhookSchema } from '@baton/protocol';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { notFound } from '../../errors/http-problem.js';
import { MAX_DELIVERY_PAGE } from '../../webhooks/index.js';
import type { App } from './app-env.js';
import { bearer, json, jsonBody, problems } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';

const idParam = z.object({ id: z.string().min(1).max(200) });
const deliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_DELIVERY_PAGE).default(50),
  cursor: z.string().max(500).optional(),
});

export function webhookRoutes(app: App, services: ServerServices): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks',
      tags: ['webhooks'],
      summary: 'Register a webhook; its signing secret is shown once',
      security: bearer,
      request: jsonBody(createWebhookSchema),
      responses: { 201: json(createdWebhookSchema, 'The webhook and its secret'), ...problems(400, 403, 413, 415) },
    }),
    async (c) => {
      const { webhook, secret } = await services.webhooks.register(c.get('projectId'), c.req.valid('json'));
      return c.json({ ...webhook, secret }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks',
      tags: ['webhooks'],
      summary: "This project's webhooks",
      security: bearer,
      responses: { 200: json(z.object({ items: z.array(webhookSchema) }), 'Webhooks'), ...problems(403) },
    }),
    async (c) => c.json({ items: await services.webhooks.list(c.get('projectId')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/webhooks/{id}',
      tags: ['webhooks'],
      summary: 'Delete a webhook',
      security: bearer,
      request: { params: idParam },
      responses: { 204: { description: 'Deleted' }, ...problems(400, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await services.webhooks.remove(c.get('projectId'), id))) throw notFound('webhook', id);
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks/{id}/deliveries',
      tags: ['webhooks'],
      summary: "A webhook's deliveries, newest first",
      security: bearer,
      request: { params: idParam, query: deliveriesQuery },
      responses: {
        200: json(z.object({ items: z.array(deliverySchema), nextCursor: z.string().nullable() }), 'One page'),
        ...problems(400, 403, 404),
      },
    }),
    async (c) => {
      const projectId = c.get('projectId');
      const { id } = c.req.valid('param');
      if ((await services.webhooks.get(projectId, id)) === undefined) throw notFound('webhook', id);
      return c.json(await services.webhooks.deliveries(projectId, id, c.req.valid('query')), 200);
    },
  );
}
