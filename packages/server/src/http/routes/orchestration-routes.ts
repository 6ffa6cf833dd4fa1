/**
 * `/v1/orchestrations`: submit (202, or 201 once ended with `waitMs`), list with a cursor, inspect, follow as SSE,
 * cancel and retry.
 */
import {
  acceptedOrchestrationSchema,
  cancelOrchestrationSchema,
  createOrchestrationSchema,
  getOrchestrationQuerySchema,
  listOrchestrationsQuerySchema,
  type Orchestration,
  orchestrationSchema,
  orchestrationSummarySchema,
  type RetryOrchestration,
  retryOrchestrationSchema,
} from '@baton/protocol';
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest, unauthorized } from '../../errors/http-problem.js';
import { awaitOrchestration } from '../../orchestrations/await-orchestration.js';
import { checkEventPosition, orchestrationEventStream, parseLastEventId } from '../../orchestrations/event-feed.js';
import type { OrchestrationRow } from '../../orchestrations/orchestration-view.js';
import type { App, AppEnv } from './app-env.js';
import { bearer, json, jsonBody, problems } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';

const idParam = z.object({ id: z.string().min(1).max(200) });
const submitHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .describe(
      'A repeat of the same request with the same key returns the first orchestration; the key with a different request (another body) is refused with 422 `idempotency-key-reused`',
    ),
  prefer: z
    .string()
    .max(200)
    .optional()
    .describe(
      '`wait=<seconds>` (at most 60): for an action the model plans, answer once its plan is made — 202 with the plan, or 422 why it could not be planned — instead of at once with status `planning`',
    ),
});

/** The seconds of `Prefer: wait=<seconds>` (RFC 7240), in ms, at most a minute; 0 without one. */
function preferredWaitMs(prefer: string | undefined): number {
  const match = /(?:^|[,;\s])wait\s*=\s*(\d{1,5})/i.exec(prefer ?? '');
  return match ? Math.min(Number(match[1]), 60) * 1000 : 0;
}

const keyRevoked = () => unauthorized('the API key this request was made with was revoked while it waited');

/**
 * The orchestration `find` names (it may create it) once it has ended or `waitMs` has passed. The wait also ends
 * when the client goes away or the server closes (the answer is the orchestration as it stands), and when the key is
 * revoked (the answer is then a 401); a run executing on another replica is looked at every `orchestrationPollMs`.
 */
async function heldAnswer(
  c: Context<AppEnv>,
  services: ServerServices,
  waitMs: number,
  find: () => Promise<{ id: string; stored?: OrchestrationRow }>,
): Promise<Orchestration> {
  const deadline = Date.now() + waitMs;
  // Ends the wait when the key is revoked, the client goes away or the server closes.
  const hold = services.keyHolds.hold(c.get('keyId'), [c.req.raw.signal, services.closing]);
  try {
    const { id, stored } = await find();
    const projectId = c.get('projectId');
    const wait = {
      waitMs: Math.max(0, deadline - Date.now()),
      signal: hold.signal,
      pollMs: services.orchestrationPollMs,
      ...(stored === undefined ? {} : { stored }),
    };
    const orchestration = await awaitOrchestration(services.orchestrations, services.hub, projectId, id, wait);
    if (hold.revoked) throw keyRevoked();
    return orchestration;
  } finally {
    hold.release();
  }
}

export function orchestrationRoutes(app: App, services: ServerServices): void {
  const orchestrations = services.orchestrations;
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/orchestrations',
      tags: ['orchestrations'],
      summary: 'Run a plan over the registered services, or an action in plain words',
      description:
        'With an explicit plan, answers 202 at once; the run goes on durably. Without one, a plan template whose examples match the action gives the plan, within the request; otherwise, when a model is configured, the answer is 202 with status `planning` and the plan is made after it (on the orchestration and first on its event stream), or with `Prefer: wait=<seconds>` once it is made. 422 when no template matches and no model is configured, (with `Prefer: wait`) when the action cannot be planned, or (`idempotency-key-reused`) when an `Idempotency-Key` already used comes with a different request. With `waitMs`, the answer is instead 201 with the whole orchestration once it has ended (succeeded, failed or cancelled) or that many milliseconds have passed, whichever comes first: the outcome in one request.',
      security: bearer,
      request: { ...jsonBody(createOrchestrationSchema), headers: submitHeaders, query: getOrchestrationQuerySchema },
      responses: {
        201: json(orchestrationSchema, 'With `waitMs`: the orchestration once it has ended, or as it stands'),
        202: json(acceptedOrchestrationSchema, 'Accepted: the orchestration runs'),
        ...problems(400, 403, 413, 415, 422),
      },
    }),
    async (c) => {
      const headers = c.req.valid('header');
      const key = headers['idempotency-key'];
      if (key !== undefined && (key.length === 0 || key.length > 255)) {
        throw badRequest('invalid-idempotency-key', `Idempotency-Key must be 1 to 255 characters, got ${key.length}`, [
          { path: 'headers.idempotency-key', code: 'length', message: 'between 1 and 255 characters' },
        ]);
      }
      const projectId = c.get('projectId');
      const { waitMs } = c.req.valid('query');
      if (waitMs === 0) {
        const planWaitMs = preferredWaitMs(headers.prefer);
        return c.json(await orchestrations.create(projectId, c.req.valid('json'), key, planWaitMs), 202);
      }
      // Waiting for the end takes in waiting for the plan: an action that cannot be planned is the 422 it is then.
      let id = '';
      const orchestration = await heldAnswer(c, services, waitMs, async () => {
        let stored: OrchestrationRow | undefined;
        ({ id } = await orchestrations.create(projectId, c.req.valid('json'), key, waitMs, (row) => {
          stored = row;
        }));
        return { id, ...(stored === undefined ? {} : { stored }) };
      });
      c.header('Location', `/v1/orchestrations/${id}`);
      return c.json(orchestration, 201);
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
      return c.json(await heldAnswer(c, services, waitMs, async () => ({ id })), 200);
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
      checkEventPosition(from, (await orchestrations.row(projectId, id)).retries);
      const pollMs = services.orchestrationPollMs;
      const hold = services.keyHolds.hold(c.get('keyId'), [services.closing]);
      return orchestrationEventStream(c, orchestrations, services.hub, projectId, id, from, {
        pollMs,
        closing: hold.signal,
        onEnd: hold.release,
      }) as never;
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
      request: {
        params: idParam,
        // Only a new deadline: another field (a reason, a plan) is refused rather than silently not used.
        body: { content: { 'application/json': { schema: retryOrchestrationSchema } }, required: false },
      },
      responses: { 202: json(acceptedOrchestrationSchema, 'Running again'), ...problems(400, 403, 404, 409, 415) },
    }),
    async (c) => {
      const body = (c.req.valid('json') as RetryOrchestration | undefined) ?? {};
      return c.json(await orchestrations.retry(c.get('projectId'), c.req.valid('param').id, body), 202);
    },
  );
}
