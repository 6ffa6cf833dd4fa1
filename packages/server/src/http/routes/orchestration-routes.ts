/** `/v1/orchestrations`: submit (202), list with a cursor, inspect, follow as SSE, cancel and retry. */
import {
  acceptedOrchestrationSchema,
  cancelOrchestrationSchema,
  createOrchestrationSchema,
  getOrchestrationQuerySchema,
  listOrchestrationsQuerySchema,
  orchestrationSchema,
  orchestrationSummarySchema,
} from '@baton/protocol';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { badRequest } from '../../errors/http-problem.js';
import { awaitOrchestration } from '../../orchestrations/await-orchestration.js';
import { orchestrationEventStream, parseLastEventId } from '../../orchestrations/event-feed.js';
import type { App } from './app-env.js';
import { bearer, json, jsonBody, problems } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';

const idParam = z.object({ id: z.string().min(1).max(200) });
const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .describe('A repeat of a request with the same key returns the first orchestration'),
});

export function orchestrationRoutes(app: App, services: ServerServices): void {
  const orchestrations = services.orchestrations;
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/orchestrations',
      tags: ['orchestrations'],
      summary: 'Run a plan over the registered services',
      description:
        'With an explicit plan, answers 202 at once; the run goes on durably. Without one, 422: planning an action in plain words is not available yet.',
      security: bearer,
      request: { ...jsonBody(createOrchestrationSchema), headers: idempotencyHeader },
      responses: {
        202: json(acceptedOrchestrationSchema, 'Accepted: the orchestration runs'),
        ...problems(400, 403, 413, 415, 422),
      },
    }),
    async (c) => {
      const key = c.req.valid('header')['idempotency-key'];
      if (key !== undefined && (key.length === 0 || key.length > 255)) {
        throw badRequest('invalid-idempotency-key', `Idempotency-Key must be 1 to 255 characters, got ${key.length}`, [
          { path: 'headers.idempotency-key', code: 'length', message: 'between 1 and 255 characters' },
        ]);
      }
      return c.json(await orchestrations.create(c.get('projectId'), c.req.valid('json'), key), 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/orchestrations',
      tags: ['orchestrations'],
      summary: 'List orchestrations, newest first',
      security: bearer,
      request: { query: listOrchestrationsQuerySchema },
      responses: {
        200: json(
          z.object({ items: z.array(orchestrationSummarySchema), nextCursor: z.string().nullable() }),
          'One page',
        ),
        ...problems(400, 403),
      },
    }),
    async (c) => c.json(await orchestrations.list(c.get('projectId'), c.req.valid('query')), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/orchestrations/{id}',
      tags: ['orchestrations'],
      summary: 'An orchestration: status, plan, every step, the result',
      description:
        'With `waitMs`, the answer waits until the orchestration has ended (succeeded, failed or cancelled) or that many milliseconds have passed, whichever comes first.',
      security: bearer,
      request: { params: idParam, query: getOrchestrationQuerySchema },
      responses: { 200: json(orchestrationSchema, 'The orchestration'), ...problems(400, 403, 404) },
    }),
    async (c) => {
      const projectId = c.get('projectId');
      const { id } = c.req.valid('param');
      const { waitMs } = c.req.valid('query');
      if (waitMs === 0) return c.json(await orchestrations.get(projectId, id), 200);
      const signal = c.req.raw.signal;
      const pollMs = services.orchestrationPollMs;
      return c.json(
        await awaitOrchestration(orchestrations, services.hub, projectId, id, { waitMs, signal, pollMs }),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/orchestrations/{id}/events',
      tags: ['orchestrations'],
      summary: "An orchestration's events as Server-Sent Events, resumable with Last-Event-ID",
      security: bearer,
      request: {
        params: idParam,
        headers: z.object({ 'last-event-id': z.string().optional().describe('Resume after this event') }),
      },
      responses: {
        200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'The event stream' },
        ...problems(400, 403, 404),
      },
    }),
    async (c) => {
      const projectId = c.get('projectId');
      const { id } = c.req.valid('param');
      const from = parseLastEventId(c.req.valid('header')['last-event-id']);
      await orchestrations.row(projectId, id);
      const pollMs = services.orchestrationPollMs;
      return orchestrationEventStream(c, orchestrations, services.hub, projectId, id, from, { pollMs }) as never;
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/orchestrations/{id}/cancel',
      tags: ['orchestrations'],
      summary: 'Cancel an orchestration: running steps are told, finished ones are undone',
      security: bearer,
      request: {
        params: idParam,
        body: { content: { 'application/json': { schema: cancelOrchestrationSchema } }, required: false },
      },
      responses: { 202: json(orchestrationSchema, 'Cancelling'), ...problems(400, 403, 404, 409, 415) },
    }),
    async (c) => {
      const body = c.req.valid('json') as { reason?: string };
      return c.json(await orchestrations.cancel(c.get('projectId'), c.req.valid('param').id, body.reason), 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/orchestrations/{id}/retry',
      tags: ['orchestrations'],
      summary: 'Run a failed orchestration again from its failed steps, reusing what succeeded',
      security: bearer,
      request: { params: idParam },
      responses: { 202: json(acceptedOrchestrationSchema, 'Running again'), ...problems(400, 403, 404, 409) },
    }),
    async (c) => c.json(await orchestrations.retry(c.get('projectId'), c.req.valid('param').id), 202),
  );
}
