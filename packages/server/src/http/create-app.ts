import { clipText } from '@baton/core';
/**
 * The HTTP API: Hono with routes declared through `@hono/zod-openapi`, so `/openapi.json` (OpenAPI 3.1) is generated
 * from the same definitions that validate requests. Every request gets an id and one log line (never a key); bodies
 * are limited in size; `/v1` takes a project key (projects: the admin token) and is rate-limited per key; every error
 * is a problem document.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import { bodyTooLarge, HttpProblem, noRoute } from '../errors/http-problem.js';
import { validationProblem } from '../errors/validation-problem.js';
import { methodsByPath } from './allowed-methods.js';
import { requireAdmin, requireProjectKey } from './auth-middleware.js';
import { mountDocs } from './docs-page.js';
import { jsonDepthLimit } from './json-depth-limit.js';
import { nulCharacterGuard } from './nul-character-guard.js';
import { problemDocument, problemResponse } from './problem-response.js';
import { rateLimit } from './rate-limit.js';
import { bodyHeaders } from './request-body.js';
import type { App, AppEnv } from './routes/app-env.js';
import { approvalRoutes } from './routes/approval-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { orchestrationRoutes } from './routes/orchestration-routes.js';
import { planTemplateRoutes } from './routes/plan-template-routes.js';
import { projectRoutes } from './routes/project-routes.js';
import type { ServerServices } from './routes/server-services.js';
import { serviceRoutes } from './routes/service-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';
import { utf8Body } from './utf8-body.js';

export interface AppOptions {
  bodyLimitBytes: number;
  requestsPerSecond: number;
  /** Live replicas, which share the rate limit. */
  replicas(): number;
  logger: Logger;
  version: string;
}

function fromHttpException(error: HTTPException): HttpProblem {
  const detail =
    error.status === 415
      ? 'send the body as JSON with "Content-Type: application/json"'
      : error.message || `the request failed with status ${error.status}`;
  const code =
    error.status === 415
      ? 'unsupported-media-type'
      : error.status === 400
        ? 'malformed-request'
        : `http-${error.status}`;
  return new HttpProblem(error.status, code, error.status === 415 ? 'Unsupported media type' : 'Bad request', detail);
}

/**
 * A body that is not JSON, said with where the parser stopped (`Expected ',' or '}' after property value in JSON at
 * position 14`); the body was read already (its depth was checked), so this reads it from memory.
 */
async function withSyntaxError(problem: HttpProblem, text: () => Promise<string>): Promise<HttpProblem> {
  const body = await text().catch(() => undefined);
  if (body === undefined) return problem;
  try {
    JSON.parse(body);
    return problem;
  } catch (error) {
    const said = clipText(error instanceof Error ? error.message : String(error), 200);
    return new HttpProblem(400, problem.code, problem.title, `the body is not valid JSON: ${said}`);
  }
}

