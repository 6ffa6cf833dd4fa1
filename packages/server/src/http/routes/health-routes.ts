/** `/health` (the process answers), `/ready` (store and database reachable) and `/metrics` (Prometheus); no key. */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { App } from './app-env.js';
import { json } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';
import { SERVER_VERSION } from './server-version.js';

const readinessSchema = z
  .object({ status: z.enum(['ready', 'not-ready']), checks: z.record(z.string(), z.string()) })
  .meta({ id: 'Readiness' });

export function healthRoutes(app: App, services: ServerServices): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['operations'],
      summary: 'Liveness: the process answers, and its version',
      responses: {
        200: json(z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' }), 'Alive'),
      },
    }),
    (c) => c.json({ status: 'ok' as const, version: SERVER_VERSION }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/ready',
      tags: ['operations'],
      summary: 'Readiness: the store and the database answer',
      responses: {
        200: json(readinessSchema, 'Ready'),
        503: json(readinessSchema, 'Not ready; `checks` says what failed'),
      },
    }),
    async (c) => {
      const ready = await services.ready();
      return ready.ok
        ? c.json({ status: 'ready' as const, checks: ready.checks }, 200)
        : c.json({ status: 'not-ready' as const, checks: ready.checks }, 503);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      tags: ['operations'],
      summary: 'Metrics in the Prometheus text format',
      responses: {
        200: { content: { 'text/plain': { schema: z.string() } }, description: 'Prometheus exposition format' },
      },
    }),
    async (c) => {
      const { contentType, body } = await services.metrics.render();
      return c.body(body, 200, { 'content-type': contentType }) as never;
    },
  );
}
