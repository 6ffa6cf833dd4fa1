/**
 * `/v1/plan-templates`: plans an operator approved, with the actions they answer. An action sent without a plan that
 * matches one of a template's examples runs that template's plan, offline and without a model.
 */
import {
  planTemplateDefinitionSchema,
  planTemplatePageSchema,
  planTemplateSchema,
  queryInteger,
} from '@baton/protocol';
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { badRequest } from '../../errors/http-problem.js';
import { validationProblem } from '../../errors/validation-problem.js';
import type { App } from './app-env.js';
import { bearer, json, jsonBody, problems } from './openapi-responses.js';
import type { ServerServices } from './server-services.js';

/** The fields that label a template; the rest (params, examples, plan) can be checked without them. */
const LABELS = new Set(['name', 'description']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const pageQuery = z.strictObject({
  limit: queryInteger({ min: 1, max: 200 }).default(50),
  cursor: z.string().max(500).optional(),
});

export function planTemplateRoutes(app: App, services: ServerServices): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/plan-templates',
      tags: ['plan templates'],
      summary: 'Register a plan template: examples of the actions it answers, its params and its plan',
      security: bearer,
      request: jsonBody(planTemplateDefinitionSchema),
      responses: {
        201: json(planTemplateSchema, 'The template'),
        ...problems(400, 403, 409, 413, 415),
      },
    }),
    async (c) => c.json(await services.planTemplates.create(c.get('projectId'), c.req.valid('json')), 201),
    (result) => (result.success ? undefined : refuseTemplate(services, result.target, result.error, result)),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/plan-templates',
      tags: ['plan templates'],
      summary: "This project's plan templates, newest first",
      security: bearer,
      request: { query: pageQuery },
      responses: { 200: json(planTemplatePageSchema, 'One page'), ...problems(400, 403) },
    }),
    async (c) => c.json(await services.planTemplates.list(c.get('projectId'), c.req.valid('query')), 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/plan-templates/{idOrName}',
      tags: ['plan templates'],
      summary: 'Delete a plan template, by id or name',
      security: bearer,
      request: { params: z.object({ idOrName: z.string().min(1).max(200) }) },
      responses: { 204: { description: 'Deleted' }, ...problems(400, 403, 404) },
    }),
    async (c) => {
      await services.planTemplates.remove(c.get('projectId'), c.req.valid('param').idOrName);
      return c.body(null, 204);
    },
  );
}

/**
 * A template refused by its schema. Refused for its name or description alone, the rest of it (params, examples, plan)
 * is checked too, so one answer lists every problem; otherwise the schema's problems are the answer.
 */
async function refuseTemplate(
  services: ServerServices,
  target: string,
  error: z.ZodError,
  result: object,
): Promise<never> {
  const body = (result as { data?: unknown }).data;
  const refused = validationProblem(target, error, body);
  const labelsOnly = error.issues.every((issue) => LABELS.has(String(issue.path[0])));
  if (target !== 'json' || !labelsOnly || !isRecord(body)) throw refused;
  const more = await services.planTemplates.problemsBesidesName(body);
  if (more.length === 0) throw refused;
  const besides = more.map((problem) => ({ ...problem, path: `body.${problem.path}` }));
  const told = besides.slice(0, 3).map((problem) => `${problem.path}: ${problem.message}`);
  throw badRequest(
    'invalid-request',
    `${refused.message}; the template also has ${more.length} more: ${told.join('; ')}`,
    [...(refused.problems ?? []), ...besides],
  );
}