export function createApp(services: ServerServices, options: AppOptions): App {
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      // The validator passes the raw input as `data` on failure too (its type leaves it out): details show values.
      if (!result.success) throw validationProblem(result.target, result.error, (result as { data?: unknown }).data);
    },
  });
  app.use(requestId());
  app.use(async function logRequest(c, next) {
    const started = performance.now();
    await next();
    options.logger.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        // A 10 KB id is logged as its first 300 characters.
        path: clipText(c.req.path, 300),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(c.get('projectId') === undefined ? {} : { projectId: c.get('projectId') }),
      },
      'request',
    );
  });
  const tooLarge = () => {
    // The rest of the body is not read: the connection is closed after the answer, so no client reuses it.
    throw bodyTooLarge(options.bodyLimitBytes);
  };
  // A chunked body is counted as it is read; one with a Content-Length is judged by it.
  const countChunked = bodyLimit({ maxSize: options.bodyLimitBytes, onError: tooLarge });
  app.use('/v1/*', async function limitBody(c, next) {
    const body = bodyHeaders(c);
    const encoding = c.req.header('content-encoding')?.trim().toLowerCase();
    if (body.present && encoding && encoding !== 'identity') {
      // A compressed body would be read as text and refused as broken JSON, naming the wrong problem.
      throw new HttpProblem(
        415,
        'unsupported-content-encoding',
        'Unsupported media type',
        `the body is sent with Content-Encoding "${encoding.slice(0, 40)}"; send it uncompressed`,
      );
    }
    if (body.length === undefined) return countChunked(c, next);
    if (body.length > options.bodyLimitBytes) tooLarge();
    await next();
  });
  let allowedFor: ((path: string) => string[]) | undefined;
  /** The methods `path` takes, from the routes registered (below, so looked up on the first request). */
  const methodsOf = (path: string) => {
    allowedFor ??= methodsByPath(app.routes);
    return allowedFor(path);
  };
  // The service socket's path reached as plain HTTP (an upgrade never gets here: the gateway takes it first).
  app.use('/v1/ws', () => {
    throw new HttpProblem(
      426,
      'upgrade-required',
      'Upgrade required',
      '/v1/ws is the service socket: open it as a WebSocket (GET with Upgrade: websocket) sending Authorization: Bearer <project API key>; docs/protocol.md describes its messages',
      { headers: { Upgrade: 'websocket', Connection: 'Upgrade' } },
    );
  });
  const admin = requireAdmin(services.admin, services.apiKeys);
  // The admin token on a path no route takes is told so (404), not that the route wants a project key.
  const project = requireProjectKey(services.apiKeys, services.admin, (path) => methodsOf(path).length > 0);
  app.use('/v1/*', async (c, next) => (c.req.path === '/v1/projects' ? admin(c, next) : project(c, next)));
  app.use('/v1/*', rateLimit(options.requestsPerSecond, options.replicas));
  app.use('/v1/*', utf8Body());
  app.use('/v1/*', jsonDepthLimit());
  app.use('/v1/*', nulCharacterGuard());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A project API key (bk_…); the admin token (badm_…) for /v1/projects',
  });
  projectRoutes(app, services);
  serviceRoutes(app, services);
  orchestrationRoutes(app, services);
  approvalRoutes(app, services);
  planTemplateRoutes(app, services);
  webhookRoutes(app, services);

  healthRoutes(app, services);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Baton plan engine',
      version: options.version,
      description:
        'Run plans over services that connect to this server from any process or language. Services register over the WebSocket at /v1/ws (see docs/protocol.md).',
    },
  });
  mountDocs(app);

  /** The problem document of a refusal, carrying the request's id (as `instance` and `X-Request-Id`). */
  const refusal = (c: Context<AppEnv>, problem: unknown) => {
    const requestId = c.get('requestId');
    const response = problemResponse(problem, requestId === undefined ? undefined : `urn:request:${requestId}`);
    // Set on the response the route would have made; a refusal's is made here.
    if (requestId !== undefined) response.headers.set('X-Request-Id', requestId);
    return response;
  };
  app.notFound((c) => {
    const allowed = methodsOf(c.req.path);
    const path = clipText(c.req.path, 200);
    // A route that takes the method and found nothing (an asset not there) is a 404 too.
    if (allowed.length === 0 || allowed.includes(c.req.method)) return refusal(c, noRoute(c.req.method, c.req.path));
    const detail = `${path} takes ${allowed.join(', ')}, not ${clipText(c.req.method, 20)}`;
    const headers = { Allow: allowed.join(', ') };
    return refusal(c, new HttpProblem(405, 'method-not-allowed', 'Method not allowed', detail, { headers }));
  });
  app.onError(async (error, c) => {
    let problem = error instanceof HTTPException && !HttpProblem.isInstance(error) ? fromHttpException(error) : error;
    if (HttpProblem.isInstance(problem) && problem.code === 'malformed-request') {
      problem = await withSyntaxError(problem, () => c.req.text());
    }
    const { body } = problemDocument(problem);
    if (body.status >= 500) options.logger.error({ err: error, requestId: c.get('requestId') }, 'request failed');
    return refusal(c, problem);
  });
  return app;
}
