import { orchestrationSchema } from '@baton/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatonApiError } from './api-error.js';
import { InvalidClientOptionError } from './client-error.js';
import { BatonConnectionError } from './connection-error.js';
import { anOrchestration, type FakeServer, sendJson, sendProblem, startFakeServer } from './fake-server-test-kit.js';
import type { FetchFunction } from './http-exchange.js';
import { createHttpTransport, type TransportOptions } from './http-transport.js';
import { BatonProtocolError } from './protocol-error.js';
import type { RetryInfo } from './retry-policy.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FAST_RETRY = { minDelayMs: 1, maxDelayMs: 4 };

/** The two ways a request leaves: Node's `http` module (the default) and a fetch the caller gives. */
const EXCHANGES: { name: string; fetch?: FetchFunction }[] = [
  { name: "Node's http module" },
  { name: 'a given fetch', fetch: (input, init) => globalThis.fetch(input, init) },
];
let exchange: (typeof EXCHANGES)[number] = EXCHANGES[0] as (typeof EXCHANGES)[number];

function transportFor(target: FakeServer, options: Partial<TransportOptions> = {}) {
  return createHttpTransport({
    url: target.url,
    token: 'key_secret',
    tokenOption: 'apiKey',
    retry: FAST_RETRY,
    ...(exchange.fetch ? { fetch: exchange.fetch } : {}),
    ...options,
  });
}

const getOrchestration = {
  method: 'GET',
  path: '/v1/orchestrations/orc_1',
  schema: orchestrationSchema,
  expected: 'an Orchestration',
  idempotent: true,
} as const;

