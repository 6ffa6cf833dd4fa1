/**
 * Hundreds of malformed HTTP requests across the routes: every one is answered with a 4xx problem document that says
 * what was wrong (and with which value, clipped when large), never a 5xx — and between the batches a well-behaved
 * client (a service registered over the socket and an orchestration over it) keeps working.
 */
import { request as httpRequest } from 'node:http';
import { MAX_JSON_DEPTH } from '@baton/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
} from '../server-test-kit.js';

type Json = Record<string, any>;

interface BadRequest {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  key?: string | null;
  /** The statuses this request may get; any 4xx when absent. */
  status?: number | number[];
  code?: string;
  /** Text the detail must contain. */
  detail?: string | RegExp;
  /** Problem paths that must be listed. */
  paths?: string[];
}

const BODY_LIMIT = 1024 * 1024;
const MAX_DETAIL = 2000;

async function waitFor<T>(read: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 1500; attempt += 1) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function nested(depth: number, open: string, close: string, leaf = '1'): string {
  return `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;
}

describe('malformed HTTP requests', () => {
  let t: TestServer;
  let service: RawService;
  let orchestrationId: string;
  let sent = 0;

  /** Sends a malformed request and checks the problem document it gets. */
  async function refuse(request: BadRequest): Promise<Json> {
    const response = await t
      .request(request.path, {
        method: request.method,
        // Only so that a request that never gets an answer fails with its name instead of the test's timeout.
        signal: AbortSignal.timeout(15_000),
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.headers === undefined ? {} : { headers: request.headers }),
        ...(request.key === undefined ? {} : { key: request.key }),
      })
      .catch((error: Error) => {
        throw new Error(`${request.name}: ${request.method} ${request.path.slice(0, 80)} failed: ${error.message}`, {
          cause: error,
        });
      });
    sent += 1;
    const text = await response.text();
    const where = `${request.name}: ${request.method} ${request.path.slice(0, 80)} → ${response.status} ${text.slice(0, 300)}`;
    expect(response.status, where).toBeLessThan(500);
    expect(response.status, where).toBeGreaterThanOrEqual(400);
    if (request.status !== undefined) {
      expect([request.status].flat(), where).toContain(response.status);
    }
    expect(response.headers.get('content-type'), where).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text) as Json;
    expect(problem, where).toMatchObject({
      type: expect.stringMatching(/^urn:baton:problem:/),
      title: expect.any(String),
      status: response.status,
      detail: expect.any(String),
      code: expect.any(String),
    });
    expect(problem.detail.length, where).toBeGreaterThan(10);
    expect(problem.detail.length, where).toBeLessThan(MAX_DETAIL);
    expect(text.length, where).toBeLessThan(64 * 1024);
    if (request.code !== undefined) expect(problem.code, where).toBe(request.code);
    if (request.detail !== undefined) expect(problem.detail, where).toMatch(request.detail);
    if (problem.code === 'invalid-request' || problem.problems !== undefined) {
      expect(problem.problems, where).toBeInstanceOf(Array);
      expect(problem.problems.length, where).toBeGreaterThan(0);
      for (const item of problem.problems) {
        expect(item, where).toEqual({
          path: expect.any(String),
          code: expect.any(String),
          message: expect.any(String),
        });
      }
    }
    for (const path of request.paths ?? []) {
      const listed = (problem.problems as Json[]).map((item) => item.path as string);
      expect(
        listed.some((item) => item === path || item.startsWith(`${path}.`)),
        `${where}: ${path} is not among ${listed.join(', ')}`,
      ).toBe(true);
    }
    return problem;
  }

  async function refuseAll(requests: BadRequest[]): Promise<void> {
    for (const request of requests) await refuse(request);
  }

  /** A well-behaved client: an orchestration over the registered service succeeds. */
  async function stillServing(): Promise<void> {
    const response = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({
        action: { content: 'still there?' },
        plan: { steps: [{ id: 'ping', target: 'echo', input: { n: sent } }] },
      }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const done = await waitFor(async () => {
      const view = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as Json;
      return ['succeeded', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
    }, 'the well-behaved orchestration');
    expect(done.status).toBe('succeeded');
    expect(done.result).toEqual({ ping: { n: sent } });
  }

  beforeAll(async () => {
    t = await startTestServer({ bodyLimitBytes: BODY_LIMIT });
    service = await connectRawService(t.server.url, t.apiKey, {
      hello: echoService('echo'),
      answer: (task) => task.input,
      heartbeat: true,
    });
    const response = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({
        action: { content: 'waits' },
        plan: { steps: [{ id: 'ok', approval: { prompt: 'Ship?' } }] },
      }),
    });
    orchestrationId = ((await response.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await service?.close();
    await t?.close();
  });

  const bodyRoutes = () =>
    [
      { path: '/v1/projects', valid: { name: 'p' }, key: t.adminToken, fields: { name: 'p' } },
      { path: '/v1/api-keys', valid: { name: 'k' }, fields: { name: 'k' } },
      {
        path: '/v1/orchestrations',
        valid: { action: { content: 'x' }, plan: { steps: [{ id: 'a', target: 'echo', input: {} }] } },
        fields: { action: { content: 'x' }, plan: { steps: [{ id: 'a', target: 'echo' }] } },
      },
      { path: `/v1/orchestrations/${orchestrationId}/cancel`, valid: { reason: 'r' }, fields: { reason: 'r' } },
      { path: '/v1/approvals/nothing/approve', valid: { data: 1 }, fields: {} },
      { path: '/v1/approvals/nothing/reject', valid: { reason: 'no' }, fields: { reason: 'no' } },
      { path: '/v1/compensation-failures/nothing/resolve', valid: { reason: 'r' }, fields: { reason: 'r' } },
      { path: '/v1/compensation-failures/nothing/ignore', valid: { reason: 'r' }, fields: { reason: 'r' } },
      { path: '/v1/webhooks', valid: { url: 'https://example.com/hook' }, fields: { url: 'https://example.com/hook' } },
    ] as Array<{ path: string; valid: Json; key?: string; fields: Json }>;

  it('refuses malformed bodies on every route that takes one', async () => {
    const requests: BadRequest[] = [];
    for (const route of bodyRoutes()) {
      const base = { method: 'POST', path: route.path, ...(route.key === undefined ? {} : { key: route.key }) };
      const malformed = (name: string, body: string) =>
        requests.push({
          ...base,
          name,
          body,
          status: 400,
          code: 'malformed-request',
          // Where the parser stopped, in its words.
          detail: /^the body is not valid JSON: .*(position|JSON|token|end)/i,
        });
      malformed('an unclosed object', '{');
      malformed('a trailing comma', '{"name": "x",}');
      malformed('single quotes', "{'name': 'x'}");
      malformed('a bare word', 'undefined');
      malformed('two documents', '{}{}');
      malformed('a lone surrogate escape cut short', '{"name": "\\ud800');
      if (!route.path.endsWith('/cancel')) {
        requests.push({ ...base, name: 'an empty body', body: '', status: 400 });
      }
      for (const [name, body] of [
        ['null', 'null'],
        ['an array', '[]'],
        ['a number', '42'],
        ['a string', '"x"'],
        ['true', 'true'],
      ]) {
        requests.push({
          ...base,
          name: `${name} instead of an object`,
          body: body as string,
          status: 400,
          paths: ['body'],
        });
      }
      requests.push({
        ...base,
        name: 'an unknown field',
        body: JSON.stringify({ ...route.valid, surprise: true }),
        status: 400,
        code: 'invalid-request',
        detail: /surprise/,
      });
      for (const [field] of Object.entries(route.fields)) {
        for (const wrong of [12, [], { nested: true }, true]) {
          requests.push({
            ...base,
            name: `${field} as ${JSON.stringify(wrong)}`,
            body: JSON.stringify({ ...route.valid, [field]: wrong }),
            status: 400,
            // The detail names the field, and the value when the field itself is wrong.
            detail:
              typeof wrong === 'object'
                ? new RegExp(`body\\.${field}`)
                : new RegExp(`body\\.${field}.*\\(got ${escapeRegExp(JSON.stringify(wrong))}\\)`),
            paths: [`body.${field}`],
          });
        }
        const { [field]: _missing, ...without } = route.valid;
        // A cancel without a reason is fine; an orchestration without a plan waits for planning (422).
        if (!route.path.endsWith('/cancel')) {
          requests.push({
            ...base,
            name: `no ${field}`,
            body: JSON.stringify(without),
            status: field === 'plan' ? 422 : 400,
          });
        }
        requests.push({
          ...base,
          name: `${field} as a huge string`,
          body: JSON.stringify({ ...route.valid, [field]: 'z'.repeat(500_000) }),
          status: 400,
          detail: /\(got "z+…\)/,
          paths: [`body.${field}`],
        });
      }
      requests.push({
        ...base,
        name: 'nested 10 000 levels deep (arrays)',
        body: `{"deep": ${nested(10_000, '[', ']')}}`,
        status: 400,
      });
      requests.push({
        ...base,
        name: 'nested 10 000 levels deep (objects)',
        body: `{"deep": ${nested(10_000, '{"a":', '}')}}`,
        status: 400,
      });
      requests.push({
        ...base,
        name: 'nested 200 000 levels deep',
        body: nested(200_000, '[', ']'),
        status: 400,
      });
      for (const type of [
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ]) {
        requests.push({
          ...base,
          name: `sent as ${type}`,
          body: JSON.stringify(route.valid),
          headers: { 'content-type': type },
          status: 415,
          code: 'unsupported-media-type',
        });
      }
      for (const encoding of ['gzip', 'br', 'deflate, gzip']) {
        requests.push({
          ...base,
          name: `sent with Content-Encoding ${encoding}`,
          body: JSON.stringify(route.valid),
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
          status: 415,
          code: 'unsupported-content-encoding',
        });
      }
      requests.push({
        ...base,
        name: 'over the body limit',
        body: JSON.stringify({ ...route.valid, padding: 'p'.repeat(BODY_LIMIT) }),
        status: 413,
        code: 'body-too-large',
        detail: String(BODY_LIMIT),
      });
      requests.push({
        ...base,
        name: 'invalid UTF-8',
        body: new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        status: 400,
      });
    }
    await refuseAll(requests);
    expect(requests.length).toBeGreaterThanOrEqual(200);
    await stillServing();
  });

  it('refuses bad ids on every route that takes one', async () => {
    const ids: Array<[string, string]> = [
      ['a very long id', encodeURIComponent('i'.repeat(5000))],
      ['a unicode id', encodeURIComponent('ünïcødé-💥-标识')],
      ['an encoded ../', '..%2F..%2F..%2Fetc%2Fpasswd'],
      ['a NUL byte', 'orc%00'],
      ['a lone NUL', '%00'],
      ['an invalid percent escape', '%ff%fe'],
      ['a broken percent escape', '%E0%A4%A'],
      ['a bare percent', '100%'],
      ['SQL', encodeURIComponent("x' OR '1'='1")],
      ['markup', encodeURIComponent('<script>alert(1)</script>')],
      ['spaces', 'a%20b%20c'],
    ];
    const routes: Array<[string, string, string?]> = [
      ['DELETE', '/v1/api-keys/:id'],
      ['GET', '/v1/services/:id'],
      ['DELETE', '/v1/services/:id'],
      ['GET', '/v1/orchestrations/:id'],
      ['GET', '/v1/orchestrations/:id/events'],
      ['POST', '/v1/orchestrations/:id/cancel', '{}'],
      ['POST', '/v1/orchestrations/:id/retry'],
      ['POST', '/v1/approvals/:id/approve', '{}'],
      ['POST', '/v1/approvals/:id/reject', '{"reason":"no"}'],
      ['POST', '/v1/compensation-failures/:id/resolve', '{"reason":"r"}'],
      ['POST', '/v1/compensation-failures/:id/ignore', '{"reason":"r"}'],
      ['DELETE', '/v1/webhooks/:id'],
      ['GET', '/v1/webhooks/:id/deliveries'],
    ];
    const requests: BadRequest[] = [];
    for (const [method, template, body] of routes) {
      for (const [name, id] of ids) {
        requests.push({
          name,
          method,
          path: template.replace(':id', id),
          ...(body === undefined ? {} : { body }),
          status: [400, 404],
        });
      }
    }
    const problems = await Promise.all(requests.map(async (request) => [request, await refuse(request)] as const));
    for (const [request, problem] of problems) {
      if (problem.status === 404 && request.name === 'a unicode id')
        expect(problem.detail).toContain('ünïcødé-💥-标识');
      if (problem.status === 404 && request.name === 'a very long id') expect(problem.detail).toContain('…');
    }
    await stillServing();
  });

  // Sent as is (fetch would resolve the dot segments first); the server resolves them like a URL, so none reaches
  // outside the API, and what is left is a path no route serves or an id no object has.
  it('refuses raw paths with dot segments and broken escapes', async () => {
    const paths = [
      '/v1/services/../../etc/passwd',
      '/v1/orchestrations/../projects',
      '/v1/../v1/projects',
      '/v1/services/./',
      '//v1//services',
      '/v1/services/%',
      '/v1/services/%E0%A4%A',
      '/v1/services/%00/../x',
      '/v1/orchestrations/a%2F..%2F..%2Fprojects/events',
      `/v1/orchestrations/${'../'.repeat(1000)}`,
    ];
    for (const path of paths) {
      const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const request = httpRequest(
          `${t.server.url}${path}`,
          { method: 'GET', headers: { authorization: `Bearer ${t.apiKey}` } },
          (response) => {
            let body = '';
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'] ?? '', body }),
            );
          },
        );
        request.path = path;
        request.on('error', reject);
        request.end();
      });
      sent += 1;
      expect(answer.status, `${path} → ${answer.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(answer.type, path).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(answer.body)).toMatchObject({ status: answer.status, code: expect.any(String) });
    }
    await stillServing();
  });

  it('refuses bad cursors, limits, statuses, Last-Event-ID and Idempotency-Key values', async () => {
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cursors = [
      '',
      '!!!',
      'not-a-cursor',
      Buffer.from('plain text').toString('base64url'),
      cursor({ t: 1, i: 'x' }),
      cursor(['yesterday', 'x']),
      cursor([1.5, 'x']),
      cursor([1]),
      cursor([1, 'x', 2]),
      cursor(null),
      'c'.repeat(501),
      'c'.repeat(5000),
      encodeURIComponent('ü'),
    ];
    // Only decimal digits: a number in another notation (hex, exponent, a sign, a space) is no page size a client means.
    const limits = [
      '0',
      '-1',
      'abc',
      '1.5',
      '201',
      '1e9',
      'NaN',
      'Infinity',
      '',
      '9'.repeat(400),
      '0x10',
      '1e1',
      '%205',
      '+5',
    ];
    const requests: BadRequest[] = [];
    for (const list of [
      '/v1/orchestrations',
      '/v1/webhooks/HOOK/deliveries',
      '/v1/approvals',
      '/v1/compensation-failures',
    ]) {
      for (const value of cursors) {
        requests.push({
          name: `cursor ${value.slice(0, 20)}`,
          method: 'GET',
          path: `${list}?cursor=${value}`,
          status: 400,
        });
      }
      for (const value of limits) {
        requests.push({
          name: `limit ${value.slice(0, 20)}`,
          method: 'GET',
          path: `${list}?limit=${value}`,
          status: 400,
          paths: ['query.limit'],
        });
      }
    }
    for (const list of [
      '/v1/orchestrations?stauts=failed',
      '/v1/approvals?state=pending',
      '/v1/compensation-failures?status=open&runId=x',
      '/v1/plan-templates?page=2',
      '/v1/webhooks/HOOK/deliveries?offset=10',
      '/v1/orchestrations/ORC?wait=1000',
    ]) {
      // A misspelt filter or parameter is refused, not ignored (which answered the unfiltered list).
      requests.push({ name: `unknown parameter ${list}`, method: 'GET', path: list, status: 400, paths: ['query'] });
    }
    for (const list of ['/v1/orchestrations', '/v1/approvals', '/v1/compensation-failures']) {
      for (const status of ['sleeping', '', 'RUNNING', 'x'.repeat(1000)]) {
        requests.push({
          name: `status ${status.slice(0, 20)}`,
          method: 'GET',
          path: `${list}?status=${status}`,
          status: 400,
          paths: ['query.status'],
        });
      }
    }
    for (const lastEventId of ['abc', '1', '1.2.3', '-1.0', '9999999.0', '0.1234567890123', '0.-1', 'x'.repeat(5000)]) {
      requests.push({
        name: `Last-Event-ID ${lastEventId.slice(0, 20)}`,
        method: 'GET',
        path: `/v1/orchestrations/${orchestrationId}/events`,
        headers: { 'last-event-id': lastEventId },
        status: 400,
        code: 'invalid-last-event-id',
        detail: lastEventId.slice(0, 20),
      });
    }
    for (const key of ['', 'k'.repeat(256), 'k'.repeat(10_000)]) {
      requests.push({
        name: `Idempotency-Key of ${key.length} characters`,
        method: 'POST',
        path: '/v1/orchestrations',
        headers: { 'idempotency-key': key },
        body: JSON.stringify({ action: { content: 'x' }, plan: { steps: [{ id: 'a', target: 'echo' }] } }),
        status: 400,
        code: 'invalid-idempotency-key',
        detail: String(key.length),
      });
    }
    const hook = await t.request('/v1/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: 'https://93.184.215.14/hook' }),
    });
    const hookId = hook.status === 201 ? ((await hook.json()) as { id: string }).id : 'wh_nothing';
    for (const request of requests) request.path = request.path.replace('HOOK', hookId);
    if (hookId === 'wh_nothing') {
      for (const request of requests) if (request.path.includes('/deliveries')) request.status = [400, 404];
    }
    await refuseAll(requests);
    const unknownEvent = await refuse({
      name: 'a webhook for an event there is not',
      method: 'POST',
      path: '/v1/webhooks',
      body: JSON.stringify({ url: 'https://93.184.215.14/hook', events: ['orchestration.finished', 'nope.*'] }),
      status: 400,
      code: 'validation-failed',
    });
    expect(unknownEvent.problems.map((item: Json) => [item.path, item.code])).toEqual([
      ['events[0]', 'unknown-event'],
      ['events[1]', 'unknown-event'],
    ]);
    expect(unknownEvent.problems[0].message).toContain('orchestration.succeeded');
    for (const [url, message] of [
      [`https://93.184.215.14/${'a'.repeat(2100)}`, 'at most 2000 characters'],
      ['http://93.184.215.14:0/hook', 'port 0'],
    ] as const) {
      const refused = await refuse({
        name: `a webhook at ${url.slice(0, 30)}`,
        method: 'POST',
        path: '/v1/webhooks',
        body: JSON.stringify({ url }),
        status: 400,
      });
      expect(refused.problems.map((item: Json) => item.path)).toEqual(['body.url']);
      expect(refused.problems[0].message).toContain(message);
    }
    const retried = await refuse({
      name: 'a retry with a field it does not take',
      method: 'POST',
      path: '/v1/orchestrations/orc_unknown/retry',
      body: JSON.stringify({ plan: {} }),
      status: 400,
    });
    expect(retried.detail).toContain('Unrecognized key: "plan"');
    await stillServing();
  });

  it('refuses bodies nested too deeply even where any value is allowed, and takes reasonable nesting', async () => {
    const plan = { steps: [{ id: 'a', target: 'echo', input: { v: { $ref: 'request.data.deep' } } }] };
    const requests: BadRequest[] = [];
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 10_000, 100_000]) {
      for (const [open, close] of [
        ['{"a":', '}'],
        ['[', ']'],
      ] as const) {
        requests.push({
          name: `data nested ${depth} levels deep`,
          method: 'POST',
          path: '/v1/orchestrations',
          body: `{"action":{"content":"x"},"plan":${JSON.stringify(plan)},"data":{"deep":${nested(depth, open, close)}}}`,
          status: 400,
          code: 'too-deeply-nested',
          detail: String(MAX_JSON_DEPTH),
          paths: ['body'],
        });
        requests.push({
          name: `approval data nested ${depth} levels deep`,
          method: 'POST',
          path: '/v1/approvals/nothing/approve',
          body: `{"data":${nested(depth, open, close)}}`,
          status: 400,
          code: 'too-deeply-nested',
        });
      }
    }
    requests.push({
      name: 'brackets inside strings do not count, an escaped quote does not end one',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({ action: { content: `"${'['.repeat(5_000)}` } }),
      status: 422,
    });
    await refuseAll(requests);
    const deep = JSON.parse(nested(MAX_JSON_DEPTH - 3, '{"a":', '}'));
    const accepted = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({ action: { content: 'deep but fine' }, plan, data: { deep } }),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const done = await waitFor(async () => {
      const view = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as Json;
      return view.status === 'running' ? undefined : view;
    }, 'the deep orchestration');
    expect(done.status).toBe('succeeded');
    expect(done.result).toEqual({ a: { v: deep } });
    await stillServing();
  });

  it('lists every problem of a plan with many', async () => {
    const plan = {
      steps: [
        { id: 'a', target: 'nobody' },
        { id: 'b', target: 'nobody-else' },
        { id: 'c', target: 'echo', policy: { fallback: ['ghost'] } },
        { id: 'd', target: { capability: 'translate' } },
      ],
    };
    const problem = await refuse({
      name: 'a plan with four unknown targets',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({ action: { content: 'x' }, plan }),
      status: 400,
      code: 'invalid-plan',
      detail: /4 problem/,
    });
    expect(problem.problems.map((item: Json) => item.path)).toEqual([
      'plan.steps[0].target',
      'plan.steps[1].target',
      'plan.steps[2].policy.fallback[0]',
      'plan.steps[3].target',
    ]);
    expect(problem.problems[0].message).toContain('nobody');
    // An unknown service on a step of a cycle: both are said.
    const both = await refuse({
      name: 'an unknown service in a cycle',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({
        action: { content: 'x' },
        plan: {
          steps: [
            { id: 'a', target: 'nobody', dependsOn: ['b'] },
            { id: 'b', target: 'echo', dependsOn: ['a'] },
          ],
        },
      }),
      status: 400,
      code: 'invalid-plan',
      detail: /2 problem/,
    });
    expect(both.problems.map((item: Json) => [item.path, item.code])).toEqual([
      ['plan.steps[0].target', 'unknown-service'],
      ['plan.steps[0]', 'cycle'],
    ]);
    // Thousands of mistakes get a short answer that names the first of them (the problem check bounds its size).
    const many = await refuse({
      name: 'a plan with 3,000 unknown targets',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({
        action: { content: 'x' },
        plan: { steps: Array.from({ length: 3000 }, (_, i) => ({ id: `s${i}`, target: `ghost-${i}` })) },
      }),
      status: 400,
      code: 'invalid-plan',
      detail: /3000 problem.*first 100 of 3000 listed/,
    });
    expect(many.problems).toHaveLength(100);
    // The schema's limit is the engine's (the longest timer): the problem names the field the caller sent.
    await refuse({
      name: 'a timeout past the longest timer',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({
        action: { content: 'x' },
        plan: { steps: [{ id: 'a', target: 'echo' }] },
        timeoutMs: 2_147_483_648,
      }),
      status: 400,
      code: 'invalid-request',
      paths: ['body.timeoutMs'],
    });
    expect(many.problems[0]).toMatchObject({ path: 'plan.steps[0].target' });
    const keys = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    const unknownKeys = await refuse({
      name: 'a cancel with 50,000 unknown keys',
      method: 'POST',
      path: `/v1/orchestrations/${orchestrationId}/cancel`,
      body: JSON.stringify(keys),
      status: 400,
    });
    expect(unknownKeys.problems[0].message.length).toBeLessThanOrEqual(500);
    const engineProblems = await refuse({
      name: 'a plan the engine refuses in several places',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({
        action: { content: 'x' },
        plan: {
          steps: [
            { id: 'a', target: 'echo', dependsOn: ['missing'] },
            { id: 'a', target: 'echo' },
            { id: 'c', target: 'echo', input: { x: { $ref: 'steps.nowhere.output' } } },
            { id: 'd', target: 'echo', dependsOn: ['e'] },
            { id: 'e', target: 'echo', dependsOn: ['d'] },
          ],
        },
      }),
      status: 400,
      code: 'invalid-plan',
    });
    expect(engineProblems.problems.length).toBeGreaterThanOrEqual(4);
    expect(engineProblems.detail).toContain(`${engineProblems.problems.length} problem`);
    const shapeProblems = await refuse({
      name: 'a body with problems in many fields',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({
        action: { content: '' },
        data: [],
        plan: { steps: [] },
        webhook: 'ftp://nope',
        timeoutMs: -5,
        budget: { tokens: 'many' },
      }),
      status: 400,
      code: 'invalid-request',
    });
    expect(shapeProblems.problems.map((item: Json) => item.path)).toEqual(
      expect.arrayContaining([
        'body.action.content',
        'body.data',
        'body.plan.steps',
        'body.webhook',
        'body.timeoutMs',
        'body.budget.tokens',
      ]),
    );
    await stillServing();
  });

  it('names one problem for a value of the wrong type, not the length checks that ran on it anyway', async () => {
    const problem = await refuse({
      name: 'a key name that is an empty array',
      method: 'POST',
      path: '/v1/api-keys',
      body: JSON.stringify({ name: [] }),
      status: 400,
      code: 'invalid-request',
      paths: ['body.name'],
    });
    expect(problem.problems).toEqual([
      { path: 'body.name', code: 'invalid_type', message: 'Invalid input: expected string, received array' },
    ]);
    expect(problem.detail).toBe(
      'the request body has 1 problem(s): body.name: Invalid input: expected string, received array (got [])',
    );
  });

  it('says the range of a number in the query that is out of it, not that it is no number', async () => {
    for (const [path, range] of [
      ['/v1/orchestrations?limit=0', 'from 1 to 200'],
      ['/v1/approvals?limit=5000', 'from 1 to 200'],
      ['/v1/orchestrations/orc_none?waitMs=99999999', 'from 0 to 60000'],
    ] as const) {
      const response = await t.request(path);
      expect(response.status, path).toBe(400);
      const problem = (await response.json()) as { problems: { message: string }[] };
      expect(problem.problems[0]?.message, path).toBe(`must be ${range}`);
    }
  });

  it('says what an orchestration action must be when it is missing or not an object', async () => {
    const shape = 'an object { "content": "<the action in words>" }';
    for (const [name, body, detail] of [
      ['no action', { data: { city: 'Paris' } }, `body.action: required: ${shape}`],
      ['an action as a bare string', { action: 'hello' }, `body.action: expected ${shape} (got "hello")`],
    ] as const) {
      const problem = await refuse({
        name,
        method: 'POST',
        path: '/v1/orchestrations',
        body: JSON.stringify(body),
        status: 400,
        code: 'invalid-request',
        paths: ['body.action'],
      });
      expect(problem.detail).toBe(`the request body has 1 problem(s): ${detail}`);
    }
    // A wrong field inside the object keeps its own message.
    const inside = await refuse({
      name: 'an action with an unknown field',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({ action: { content: 'x', text: 'y' } }),
      status: 400,
    });
    expect(inside.detail).toContain('Unrecognized key: "text"');
    // A plan's steps at the top of the body: the problem says where they go.
    const steps = await refuse({
      name: 'steps at the top of the body',
      method: 'POST',
      path: '/v1/orchestrations',
      body: JSON.stringify({ action: { content: 'x' }, steps: [{ id: 'a', target: 'echo', input: {} }] }),
      status: 400,
    });
    expect(steps.detail).toContain(`Unrecognized key: "steps"; a plan's steps go under "plan": { "steps": [ … ] }`);
  });

  it('answers 413 past the default 16 MiB limit', async () => {
    const defaults = await startTestServer();
    try {
      const response = await defaults.request('/v1/api-keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'x'.repeat(16 * 1024 * 1024 + 1) }),
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({
        code: 'body-too-large',
        detail: expect.stringContaining('16777216'),
      });
      const fine = await defaults.request('/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: 'ok' }) });
      expect(fine.status).toBe(201);
    } finally {
      await defaults.close();
    }
    expect(sent).toBeGreaterThan(200);
  });
});
