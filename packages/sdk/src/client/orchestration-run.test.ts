import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from './create-client.js';
import {
  anAccepted,
  anOrchestration,
  eventFrame,
  type FakeHandler,
  type FakeServer,
  sendJson,
  sendProblem,
  startEventStream,
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

function routes(final: Record<string, unknown>, events = eventFrame('run-finish', 1)): FakeHandler {
  return (request, response) => {
    if (request.method === 'POST' && request.path === '/v1/orchestrations')
      return sendJson(response, 202, anAccepted());
    if (request.path === '/v1/orchestrations/orc_1/events') {
      startEventStream(response);
      return response.end(events);
    }
    if (request.path === '/v1/orchestrations/orc_1') return sendJson(response, 200, anOrchestration(final));
    sendProblem(response, 404, { code: 'not-found' });
  };
}

describe('OrchestrationRun', () => {
  it('exposes what the server accepted', async () => {
    const client = await clientFor(routes({ status: 'succeeded' }));
    const run = await client.orchestrate({ action: 'do it' });
    expect({ id: run.id, status: run.status, plan: run.plan, groups: run.parallelGroups }).toEqual({
      id: 'orc_1',
      status: 'running',
      plan: anAccepted().plan,
      groups: [['fetch']],
    });
  });

  it('result() asks the server to hold its answer until the end, and resolves with the result', async () => {
    const client = await clientFor(routes({ status: 'succeeded', result: { answer: 42 } }));
    const run = await client.orchestrate({ action: 'do it' });
    expect(await run.result()).toEqual({ answer: 42 });
    expect(server?.requests.map((request) => `${request.method} ${request.path} ${request.query}`)).toEqual([
      'POST /v1/orchestrations ',
      'GET /v1/orchestrations/orc_1 waitMs=15000',
    ]);
  });

  it('result() asks for a wait well inside the client timeout', async () => {
    server = await startFakeServer(routes({ status: 'succeeded', result: 1 }));
    const client = createClient({ url: server.url, apiKey: 'key_secret', timeoutMs: 4000 });
    expect(await client.result('orc_1')).toBe(1);
    expect(server.requests[0]?.query.get('waitMs')).toBe('2000');
  });

  it('result() rejects with OrchestrationFailedError when it failed', async () => {
    const error = { name: 'StepFailedError', code: 'step-failed', message: 'step "fetch" failed' };
    const client = await clientFor(routes({ status: 'failed', error }));
    const run = await client.orchestrate({ action: 'do it' });
    const caught = await run.result().catch((thrown: unknown) => thrown);
    expect(OrchestrationFailedError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ kind: 'orchestration-failed', orchestrationId: 'orc_1', status: 'failed', error });
    expect((caught as Error).message).toContain('step-failed');
  });

  it('result() rejects with OrchestrationFailedError when it was cancelled', async () => {
    const client = await clientFor(routes({ status: 'cancelled' }));
    await expect(client.result('orc_1')).rejects.toMatchObject({ status: 'cancelled', error: null });
  });

  it('result() asks again, after a pause, when the server answers early without the end', async () => {
    let asked = 0;
    const client = await clientFor((_request, response) => {
      asked++;
      sendJson(response, 200, anOrchestration(asked < 3 ? {} : { status: 'succeeded', result: 'done' }));
    });
    expect(await client.result('orc_1', { pollIntervalMs: 1 })).toBe('done');
    expect(asked).toBe(3);
  });

  it('result() asks again at once when the server held its answer for the whole wait', async () => {
    server = await startFakeServer((request, response) => {
      if (server?.requests.length === 1) {
        // Held as long as asked, then answered without the end.
        setTimeout(() => sendJson(response, 200, anOrchestration()), Number(request.query.get('waitMs')));
        return;
      }
      sendJson(response, 200, anOrchestration({ status: 'succeeded', result: 'later' }));
    });
    const client = createClient({ url: server.url, apiKey: 'key_secret', timeoutMs: 400 });
    // A pause of an hour would time the test out: the second request must follow the first at once.
    expect(await client.result('orc_1', { pollIntervalMs: 3_600_000 })).toBe('later');
    expect(server.requests).toHaveLength(2);
  });

  it('result() surfaces an API error', async () => {
    const client = await clientFor((_request, response) => sendProblem(response, 401, { code: 'unauthorized' }));
    await expect(client.result('orc_1')).rejects.toMatchObject({ kind: 'api', status: 401, code: 'unauthorized' });
  });

  it('result() rejects with the abort reason', async () => {
    const client = await clientFor(() => {
      // Never answers: the abort must end the wait.
    });
    const controller = new AbortController();
    const pending = client.result('orc_1', { signal: controller.signal });
    await expect.poll(() => server?.requests.length).toBe(1);
    controller.abort(new Error('no longer needed'));
    await expect(pending).rejects.toThrow('no longer needed');
  });

  it('events() on a run follows its stream', async () => {
    const client = await clientFor(routes({}, eventFrame('run-start', 1) + eventFrame('run-finish', 2)));
    const run = await client.orchestrate({ action: 'do it' });
    const types: string[] = [];
    for await (const event of run.events()) types.push(event.type);
    expect(types).toEqual(['run-start', 'run-finish']);
  });
});

const asked = () => server?.requests.map((request) => `${request.method} ${request.path} ${request.query}`);

describe('client.run', () => {
  it('submits and waits in one request when the orchestration ends within the wait', async () => {
    const client = await clientFor((_request, response) =>
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
    const client = await clientFor((_request, response) =>
      sendJson(response, 201, anOrchestration({ status: 'failed', error })),
    );
    const caught = await client.run({ action: 'break' }).catch((thrown: unknown) => thrown);
    expect(caught).toBeInstanceOf(OrchestrationFailedError);
    expect(caught).toMatchObject({ orchestrationId: 'orc_1', status: 'failed' });
  });

  it('sends the same Idempotency-Key again when the first request is answered 503', async () => {
    let calls = 0;
    const client = await clientFor((_request, response) => {
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
