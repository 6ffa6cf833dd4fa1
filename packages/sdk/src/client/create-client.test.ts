import { afterEach, describe, expect, it } from 'vitest';
import { BatonApiError } from './api-error.js';
import { createClient } from './create-client.js';
import {
  anAccepted,
  anOrchestration,
  aSummary,
  type FakeHandler,
  type FakeServer,
  type RecordedRequest,
  sendJson,
  sendProblem,
  startFakeServer,
} from './fake-server-test-kit.js';
import { BatonProtocolError } from './protocol-error.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(handler: FakeHandler) {
  server = await startFakeServer(handler);
  return createClient({ url: server.url, apiKey: 'key_secret', retry: { minDelayMs: 1, maxDelayMs: 2 } });
}

const TIME = '2026-01-01T00:00:00.000Z';
const approval = {
  id: 'apr_1',
  orchestrationId: 'orc_1',
  stepId: 'pay',
  prompt: 'Pay?',
  status: 'approved',
  expiresAt: null,
};
const service = {
  id: 'svc_1',
  name: 'fetcher',
  kind: 'service',
  description: 'fetches',
  version: 1,
  declaredVersion: null,
  input: null,
  output: null,
  revertible: false,
  effectFree: true,
  health: 'healthy',
  instances: [],
  createdAt: TIME,
  updatedAt: TIME,
};
const apiKey = { id: 'key_1', name: 'ci', prefix: 'bk_12', createdAt: TIME, lastUsedAt: null };
const webhook = { id: 'wh_1', url: 'https://example.com/hook', events: null, createdAt: TIME };
const delivery = {
  id: 'del_1',
  eventType: 'orchestration.succeeded',
  status: 'delivered',
  attempts: 1,
  lastStatusCode: 200,
  lastError: null,
  createdAt: TIME,
  deliveredAt: TIME,
  nextAttemptAt: null,
};
const compensation = {
  id: 'cf_1',
  orchestrationId: 'orc_1',
  stepId: 'pay',
  service: 'payments',
  error: { message: 'refund failed' },
  status: 'resolved',
  reason: 'refunded by hand',
  createdAt: TIME,
  updatedAt: TIME,
};

/** Answers as the server's routes would, by method and path. */
const routes: FakeHandler = (request, response) => {
  const route = `${request.method} ${request.path}`;
  const answers: Record<string, [number, unknown?]> = {
    'POST /v1/orchestrations': [202, anAccepted()],
    'GET /v1/orchestrations/orc_1': [200, anOrchestration()],
    'POST /v1/orchestrations/orc_1/cancel': [202, anOrchestration({ status: 'cancelled' })],
    'POST /v1/orchestrations/orc_1/retry': [202, anAccepted()],
    'GET /v1/approvals': [200, { items: [approval], nextCursor: null }],
    'POST /v1/approvals/apr_1/approve': [200, approval],
    'POST /v1/approvals/apr_1/reject': [200, { ...approval, status: 'rejected' }],
    'GET /v1/services': [200, { items: [service] }],
    'GET /v1/services/svc_1': [200, service],
    'DELETE /v1/services/svc_1': [204],
    'POST /v1/api-keys': [201, { ...apiKey, key: 'bk_12345' }],
    'GET /v1/api-keys': [200, { items: [apiKey] }],
    'DELETE /v1/api-keys/key_1': [204],
    'POST /v1/webhooks': [201, { ...webhook, secret: 'whsec_1' }],
    'GET /v1/webhooks': [200, { items: [webhook] }],
    'DELETE /v1/webhooks/wh_1': [204],
    'GET /v1/webhooks/wh_1/deliveries': [200, { items: [delivery], nextCursor: null }],
    'GET /v1/compensation-failures': [200, { items: [compensation], nextCursor: null }],
    'POST /v1/compensation-failures/cf_1/resolve': [200, compensation],
    'POST /v1/compensation-failures/cf_1/ignore': [200, { ...compensation, status: 'ignored' }],
  };
  const answer = answers[route];
  if (!answer) return sendProblem(response, 404, { code: 'not-found', detail: `no route ${route}` });
  if (answer[0] === 204) {
    response.writeHead(204);
    return response.end();
  }
  sendJson(response, answer[0], answer[1]);
};

