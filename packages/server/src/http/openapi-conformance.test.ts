/**
 * The OpenAPI document is the contract: every route the app serves is in it, and every answer the server gives — to
 * good requests and to the caller's mistakes — has a status the document declares for that route and a body that
 * validates against the declared schema for that status and content type. Real HTTP on loopback, real services over
 * the socket, real orchestrations, approvals, failed compensations and webhook deliveries.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
} from '../server-test-kit.js';

type Json = Record<string, any>;
type Method = 'get' | 'post' | 'delete';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Routes that serve the document and its reference page rather than the API. */
const DOCUMENTATION_ROUTES = new Set([
  '/openapi.json',
  '/docs',
  '/docs/',
  '/docs/assets/docs-init.js',
  '/docs/assets/{file}',
]);

async function waitFor<T>(read: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 1500; attempt += 1) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const pointer = (...parts: string[]) =>
  parts.map((part) => `/${encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1'))}`).join('');

describe('the OpenAPI document', () => {
  let t: TestServer;
  let limited: TestServer;
  let doc: Json;
  let ajv: Ajv2020;
  const validators = new Map<string, ValidateFunction>();
  const seen = new Map<string, Set<number>>();
  let receiver: Server;
  let receiverUrl: string;
  const hooksReceived: string[] = [];
  const services: RawService[] = [];

  /** Sends a request to a documented route and checks the answer against the document. */
  async function call(
    method: Method,
    template: string,
    options: {
      params?: Record<string, string>;
      query?: string;
      body?: string | object;
      headers?: Record<string, string>;
      key?: string | null;
      server?: TestServer;
    } = {},
  ): Promise<{ status: number; body: any; text: string; response: Response }> {
    const path =
      template.replace(/\{(\w+)\}/g, (_, name: string) =>
        encodeURIComponent(options.params?.[name] ?? `missing-${name}`),
      ) + (options.query === undefined ? '' : `?${options.query}`);
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    const response = await (options.server ?? t).request(path, {
      method: method.toUpperCase(),
      ...(body === undefined ? {} : { body }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.key === undefined ? {} : { key: options.key }),
    });
    const text = await response.text();
    const where = `${method.toUpperCase()} ${template} → ${response.status}`;
    const operation = doc.paths[template]?.[method];
    expect(operation, `${method.toUpperCase()} ${template} is not in the document`).toBeDefined();
    const declared = operation.responses[String(response.status)];
    expect(declared, `${where} is not a declared status (body: ${text.slice(0, 300)})`).toBeDefined();
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (declared.content === undefined) {
      expect(text, `${where} declares no body`).toBe('');
    } else {
      expect(Object.keys(declared.content), `${where}: content type ${contentType} is not declared`).toContain(
        contentType,
      );
      const validate = validatorFor(pointer('paths', template, method, 'responses', String(response.status)), [
        'content',
        contentType,
        'schema',
      ]);
      const value = contentType.endsWith('json') ? JSON.parse(text) : text;
      const valid = validate(value);
      expect(valid, `${where}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 500)}`).toBe(true);
    }
    const key = `${method} ${template}`;
    if (!seen.has(key)) seen.set(key, new Set());
    seen.get(key)?.add(response.status);
    const parsed = contentType.endsWith('json') && text !== '' ? JSON.parse(text) : undefined;
    return { status: response.status, body: parsed, text, response };
  }

  function validatorFor(base: string, rest: string[]): ValidateFunction {
    const ref = `openapi.json#${base}${pointer(...rest)}`;
    let validate = validators.get(ref);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: ref });
      validators.set(ref, validate);
    }
    return validate;
  }

  async function expectStatus(
    status: number,
    method: Method,
    template: string,
    options: Parameters<typeof call>[2] = {},
  ): Promise<any> {
    const answer = await call(method, template, options);
    expect(answer.status, `${method.toUpperCase()} ${template}: ${answer.text.slice(0, 300)}`).toBe(status);
    if (status >= 400) {
      expect(answer.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status, type: expect.any(String), code: expect.any(String) });
    }
    return answer.body;
  }

  async function orchestration(id: string): Promise<Json> {
    return expectStatus(200, 'get', '/v1/orchestrations/{id}', { params: { id } });
  }

  async function settled(id: string, statuses: string[]): Promise<Json> {
    return waitFor(
      async () => {
        const view = await orchestration(id);
        return statuses.includes(view.status) ? view : undefined;
      },
      `orchestration ${id} to be ${statuses.join(' or ')}`,
    );
  }

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        hooksReceived.push(body);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    t = await startTestServer({ allowPrivateWebhooks: true, bodyLimitBytes: 64 * 1024, webhookRetryDelaysMs: [50] });
    limited = await startTestServer({ requestsPerSecond: 1 });
    doc = (await (await fetch(`${t.server.url}/openapi.json`)).json()) as Json;
    ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi.json');
    services.push(
      await connectRawService(t.server.url, t.apiKey, {
        hello: echoService('echo'),
        answer: (task) => task.input,
        heartbeat: true,
      }),
      await connectRawService(t.server.url, t.apiKey, {
        hello: echoService('fail'),
        answer: () => Promise.reject(new Error('refused for good')),
        heartbeat: true,
      }),
    );
    const undo = await connectRawService(t.server.url, t.apiKey, {
      hello: echoService('undo', { revertible: true }),
      answer: (task) => task.input,
      heartbeat: true,
    });
    // Every compensation fails with a wait longer than the engine's TTL: it is recorded as failed at once.
    undo.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Json;
      if (message.type !== 'compensate') return;
      undo.send({ type: 'ack', of: message.id });
      undo.send({
        type: 'compensation-result',
        compensationId: message.compensationId,
        ok: false,
        error: { message: 'cannot undo', retryable: false, retryAfterMs: 3_600_000 },
      });
    });
    services.push(undo);
  });

  afterAll(async () => {
    for (const service of services) await service.close();
    await t?.close();
    await limited?.close();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  it('is OpenAPI 3.1.0 and lists every route the app serves', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const served = new Set(
      t.server.app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, operations]) =>
        Object.keys(operations as Json).map((method) => `${method} ${path}`),
      ),
    );
    const missing = [...served].filter(
      (route) => !documented.has(route) && !DOCUMENTATION_ROUTES.has(route.split(' ')[1] as string),
    );
    expect(missing).toEqual([]);
    for (const route of documented) expect(served).toContain(route);
  });

  it('answers every documented route as documented, including the errors', async () => {
    // Projects (admin token).
    const created = await expectStatus(201, 'post', '/v1/projects', { body: { name: 'other' }, key: t.adminToken });
    await expectStatus(200, 'get', '/v1/projects', { key: t.adminToken });
    await expectStatus(409, 'post', '/v1/projects', { body: { name: 'other' }, key: t.adminToken });
    await expectStatus(400, 'post', '/v1/projects', { body: { name: '' }, key: t.adminToken });
    await expectStatus(400, 'post', '/v1/projects', { body: '{"name":', key: t.adminToken });
    await expectStatus(403, 'post', '/v1/projects', { body: { name: 'x' } });
    await expectStatus(415, 'post', '/v1/projects', {
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      key: t.adminToken,
    });
    await expectStatus(413, 'post', '/v1/projects', {
      body: { name: 'x'.repeat(100 * 1024) },
      key: t.adminToken,
    });

    // API keys.
    const key = await expectStatus(201, 'post', '/v1/api-keys', { body: { name: 'ci' } });
    await expectStatus(200, 'get', '/v1/api-keys');
    await expectStatus(400, 'post', '/v1/api-keys', { body: { name: 42 } });
    await expectStatus(415, 'post', '/v1/api-keys', { body: 'ci', headers: { 'content-type': 'text/plain' } });
    await expectStatus(413, 'post', '/v1/api-keys', { body: { name: 'k'.repeat(100 * 1024) } });
    await expectStatus(204, 'delete', '/v1/api-keys/{id}', { params: { id: key.id } });
    const revokedAgain = await expectStatus(409, 'delete', '/v1/api-keys/{id}', { params: { id: key.id } });
    expect(revokedAgain.code).toBe('api-key-revoked');
    await expectStatus(404, 'delete', '/v1/api-keys/{id}', { params: { id: 'key_nothing' } });
    await expectStatus(404, 'delete', '/v1/api-keys/{id}', { params: { id: created.apiKey.id } });
    await expectStatus(400, 'delete', '/v1/api-keys/{id}', { params: { id: 'k'.repeat(300) } });

    // Services.
    const list = await expectStatus(200, 'get', '/v1/services');
    const echo = list.items.find((service: Json) => service.name === 'echo');
    expect(echo.health).toBe('healthy');
    await expectStatus(200, 'get', '/v1/services/{id}', { params: { id: echo.id } });
    await expectStatus(404, 'get', '/v1/services/{id}', { params: { id: 'svc_nothing' } });
    await expectStatus(400, 'get', '/v1/services/{id}', { params: { id: 's'.repeat(300) } });
    const doomed = await connectRawService(t.server.url, t.apiKey, { hello: echoService('doomed') });
    const doomedId = doomed.received[0]?.serviceId as string;
    await expectStatus(204, 'delete', '/v1/services/{id}', { params: { id: doomedId } });
    await waitFor(() => doomed.socket.readyState === doomed.socket.CLOSED, 'the deleted service to be disconnected');
    await expectStatus(404, 'delete', '/v1/services/{id}', { params: { id: doomedId } });
    await expectStatus(400, 'delete', '/v1/services/{id}', { params: { id: 's'.repeat(300) } });

    // Webhooks, registered first so the orchestrations below are delivered.
    const hook = await expectStatus(201, 'post', '/v1/webhooks', { body: { url: receiverUrl } });
    await expectStatus(200, 'get', '/v1/webhooks');
    await expectStatus(400, 'post', '/v1/webhooks', { body: { url: 'ftp://example.com/x' } });
    await expectStatus(400, 'post', '/v1/webhooks', { body: { url: receiverUrl, events: ['NOT AN EVENT'] } });
    await expectStatus(415, 'post', '/v1/webhooks', { body: receiverUrl, headers: { 'content-type': 'text/plain' } });
    await expectStatus(413, 'post', '/v1/webhooks', { body: { url: `https://example.com/${'a'.repeat(100_000)}` } });

    // Plan templates: an action that matches one runs its plan, without a plan in the request.
    const template = await expectStatus(201, 'post', '/v1/plan-templates', {
      body: {
        name: 'greet',
        examples: ['Say {greeting} to the echo service'],
        params: { greeting: { type: 'string' } },
        plan: { steps: [{ id: 'a', target: 'echo', input: { greeting: { $ref: 'request.data.greeting' } } }] },
      },
    });
    await expectStatus(409, 'post', '/v1/plan-templates', {
      body: { name: 'greet', examples: ['Greet the echo service'], plan: { steps: [{ id: 'a', target: 'echo' }] } },
    });
    await expectStatus(400, 'post', '/v1/plan-templates', { body: { name: 'Bad Name', examples: [], plan: {} } });
    await expectStatus(415, 'post', '/v1/plan-templates', { body: 'x', headers: { 'content-type': 'text/plain' } });
    await expectStatus(413, 'post', '/v1/plan-templates', {
      body: { name: 'big', examples: ['a'.repeat(20_000_000)] },
    });
    await expectStatus(200, 'get', '/v1/plan-templates');
    await expectStatus(200, 'get', '/v1/plan-templates', { query: 'limit=1' });
    await expectStatus(400, 'get', '/v1/plan-templates', { query: 'cursor=%%%' });
    const templated = await expectStatus(202, 'post', '/v1/orchestrations', {
      body: { action: { content: 'Say hello to the echo service' } },
    });
    expect(templated.plan.steps[0].id).toBe('a');
    expect((await settled(templated.id, ['succeeded', 'failed'])).planning).toMatchObject({
      planner: 'template',
      template: 'greet',
    });
    // The project's webhooks hear that its plan was made, with the plan and how it was chosen.
    const planned = await waitFor(
      () =>
        hooksReceived.map((body) => JSON.parse(body) as Json).find((event) => event.type === 'orchestration.planned'),
      'an orchestration.planned delivery',
    );
    expect(planned.data).toMatchObject({ orchestrationId: templated.id, planning: { planner: 'template' } });
    await expectStatus(204, 'delete', '/v1/plan-templates/{idOrName}', { params: { idOrName: template.id } });
    await expectStatus(404, 'delete', '/v1/plan-templates/{idOrName}', { params: { idOrName: 'greet' } });
    await expectStatus(400, 'delete', '/v1/plan-templates/{idOrName}', { params: { idOrName: 't'.repeat(300) } });

    // Orchestrations: one that finishes.
    const plan = { steps: [{ id: 'a', target: 'echo', input: { greeting: 'hi' } }] };
    const accepted = await expectStatus(202, 'post', '/v1/orchestrations', {
      body: { action: { content: 'echo once' }, plan, webhook: receiverUrl },
      headers: { 'idempotency-key': 'conformance-1' },
    });
    const again = await expectStatus(202, 'post', '/v1/orchestrations', {
      body: { action: { content: 'echo once' }, plan, webhook: receiverUrl },
      headers: { 'idempotency-key': 'conformance-1' },
    });
    expect(again.id).toBe(accepted.id);
    const reused = await expectStatus(422, 'post', '/v1/orchestrations', {
      body: { action: { content: 'echo once' }, plan },
      headers: { 'idempotency-key': 'conformance-1' },
    });
    expect(reused.code).toBe('idempotency-key-reused');
    const submitRoute = doc.paths['/v1/orchestrations'].post;
    expect(Object.keys(submitRoute.responses)).toContain('422');
    expect(submitRoute.description).toContain('`idempotency-key-reused`');
    const done = await settled(accepted.id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    // The outcome in one request: 201 with the orchestration once it has ended.
    const ran = await expectStatus(201, 'post', '/v1/orchestrations', {
      body: { action: { content: 'echo and wait' }, plan },
      query: 'waitMs=30000',
    });
    expect(ran).toMatchObject({ status: 'succeeded', result: done.result });
    await expectStatus(400, 'post', '/v1/orchestrations', {
      body: { action: { content: 'x' }, plan },
      query: 'waitMs=-5',
    });
    const page = await expectStatus(200, 'get', '/v1/orchestrations');
    expect(page.items.map((item: Json) => item.id)).toContain(accepted.id);
    await expectStatus(200, 'get', '/v1/orchestrations', { query: 'status=succeeded&limit=1' });
    await expectStatus(400, 'get', '/v1/orchestrations', { query: 'limit=0' });
    await expectStatus(400, 'get', '/v1/orchestrations', { query: 'cursor=not-a-cursor' });
    await expectStatus(400, 'get', '/v1/orchestrations', { query: 'status=sleeping' });
    const events = await call('get', '/v1/orchestrations/{id}/events', { params: { id: accepted.id } });
    expect(events.status).toBe(200);
    expect(events.text).toContain('event: run-finish');
    await expectStatus(200, 'get', '/v1/orchestrations/{id}/events', {
      params: { id: accepted.id },
      headers: { 'last-event-id': '0.0' },
    });
    await expectStatus(400, 'get', '/v1/orchestrations/{id}/events', {
      params: { id: accepted.id },
      headers: { 'last-event-id': 'yesterday' },
    });
    await expectStatus(404, 'get', '/v1/orchestrations/{id}/events', { params: { id: 'orc_nothing' } });
    await expectStatus(400, 'get', '/v1/orchestrations/{id}/events', { params: { id: 'o'.repeat(300) } });
    await expectStatus(409, 'post', '/v1/orchestrations/{id}/cancel', { params: { id: accepted.id }, body: {} });
    await expectStatus(409, 'post', '/v1/orchestrations/{id}/retry', { params: { id: accepted.id } });
    await expectStatus(404, 'get', '/v1/orchestrations/{id}', { params: { id: 'orc_nothing' } });
    await expectStatus(400, 'get', '/v1/orchestrations/{id}', { params: { id: 'o'.repeat(300) } });
    await expectStatus(404, 'post', '/v1/orchestrations/{id}/cancel', { params: { id: 'orc_nothing' }, body: {} });
    await expectStatus(400, 'post', '/v1/orchestrations/{id}/cancel', {
      params: { id: accepted.id },
      body: { reason: 7 },
    });
    await expectStatus(415, 'post', '/v1/orchestrations/{id}/cancel', {
      params: { id: accepted.id },
      body: 'stop',
      headers: { 'content-type': 'text/plain' },
    });
    await expectStatus(413, 'post', '/v1/orchestrations/{id}/cancel', {
      params: { id: accepted.id },
      body: { reason: 'r'.repeat(100 * 1024) },
    });
    await expectStatus(404, 'post', '/v1/orchestrations/{id}/retry', { params: { id: 'orc_nothing' } });
    await expectStatus(400, 'post', '/v1/orchestrations/{id}/retry', { params: { id: 'o'.repeat(300) } });
    await expectStatus(422, 'post', '/v1/orchestrations', { body: { action: { content: 'plan it yourself' } } });
    const invalid = await expectStatus(400, 'post', '/v1/orchestrations', {
      body: { action: { content: 'x' }, plan: { steps: [{ id: 'a', target: 'nobody' }] } },
    });
    expect(invalid.problems[0]).toMatchObject({ path: 'plan.steps[0].target', code: 'unknown-service' });
    await expectStatus(400, 'post', '/v1/orchestrations', { body: { action: {} } });
    await expectStatus(400, 'post', '/v1/orchestrations', {
      body: { action: { content: 'x' }, plan },
      headers: { 'idempotency-key': 'i'.repeat(300) },
    });
    await expectStatus(415, 'post', '/v1/orchestrations', { body: 'run', headers: { 'content-type': 'text/plain' } });
    await expectStatus(413, 'post', '/v1/orchestrations', {
      body: { action: { content: 'x' }, data: { blob: 'b'.repeat(100 * 1024) }, plan },
    });

    // Approvals: three orchestrations wait for one each.
    const approvalPlan = {
      steps: [
        { id: 'a', target: 'echo', input: { n: 1 } },
        { id: 'ok', approval: { prompt: 'Ship?' }, dependsOn: ['a'] },
      ],
    };
    const waiting: string[] = [];
    for (const name of ['approve', 'reject', 'cancel']) {
      const run = await expectStatus(202, 'post', '/v1/orchestrations', {
        body: { action: { content: `wait to ${name}` }, plan: approvalPlan },
      });
      waiting.push(run.id);
    }
    const approvals = await waitFor(async () => {
      const listed = await expectStatus(200, 'get', '/v1/approvals', { query: 'status=pending' });
      return listed.items.length >= 3 ? (listed.items as Json[]) : undefined;
    }, 'three pending approvals');
    const approvalOf = (orchestrationId: string) =>
      approvals.find((approval) => approval.orchestrationId === orchestrationId) as Json;
    await expectStatus(200, 'get', '/v1/approvals');
    await expectStatus(400, 'post', '/v1/approvals/{id}/approve', {
      params: { id: approvalOf(waiting[0] as string).id },
      body: { data: 1, extra: true },
    });
    await expectStatus(415, 'post', '/v1/approvals/{id}/approve', {
      params: { id: approvalOf(waiting[0] as string).id },
      body: 'yes',
      headers: { 'content-type': 'text/plain' },
    });
    await expectStatus(413, 'post', '/v1/approvals/{id}/approve', {
      params: { id: approvalOf(waiting[0] as string).id },
      body: { data: 'd'.repeat(100 * 1024) },
    });
    await expectStatus(200, 'post', '/v1/approvals/{id}/approve', {
      params: { id: approvalOf(waiting[0] as string).id },
      body: { data: { note: 'fine' } },
    });
    await expectStatus(409, 'post', '/v1/approvals/{id}/approve', {
      params: { id: approvalOf(waiting[0] as string).id },
      body: {},
    });
    await expectStatus(404, 'post', '/v1/approvals/{id}/approve', { params: { id: 'nothing' }, body: {} });
    await expectStatus(400, 'post', '/v1/approvals/{id}/reject', {
      params: { id: approvalOf(waiting[1] as string).id },
      body: { reason: '   ' },
    });
    await expectStatus(415, 'post', '/v1/approvals/{id}/reject', {
      params: { id: approvalOf(waiting[1] as string).id },
      body: 'no',
      headers: { 'content-type': 'text/plain' },
    });
    await expectStatus(413, 'post', '/v1/approvals/{id}/reject', {
      params: { id: approvalOf(waiting[1] as string).id },
      body: { reason: 'r'.repeat(100 * 1024) },
    });
    await expectStatus(200, 'post', '/v1/approvals/{id}/reject', {
      params: { id: approvalOf(waiting[1] as string).id },
      body: { reason: 'not today' },
    });
    await expectStatus(409, 'post', '/v1/approvals/{id}/reject', {
      params: { id: approvalOf(waiting[1] as string).id },
      body: { reason: 'twice' },
    });
    await expectStatus(404, 'post', '/v1/approvals/{id}/reject', { params: { id: 'nothing' }, body: { reason: 'x' } });
    await expectStatus(200, 'get', '/v1/approvals', { query: 'status=approved' });
    await expectStatus(400, 'get', '/v1/approvals', { query: 'status=maybe' });

    // Cancel one that waits, then retry it.
    await expectStatus(202, 'post', '/v1/orchestrations/{id}/cancel', {
      params: { id: waiting[2] as string },
      body: { reason: 'changed my mind' },
    });
    await settled(waiting[2] as string, ['cancelled']);
    await expectStatus(202, 'post', '/v1/orchestrations/{id}/retry', { params: { id: waiting[2] as string } });
    await expectStatus(409, 'post', '/v1/orchestrations/{id}/retry', { params: { id: waiting[2] as string } });
    await expectStatus(202, 'post', '/v1/orchestrations/{id}/cancel', { params: { id: waiting[2] as string } });
    await settled(waiting[0] as string, ['succeeded']);
    await settled(waiting[1] as string, ['failed', 'succeeded', 'cancelled']);

    // Compensations that fail for good: two revertible steps, then a step that fails.
    const compensating = await expectStatus(202, 'post', '/v1/orchestrations', {
      body: {
        action: { content: 'undo fails' },
        plan: {
          steps: [
            { id: 'first', target: 'undo', input: { n: 1 } },
            { id: 'second', target: 'undo', input: { n: 2 } },
            { id: 'boom', target: 'fail', input: {}, dependsOn: ['first', 'second'] },
          ],
        },
      },
    });
    await settled(compensating.id, ['failed']);
    const failures = await waitFor(async () => {
      const listed = await expectStatus(200, 'get', '/v1/compensation-failures');
      return listed.items.length >= 2 ? (listed.items as Json[]) : undefined;
    }, 'two failed compensations');
    await expectStatus(200, 'get', '/v1/compensation-failures', { query: 'status=open' });
    await expectStatus(400, 'get', '/v1/compensation-failures', { query: 'status=closed' });
    const [first, second] = failures as [Json, Json];
    await expectStatus(400, 'post', '/v1/compensation-failures/{id}/resolve', { params: { id: first.id }, body: {} });
    await expectStatus(415, 'post', '/v1/compensation-failures/{id}/resolve', {
      params: { id: first.id },
      body: 'done',
      headers: { 'content-type': 'text/plain' },
    });
    await expectStatus(413, 'post', '/v1/compensation-failures/{id}/resolve', {
      params: { id: first.id },
      body: { reason: 'r'.repeat(100 * 1024) },
    });
    await expectStatus(200, 'post', '/v1/compensation-failures/{id}/resolve', {
      params: { id: first.id },
      body: { reason: 'refunded by hand' },
    });
    await expectStatus(409, 'post', '/v1/compensation-failures/{id}/resolve', {
      params: { id: first.id },
      body: { reason: 'again' },
    });
    await expectStatus(404, 'post', '/v1/compensation-failures/{id}/resolve', {
      params: { id: 'nothing' },
      body: { reason: 'x' },
    });
    await expectStatus(400, 'post', '/v1/compensation-failures/{id}/ignore', { params: { id: second.id }, body: {} });
    await expectStatus(415, 'post', '/v1/compensation-failures/{id}/ignore', {
      params: { id: second.id },
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    await expectStatus(413, 'post', '/v1/compensation-failures/{id}/ignore', {
      params: { id: second.id },
      body: { reason: 'r'.repeat(100 * 1024) },
    });
    await expectStatus(200, 'post', '/v1/compensation-failures/{id}/ignore', {
      params: { id: second.id },
      body: { reason: 'nothing to undo' },
    });
    await expectStatus(409, 'post', '/v1/compensation-failures/{id}/ignore', {
      params: { id: second.id },
      body: { reason: 'again' },
    });
    await expectStatus(404, 'post', '/v1/compensation-failures/{id}/ignore', {
      params: { id: 'nothing' },
      body: { reason: 'x' },
    });

    // A failed orchestration can be retried.
    await expectStatus(202, 'post', '/v1/orchestrations/{id}/retry', { params: { id: compensating.id } });

    // Webhook deliveries, once the receiver has had one.
    await waitFor(() => hooksReceived.length > 0 || undefined, 'a webhook delivery');
    const deliveries = await waitFor(async () => {
      const listed = await expectStatus(200, 'get', '/v1/webhooks/{id}/deliveries', { params: { id: hook.id } });
      return listed.items.length > 0 ? listed : undefined;
    }, 'a listed delivery');
    expect(deliveries.items[0]).toMatchObject({ eventType: expect.stringMatching(/^orchestration\./) });
    // Every body a webhook received is what the document's `webhooks` says its type carries.
    await waitFor(
      () => hooksReceived.some((body) => JSON.parse(body).type === 'orchestration.succeeded') || undefined,
      'an orchestration.succeeded delivery',
    );
    const types = new Set<string>();
    for (const body of hooksReceived) {
      const event = JSON.parse(body) as Json;
      expect(doc.webhooks?.[event.type]?.post, `${event.type} is not in the document's webhooks`).toBeDefined();
      const validate = validatorFor(pointer('webhooks', event.type, 'post', 'requestBody'), [
        'content',
        'application/json',
        'schema',
      ]);
      expect(validate(event), `${event.type}: ${ajv.errorsText(validate.errors)} in ${body.slice(0, 500)}`).toBe(true);
      types.add(event.type);
    }
    expect(types).toContain('orchestration.planned');
    expect(types).toContain('orchestration.succeeded');
    await expectStatus(200, 'get', '/v1/webhooks/{id}/deliveries', { params: { id: hook.id }, query: 'limit=1' });
    await expectStatus(400, 'get', '/v1/webhooks/{id}/deliveries', { params: { id: hook.id }, query: 'limit=-1' });
    await expectStatus(400, 'get', '/v1/webhooks/{id}/deliveries', { params: { id: hook.id }, query: 'cursor=%%%' });
    await expectStatus(404, 'get', '/v1/webhooks/{id}/deliveries', { params: { id: 'wh_nothing' } });
    await expectStatus(400, 'get', '/v1/webhooks/{id}/deliveries', { params: { id: 'w'.repeat(300) } });
    await expectStatus(204, 'delete', '/v1/webhooks/{id}', { params: { id: hook.id } });
    await expectStatus(404, 'delete', '/v1/webhooks/{id}', { params: { id: hook.id } });
    await expectStatus(400, 'delete', '/v1/webhooks/{id}', { params: { id: 'w'.repeat(300) } });
  });
  it('refuses every documented route without a key (401), with the wrong credential (403) and past the rate (429)', async () => {
    for (const [template, operations] of Object.entries(doc.paths)) {
      if (!template.startsWith('/v1/')) continue;
      for (const method of Object.keys(operations as Json) as Method[]) {
        const params = { id: 'x' };
        const body = method === 'post' ? {} : undefined;
        await expectStatus(401, method, template, { params, key: null, ...(body === undefined ? {} : { body }) });
        await expectStatus(401, method, template, {
          params,
          key: 'bk_not-a-key-at-all-but-long-enough-to-look-like-one',
          ...(body === undefined ? {} : { body }),
        });
        const admin = template === '/v1/projects';
        await expectStatus(403, method, template, {
          params,
          key: admin ? t.apiKey : t.adminToken,
          ...(body === undefined ? {} : { body }),
        });
      }
    }
    const limitedAnswer = await waitFor(async () => {
      const answer = await call('get', '/v1/services', { server: limited });
      return answer.status === 429 ? answer : undefined;
    }, 'a 429 at one request a second');
    expect(limitedAnswer.response.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('answers the operational routes without a key', async () => {
    await expectStatus(200, 'get', '/health', { key: null });
    expect(await expectStatus(200, 'get', '/ready', { key: null })).toMatchObject({ status: 'ready' });
    const metrics = await call('get', '/metrics', { key: null });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^# HELP /m);
  });

  it('serves /docs with local assets only', async () => {
    const page = await fetch(`${t.server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      expect(reference).toMatch(/^\/docs\/assets\//);
      const asset = await fetch(`${t.server.url}${reference}`);
      expect(asset.status, reference).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    expect(html).not.toMatch(/https?:\/\//);
    const missing = await fetch(`${t.server.url}/docs/assets/..%2Fpackage.json`);
    expect(missing.status).toBe(404);
    const slash = await fetch(`${t.server.url}/docs/`, { redirect: 'manual' });
    expect([slash.status, slash.headers.get('location')]).toEqual([301, '/docs']);
  });

  it('exercised every documented operation with a success answer', () => {
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations as Json)) {
        const statuses = seen.get(`${method} ${template}`) ?? new Set<number>();
        const success = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
        expect(
          success.some((status) => statuses.has(Number(status))),
          `${method.toUpperCase()} ${template} was never answered with ${success.join('/')}`,
        ).toBe(true);
      }
    }
    const all = new Set([...seen.values()].flatMap((statuses) => [...statuses]));
    for (const status of [400, 401, 403, 404, 409, 413, 415, 422, 429]) expect(all).toContain(status);
  });
});
