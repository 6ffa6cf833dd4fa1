import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from './create-client.js';
import {
  anOrchestration,
  type FakeHandler,
  type FakeServer,
  sendJson,
  startFakeServer,
} from './fake-server-test-kit.js';
import { OrchestrationFailedError } from './orchestration-failed-error.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(handler: FakeHandler) {
  server = await startFakeServer(handler);
  return createClient({ url: server.url, apiKey: 'key_secret', retry: { minDelayMs: 1, maxDelayMs: 2 } });
}

const asked = () => server?.requests.map((request) => `${request.method} ${request.path} ${request.query}`);

describe('client.run', () => {
  it('submits and waits in one request when the orchestration ends within the wait', async () => {
    const client = await clientFor((request, response) =>
      sendJson(response, 201, anOrchestration({ status: 'succeeded', result: { total: 3 } })),
    );
    expect(await client.run({ action: 'add', data: { a: 1, b: 2 } })).toEqual({ total: 3 });
    expect(asked()).toEqual(['POST /v1/orchestrations waitMs=15000']);
    expect(server?.requests[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(server?.requests[0]?.body ?? '')).toEqual({ action: { content: 'add' }, data: { a: 1, b: 2 } });
  });

  it('goes on waiting for the result when the server answered before the end', async () => {
    const client = await clientFor((request, response) => {
      if (request.method === 'POST') return sendJson(response, 201, anOrchestration({ status: 'running' }));
      sendJson(response, 200, anOrchestration({ status: 'succeeded', result: 'later' }));
    });
    expect(await client.run({ action: 'slow' })).toBe('later');
    expect(asked()).toEqual(['POST /v1/orchestrations waitMs=15000', 'GET /v1/orchestrations/orc_1 waitMs=15000']);
  });

  it('rejects with OrchestrationFailedError when the orchestration failed', async () => {
    const error = { code: 'step-failed', message: 'fetch failed' };
    const client = await clientFor((request, response) =>
      sendJson(response, 201, anOrchestration({ status: 'failed', error })),
    );
    const caught = await client.run({ action: 'break' }).catch((thrown: unknown) => thrown);
    expect(caught).toBeInstanceOf(OrchestrationFailedError);
    expect(caught).toMatchObject({ orchestrationId: 'orc_1', status: 'failed' });
  });

  it('sends the same Idempotency-Key again when the first request is answered 503', async () => {
    let calls = 0;
    const client = await clientFor((request, response) => {
      calls += 1;
      if (calls === 1) return sendJson(response, 503, { status: 503, title: 'busy', type: 'about:blank', code: 'x' });
      sendJson(response, 201, anOrchestration({ status: 'succeeded', result: 1 }));
    });
    expect(await client.run({ action: 'again' })).toBe(1);
    const keys = server?.requests.map((request) => request.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys?.[0]).toBe(keys?.[1]);
  });
});