function sent(request: RecordedRequest | undefined) {
  return [`${request?.method} ${request?.url}`, request?.body ? JSON.parse(request.body) : undefined];
}

describe('createClient', () => {
  it('sends an Idempotency-Key with orchestrate, the same one on a retry, and the body the server expects', async () => {
    let calls = 0;
    const client = await clientFor((request, response) => {
      calls++;
      if (calls === 1) return sendProblem(response, 503, { code: 'unavailable' });
      if (calls === 2) return response.socket?.destroy();
      routes(request, response);
    });
    const run = await client.orchestrate({
      action: 'Summarize',
      data: { ticket: 'T-1' },
      plan: { steps: [{ id: 'fetch' }] },
      timeoutMs: 1000,
      budget: { tokens: 10 },
      webhook: 'https://example.com/hook',
    });
    expect(run.id).toBe('orc_1');
    const keys = server?.requests.map((request) => request.headers['idempotency-key']) ?? [];
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(JSON.parse(server?.requests[2]?.body ?? '')).toEqual({
      action: { content: 'Summarize' },
      data: { ticket: 'T-1' },
      plan: { steps: [{ id: 'fetch' }] },
      timeoutMs: 1000,
      budget: { tokens: 10 },
      webhook: 'https://example.com/hook',
    });
    expect(server?.requests[2]?.headers['content-type']).toBe('application/json');
  });

  it("puts a refused plan's problems into the error's message, keeping them in .problems", async () => {
    const problems = [
      {
        path: 'plan.steps[0].target',
        code: 'unknown-target',
        message: 'no service "nope" is registered in this project',
      },
    ];
    const client = await clientFor((_request, response) =>
      sendProblem(response, 400, {
        code: 'invalid-plan',
        title: 'Invalid plan',
        detail: 'the plan has 1 problem(s)',
        problems,
      }),
    );
    const refused = await client
      .orchestrate({ action: 'Check', plan: { steps: [{ id: 'a', target: 'nope', input: {} }] } })
      .catch((error: unknown) => error);
    expect(BatonApiError.isInstance(refused) && refused.problems).toEqual(problems);
    expect((refused as Error).message).toMatch(
      /answered 400 Invalid plan: the plan has 1 problem\(s\) — plan\.steps\[0\]\.target: no service "nope" is registered in this project$/,
    );
  });

  it("sends the caller's idempotency key and a fresh one for each call without", async () => {
    const client = await clientFor(routes);
    await client.orchestrate({ action: { content: 'a' }, idempotencyKey: 'order-17' });
    await client.orchestrate({ action: 'b' });
    await client.orchestrate({ action: 'c' });
    const keys = server?.requests.map((request) => request.headers['idempotency-key']);
    expect(keys?.[0]).toBe('order-17');
    expect(keys?.[1]).not.toBe(keys?.[2]);
    expect(JSON.parse(server?.requests[0]?.body ?? '')).toEqual({ action: { content: 'a' } });
  });

  it('sends the API key as a bearer header on every /v1 route, never in a URL', async () => {
    const client = await clientFor(routes);
    await client.get('orc_1');
    await client.services();
    await client.apiKeys.list();
    for (const request of server?.requests ?? []) {
      expect(request.headers.authorization).toBe('Bearer key_secret');
      expect(request.url).not.toContain('key_secret');
    }
  });

  it('walks every page with listAll, passing the filters and each nextCursor', async () => {
    const pages: Record<string, unknown> = {
      '': { items: [aSummary('o1'), aSummary('o2')], nextCursor: 'c2' },
      c2: { items: [aSummary('o3')], nextCursor: 'c3' },
      c3: { items: [], nextCursor: 'c4' },
      c4: { items: [aSummary('o4')], nextCursor: null },
    };
    const client = await clientFor((request, response) =>
      sendJson(response, 200, pages[request.query.get('cursor') ?? '']),
    );
    const ids: string[] = [];
    for await (const summary of client.listAll({ status: 'running', limit: 2 })) ids.push(summary.id);
    expect(ids).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect(server?.requests.map((request) => request.url)).toEqual([
      '/v1/orchestrations?status=running&limit=2',
      '/v1/orchestrations?status=running&limit=2&cursor=c2',
      '/v1/orchestrations?status=running&limit=2&cursor=c3',
      '/v1/orchestrations?status=running&limit=2&cursor=c4',
    ]);
  });

  it("gathers every page of an orchestration's approvals and failed compensations", async () => {
    const approval = (id: string) => ({
      id,
      orchestrationId: 'orc_1',
      stepId: 'pay',
      prompt: 'Pay?',
      status: 'pending',
      expiresAt: null,
    });
    const compensation = (id: string) => ({
      id,
      orchestrationId: 'orc_1',
      stepId: 'pay',
      service: 'payments',
      error: 'down',
      status: 'open',
      reason: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const client = await clientFor((request, response) => {
      const item = request.path === '/v1/approvals' ? approval : compensation;
      const cursor = request.query.get('cursor');
      sendJson(
        response,
        200,
        cursor === null ? { items: [item('a')], nextCursor: 'p2' } : { items: [item('b')], nextCursor: null },
      );
    });
    const approvals = await client.approvals({ status: 'pending', orchestrationId: 'orc_1' });
    expect(approvals.map((each) => each.id)).toEqual(['a', 'b']);
    const compensations = await client.compensationFailures.list({ orchestrationId: 'orc_1' });
    expect(compensations.map((each) => each.id)).toEqual(['a', 'b']);
    expect(server?.requests.map((request) => request.url)).toEqual([
      '/v1/approvals?status=pending&orchestrationId=orc_1&limit=200',
      '/v1/approvals?status=pending&orchestrationId=orc_1&limit=200&cursor=p2',
      '/v1/compensation-failures?orchestrationId=orc_1&limit=200',
      '/v1/compensation-failures?orchestrationId=orc_1&limit=200&cursor=p2',
    ]);
  });

  it('fetches the next page only when the previous one is used up', async () => {
    const client = await clientFor((request, response) =>
      sendJson(response, 200, { items: [aSummary(request.query.get('cursor') ?? 'first')], nextCursor: 'next' }),
    );
    const iterator = client.listAll()[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.id).toBe('first');
    expect(server?.requests).toHaveLength(1);
    await iterator.return?.();
  });

  it('throws a BatonProtocolError when a page gives back the cursor it was asked for', async () => {
    const client = await clientFor((_request, response) => sendJson(response, 200, { items: [], nextCursor: 'same' }));
    const walk = async () => {
      for await (const _summary of client.listAll()) {
        // Never reached: every page is empty.
      }
    };
    await expect(walk()).rejects.toThrow(BatonProtocolError);
    expect(server?.requests).toHaveLength(2);
  });

  it('lists one page with list', async () => {
    const client = await clientFor((_request, response) =>
      sendJson(response, 200, { items: [aSummary('o1')], nextCursor: null }),
    );
    expect(await client.list({ cursor: 'c1' })).toEqual({ items: [aSummary('o1')], nextCursor: null });
    expect(server?.requests[0]?.url).toBe('/v1/orchestrations?cursor=c1');
  });

  it('calls each route with the method, path and body the server expects', async () => {
    const client = await clientFor(routes);
    const requests = () => server?.requests ?? [];
    const check = async (call: () => Promise<unknown>, expected: unknown[], answer?: unknown) => {
      const before = requests().length;
      const result = await call();
      expect(sent(requests()[before])).toEqual(expected);
      if (answer !== undefined) expect(result).toEqual(answer);
    };
    await check(() => client.get('orc_1'), ['GET /v1/orchestrations/orc_1', undefined], anOrchestration());
    await check(
      () => client.cancel('orc_1', 'wrong input'),
      ['POST /v1/orchestrations/orc_1/cancel', { reason: 'wrong input' }],
    );
    await check(() => client.cancel('orc_1'), ['POST /v1/orchestrations/orc_1/cancel', {}]);
    await check(
      () => client.retry('orc_1').then((run) => run.id),
      ['POST /v1/orchestrations/orc_1/retry', {}],
      'orc_1',
    );
    await check(
      () => client.retry('orc_1', { timeoutMs: 30_000 }).then((run) => run.id),
      ['POST /v1/orchestrations/orc_1/retry', { timeoutMs: 30_000 }],
      'orc_1',
    );
    await check(
      () => client.approvals({ status: 'pending' }),
      ['GET /v1/approvals?status=pending&limit=200', undefined],
      [approval],
    );
    await check(
      () => client.approve('apr_1', { amount: 3 }),
      ['POST /v1/approvals/apr_1/approve', { data: { amount: 3 } }],
    );
    await check(() => client.approve('apr_1'), ['POST /v1/approvals/apr_1/approve', {}], approval);
    await check(() => client.reject('apr_1', 'too much'), ['POST /v1/approvals/apr_1/reject', { reason: 'too much' }]);
    await check(() => client.services(), ['GET /v1/services', undefined], [service]);
    await check(() => client.service('svc_1'), ['GET /v1/services/svc_1', undefined], service);
    await check(() => client.removeService('svc_1'), ['DELETE /v1/services/svc_1', undefined]);
    await check(() => client.apiKeys.create('ci'), ['POST /v1/api-keys', { name: 'ci' }], {
      ...apiKey,
      key: 'bk_12345',
    });
    await check(() => client.apiKeys.list(), ['GET /v1/api-keys', undefined], [apiKey]);
    await check(() => client.apiKeys.revoke('key_1'), ['DELETE /v1/api-keys/key_1', undefined]);
    await check(
      () => client.webhooks.create({ url: webhook.url, events: ['orchestration.*'] }),
      ['POST /v1/webhooks', { url: webhook.url, events: ['orchestration.*'] }],
      { ...webhook, secret: 'whsec_1' },
    );
    await check(() => client.webhooks.create({ url: webhook.url }), ['POST /v1/webhooks', { url: webhook.url }]);
    await check(() => client.webhooks.list(), ['GET /v1/webhooks', undefined], [webhook]);
    await check(() => client.webhooks.remove('wh_1'), ['DELETE /v1/webhooks/wh_1', undefined]);
    await check(
      () => client.webhooks.deliveries('wh_1', { limit: 10, cursor: 'd1' }),
      ['GET /v1/webhooks/wh_1/deliveries?limit=10&cursor=d1', undefined],
      { items: [delivery], nextCursor: null },
    );
    await check(
      () => client.compensationFailures.list({ status: 'open' }),
      ['GET /v1/compensation-failures?status=open&limit=200', undefined],
      [compensation],
    );
    await check(
      () => client.compensationFailures.resolve('cf_1', 'refunded by hand'),
      ['POST /v1/compensation-failures/cf_1/resolve', { reason: 'refunded by hand' }],
      compensation,
    );
    await check(
      () => client.compensationFailures.ignore('cf_1', 'small amount'),
      ['POST /v1/compensation-failures/cf_1/ignore', { reason: 'small amount' }],
    );
  });

  it('escapes ids in paths', async () => {
    const client = await clientFor((_request, response) => sendProblem(response, 404, { code: 'not-found' }));
    await expect(client.get('a/b?c')).rejects.toMatchObject({ status: 404 });
    expect(server?.requests[0]?.url).toBe('/v1/orchestrations/a%2Fb%3Fc');
  });

  it('answers health() and ready() without throwing on 503', async () => {
    const client = await clientFor((request, response) =>
      sendJson(response, request.path === '/ready' ? 503 : 200, { status: request.path }),
    );
    expect(await client.health()).toEqual({ ok: true, status: 200, body: { status: '/health' } });
    expect(await client.ready()).toEqual({ ok: false, status: 503, body: { status: '/ready' } });
  });

  it('uses the fetch it is given', async () => {
    const urls: string[] = [];
    const client = createClient({
      url: 'http://baton.invalid',
      apiKey: 'key_secret',
      fetch: async (input) => {
        urls.push(input);
        return new Response(JSON.stringify(anOrchestration()), { headers: { 'content-type': 'application/json' } });
      },
    });
    expect((await client.get('orc_1')).id).toBe('orc_1');
    expect(urls).toEqual(['http://baton.invalid/v1/orchestrations/orc_1']);
  });
});