describe.each(EXCHANGES)('createHttpTransport through $name', (current) => {
  beforeEach(() => {
    exchange = current;
  });

  it('sends the token as a bearer Authorization header, never in the URL', async () => {
    server = await startFakeServer((_request, response) => sendJson(response, 200, anOrchestration()));
    await transportFor(server).request({ ...getOrchestration, query: { limit: 2, cursor: undefined } });
    const [request] = server.requests;
    expect(request?.headers.authorization).toBe('Bearer key_secret');
    expect(request?.url).toBe('/v1/orchestrations/orc_1?limit=2');
    expect(request?.headers.accept).toBe('application/json, application/problem+json');
    expect(request?.url).not.toContain('key_secret');
  });

  it('keeps a path prefix of the base URL', async () => {
    server = await startFakeServer((_request, response) => sendJson(response, 200, anOrchestration()));
    await transportFor(server, { url: `${server.url}/baton/` }).request(getOrchestration);
    expect(server.requests[0]?.path).toBe('/baton/v1/orchestrations/orc_1');
  });

  it('turns a problem document into a BatonApiError with its fields', async () => {
    const problems = [{ path: 'action.content', code: 'too_small', message: 'must not be empty' }];
    server = await startFakeServer((_request, response) =>
      sendProblem(response, 400, { code: 'validation-failed', title: 'Invalid body', detail: '1 problem', problems }),
    );
    const error = await transportFor(server)
      .request(getOrchestration)
      .catch((caught: unknown) => caught);
    expect(BatonApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      kind: 'api',
      status: 400,
      code: 'validation-failed',
      title: 'Invalid body',
      detail: '1 problem',
      type: 'https://baton.dev/problems/validation-failed',
      problems,
      retryAfterMs: undefined,
      method: 'GET',
      url: `${server.url}/v1/orchestrations/orc_1`,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('builds a BatonApiError from the status and clipped text when the body is no problem document', async () => {
    server = await startFakeServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/html' });
      response.end(`<html>${'x'.repeat(2000)}</html>`);
    });
    const error = await transportFor(server, { retry: false })
      .request(getOrchestration)
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(BatonApiError);
    expect(error).toMatchObject({ status: 500, code: 'http-500', title: 'Internal Server Error', type: 'about:blank' });
    expect((error as BatonApiError).detail.startsWith('<html>xxx')).toBe(true);
    expect((error as BatonApiError).detail.length).toBeLessThan(600);
    expect((error as BatonApiError).problems).toEqual([]);
  });

  it('retries a 429 after its Retry-After, even for a request that is not idempotent', async () => {
    let calls = 0;
    server = await startFakeServer((_request, response) => {
      calls++;
      if (calls === 1) sendProblem(response, 429, { code: 'rate-limited' }, { 'retry-after': '1' });
      else sendJson(response, 200, anOrchestration());
    });
    const retries: RetryInfo[] = [];
    const transport = transportFor(server, { retry: { ...FAST_RETRY, onRetry: (info) => retries.push(info) } });
    const result = await transport.request({ ...getOrchestration, method: 'POST', idempotent: false });
    expect(result.id).toBe('orc_1');
    expect(server.requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.delayMs).toBe(1000);
    expect((retries[0]!.error as BatonApiError).retryAfterMs).toBe(1000);
  });

  it('gives up on a 429 whose Retry-After is longer than maxRetryAfterMs', async () => {
    server = await startFakeServer((_request, response) =>
      sendProblem(response, 429, { code: 'rate-limited' }, { 'retry-after': '120' }),
    );
    const error = await transportFor(server)
      .request(getOrchestration)
      .catch((caught) => caught);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 120_000 });
    expect(server.requests).toHaveLength(1);
  });

  it('retries 502/503/504 for idempotent requests, up to `retries` times', async () => {
    server = await startFakeServer((_request, response) => sendProblem(response, 503, { code: 'unavailable' }));
    const error = await transportFor(server, { retry: { ...FAST_RETRY, retries: 2 } })
      .request(getOrchestration)
      .catch((caught) => caught);
    expect(error).toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 503 for a request that is not idempotent, nor anything with retry: false', async () => {
    server = await startFakeServer((_request, response) => sendProblem(response, 503, { code: 'unavailable' }));
    await expect(transportFor(server).request({ ...getOrchestration, idempotent: false })).rejects.toThrow(/503/);
    await expect(transportFor(server, { retry: false }).request(getOrchestration)).rejects.toThrow(/503/);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a dropped connection for idempotent requests', async () => {
    server = await startFakeServer((request, response) => {
      if (server?.requests.length === 1) response.socket?.destroy();
      else sendJson(response, 200, anOrchestration({ id: request.path.split('/').pop() }));
    });
    expect((await transportFor(server).request(getOrchestration)).id).toBe('orc_1');
    expect(server.requests).toHaveLength(2);
  });

  it('throws a BatonConnectionError with the URL and cause when nothing answers', async () => {
    server = await startFakeServer(() => undefined);
    const url = server.url;
    await server.close();
    server = undefined;
    const transport = createHttpTransport({
      url,
      token: 'key_secret',
      tokenOption: 'apiKey',
      retry: false,
      ...(current.fetch ? { fetch: current.fetch } : {}),
    });
    const error = await transport.request(getOrchestration).catch((caught) => caught);
    expect(BatonConnectionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(error).toMatchObject({ kind: 'connection', method: 'GET', url: `${url}/v1/orchestrations/orc_1` });
    expect((error as Error).cause).toBeDefined();
    expect((error as Error).message).not.toContain('key_secret');
  });

  it('times out an attempt that gets no answer', async () => {
    server = await startFakeServer(() => undefined);
    const error = await transportFor(server, { timeoutMs: 50, retry: false })
      .request(getOrchestration)
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(BatonConnectionError);
    expect((error as Error).message).toMatch(/no answer within 50 ms|aborted due to timeout/);
  });

  it('fails, without retrying, a request whose answer is cut short', async () => {
    server = await startFakeServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"id":"orc_');
      setImmediate(() => response.socket?.destroy());
    });
    const error = await transportFor(server)
      .request({ ...getOrchestration, method: 'POST', idempotent: false })
      .catch((caught) => caught);
    expect(BatonConnectionError.isInstance(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('reads a body in UTF-8 whatever the chunks it arrives in', async () => {
    const action = 'café ☕ in Lisboa '.repeat(5000);
    server = await startFakeServer((_request, response) =>
      sendJson(response, 200, anOrchestration({ action: { content: action } })),
    );
    expect((await transportFor(server).request(getOrchestration)).action).toEqual({ content: action });
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    server = await startFakeServer(() => undefined);
    const controller = new AbortController();
    const pending = transportFor(server).request({ ...getOrchestration, signal: controller.signal });
    await expect.poll(() => server?.requests.length).toBe(1);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('throws a BatonProtocolError naming what is wrong in a malformed body', async () => {
    server = await startFakeServer((_request, response) =>
      sendJson(response, 200, anOrchestration({ status: 'exploded' })),
    );
    const error = await transportFor(server)
      .request(getOrchestration)
      .catch((caught) => caught);
    expect(BatonProtocolError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'protocol', expected: 'an Orchestration', method: 'GET' });
    expect((error as BatonProtocolError).issues.map((issue) => issue.path)).toEqual(['status']);
    expect((error as Error).message).toContain('status');
  });

  it('throws a BatonProtocolError for a 2xx body that is not JSON', async () => {
    server = await startFakeServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('hello');
    });
    const error = await transportFor(server)
      .request(getOrchestration)
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(BatonProtocolError);
    expect((error as BatonProtocolError).issues[0]?.message).toContain('not JSON');
  });

  it('resolves probes whatever the status, without the token', async () => {
    server = await startFakeServer((request, response) =>
      request.path === '/ready' ? sendJson(response, 503, { ready: false }) : sendJson(response, 200, { ok: true }),
    );
    const transport = transportFor(server);
    expect(await transport.probe('/health')).toEqual({ ok: true, status: 200, body: { ok: true } });
    expect(await transport.probe('/ready')).toEqual({ ok: false, status: 503, body: { ready: false } });
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([undefined, undefined]);
  });

  it('rejects a malformed url, token or timeout with InvalidClientOptionError', () => {
    const make = (options: Partial<TransportOptions>) => () =>
      createHttpTransport({ url: 'http://localhost:1', token: 'k', tokenOption: 'apiKey', ...options });
    for (const [options, option] of [
      [{ url: 'localhost:8080/x' }, 'url'],
      [{ url: 'ftp://host' }, 'url'],
      [{ url: 'http://host/?a=1' }, 'url'],
      [{ token: ' ' }, 'apiKey'],
      [{ timeoutMs: 0 }, 'timeoutMs'],
      [{ retry: { retries: -1 } }, 'retry.retries'],
      [{ retry: { minDelayMs: 10, maxDelayMs: 5 } }, 'retry.maxDelayMs'],
    ] as const) {
      const error = (() => {
        try {
          make(options)();
        } catch (caught) {
          return caught;
        }
      })();
      expect(InvalidClientOptionError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as InvalidClientOptionError).option).toBe(option);
    }
  });
});
