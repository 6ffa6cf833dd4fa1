/** `/v1/webhooks`: where a project's events go, signed; each delivery and its attempts are logged. */
import {
  createdWebhookSchema,
  createWebhookSchema,
  deliverySchema,
  queryInteger,
  WEBHOOK_DELIVERY_SCHEMAS,
  webhookSchema,
} from '@baton/protocol';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { notFound } from '../../errors/http-problem.js';
import { MAX_DELIVERY_PAGE } from '../../webhooks/index.js';
import type { App } from './app-env.js';
import { bearer, json, jsonBody, problems } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';

const idParam = z.object({ id: z.string().min(1).max(200) });
const deliveriesQuery = z.strictObject({
  limit: queryInteger({ min: 1, max: MAX_DELIVERY_PAGE }).default(50),
  cursor: z.string().max(500).optional(),
});

const signatureHeaders = z.object({
  'webhook-id': z.string().describe('The delivery: the same on every attempt of one event, to drop a repeat by'),
  'webhook-timestamp': z.string().describe('Seconds since the epoch when this attempt was signed'),
  'webhook-signature': z
    .string()
    .describe('v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>" keyed by the whsec_ secret>'),
});

/** What each registered webhook receives, in the document's `webhooks`: one POST per event, by type. */
function describeDeliveries(app: App): void {
  for (const [type, schema] of Object.entries(WEBHOOK_DELIVERY_SCHEMAS)) {
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: type,
      tags: ['webhooks'],
      summary: `The ${type} event, delivered to the project's webhooks that take it`,
      request: { headers: signatureHeaders, body: { content: { 'application/json': { schema } }, required: true } },
      responses: {
        200: {
          description:
            'Any 2xx within 10 seconds counts as delivered; otherwise it is tried again after 5 s, 30 s, 2 min, 10 min, 30 min, 2 h and 6 h',
        },
      },
    });
  }
}

export function webhookRoutes(app: App, services: ServerServices): void {
  describeDeliveries(app);
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
