/** `/v1/approvals` and `/v1/compensation-failures`: the decisions people make about running orchestrations. */
import {
  approvalSchema,
  approveSchema,
  closeCompensationSchema,
  compensationFailureSchema,
  listApprovalsQuerySchema,
  listCompensationFailuresQuerySchema,
  pageOf,
  rejectSchema,
} from '@baton/protocol';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { App } from './app-env.js';
import { bearer, json, jsonBody, problems } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';

const idParam = z.object({ id: z.string().min(1).max(500) });

export function approvalRoutes(app: App, services: ServerServices): void {
  const { decisions } = services;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/approvals',
      tags: ['approvals'],
      summary: "This project's approvals, by status",
      security: bearer,
      request: { query: listApprovalsQuerySchema },
      responses: { 200: json(pageOf(approvalSchema), 'A page of approvals, oldest first'), ...problems(400, 403) },
    }),
    async (c) => c.json(await decisions.approvals(c.get('projectId'), c.req.valid('query')), 200),
  );
  for (const decision of ['approve', 'reject'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/approvals/{id}/${decision}`,
        tags: ['approvals'],
        summary:
          decision === 'approve'
            ? 'Approve: the orchestration goes on'
            : 'Reject: the orchestration takes its rejection path',
        security: bearer,
        request: { params: idParam, ...jsonBody(decision === 'approve' ? approveSchema : rejectSchema) },
        responses: { 200: json(approvalSchema, 'The decided approval'), ...problems(400, 403, 404, 409, 413, 415) },
      }),
      async (c) => {
        const body = c.req.valid('json') as { data?: unknown; reason?: string };
        const { id } = c.req.valid('param');
        const approval =
          decision === 'approve'
            ? await decisions.approve(c.get('projectId'), id, body.data)
            : await decisions.reject(c.get('projectId'), id, body.reason as string);
        return c.json(approval, 200);
      },
    );
  }
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/compensation-failures',
      tags: ['compensation-failures'],
      summary: 'Compensations that failed for good and wait for a person',
      security: bearer,
      request: { query: listCompensationFailuresQuerySchema },
      responses: {
        200: json(pageOf(compensationFailureSchema), 'A page of failed compensations, oldest first'),
        ...problems(400, 403),
      },
    }),
    async (c) => c.json(await decisions.compensationFailures(c.get('projectId'), c.req.valid('query')), 200),
  );
  for (const status of ['resolve', 'ignore'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/compensation-failures/{id}/${status}`,
        tags: ['compensation-failures'],
        summary: status === 'resolve' ? 'Mark as undone by hand' : 'Mark as not needing an undo',
        security: bearer,
        request: { params: idParam, ...jsonBody(closeCompensationSchema) },
        responses: {
          200: json(compensationFailureSchema, 'The closed entry'),
          ...problems(400, 403, 404, 409, 413, 415),
        },
      }),
      async (c) => {
        const closed = await decisions.closeCompensation(
          c.get('projectId'),
          c.req.valid('param').id,
          status === 'resolve' ? 'resolved' : 'ignored',
          c.req.valid('json').reason,
        );
        return c.json(closed, 200);
      },
    );
  }
}
