import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionEndedError } from './connection-ended-error.js';
import { createService, type Service, type ServiceOptions } from './create-service.js';
import { type FakeServer, type FakeServerOptions, startFakeServer } from './fake-server-test-kit.js';
import { fileInstanceStore } from './instance-store.js';
import { ServiceStoppedError } from './service-stopped-error.js';
import { gate, recordEvents, testServiceOptions } from './service-test-kit.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const server = await startFakeServer({ apiKey: 'secret', ...options });
  cleanups.push(() => server.close());
  return server;
}

function service(options: Partial<ServiceOptions> = {}): Service {
  const created = createService({
    name: 'worker',
    description: 'Does work',
    handler: (input) => input,
    ...testServiceOptions(),
    ...options,
  });
  cleanups.push(() => created.stop({ timeoutMs: 1_000 }));
  return created;
}

const messagesOn = (server: FakeServer, connection: number, type: string) =>
  server.received.filter((entry) => entry.connection === connection && entry.message.type === type);

describe('createService: reconnecting', () => {
  it('sends unacknowledged outcomes again, in order, after a reconnect', async () => {
    const server = await fakeServer({ acknowledgeOutcomes: false });
    let calls = 0;
    const worker = service({
      handler: (input) => {
        calls += 1;
        return input;
      },
    });
    await worker.start({ url: server.url, apiKey: 'secret' });
    const events = recordEvents(worker);
    const firstInstance = worker.instanceId;
    const taskIds = ['a', 'b', 'c'].map((input) => server.sendTask({ input }));
    await server.waitFor(() => messagesOn(server, 1, 'result').length === 3);
    expect(worker.unacknowledged).toBe(3);

    server.options.acknowledgeOutcomes = true;
    server.dropConnection();
    await server.waitFor(() => messagesOn(server, 2, 'result').length === 3);
    await events.waitFor('connection-open');

    const hellos = server.received.filter((entry) => entry.message.type === 'hello');
    expect(hellos.map((entry) => entry.connection)).toEqual([1, 2]);
    expect(hellos[1]?.message).toMatchObject({ instanceId: firstInstance });
    const order = (connection: number) =>
      messagesOn(server, connection, 'result').map((entry) => (entry.message as { taskId: string }).taskId);
    expect(order(1)).toEqual(taskIds);
    expect(order(2)).toEqual(taskIds);
    expect([...server.outcomes().keys()]).toEqual(taskIds);
    expect(calls).toBe(3);
    await waitUntil(() => worker.unacknowledged === 0);
  });

  it('answers a step sent again under a new task id from its idempotency key, without calling the handler', async () => {
    const server = await fakeServer();
    const release = gate();
    let calls = 0;
    const worker = service({
      handler: async (input) => {
        calls += 1;
        await release.promise;
        return { echoed: input, call: calls };
      },
    });
    await worker.start({ url: server.url, apiKey: 'secret' });
    const events = recordEvents(worker);
    const first = server.sendTask({ idempotencyKey: 'step-1', input: 1 });
    const whileRunning = server.sendTask({ idempotencyKey: 'step-1', input: 1 });
    await events.waitFor('task-start', (event) => event.taskId === whileRunning);
    release.open();
    const afterwards = [await server.waitForOutcome(first), await server.waitForOutcome(whileRunning)];
    const later = server.sendTask({ idempotencyKey: 'step-1', input: 1, attempt: 2 });
    afterwards.push(await server.waitForOutcome(later));
    for (const outcome of afterwards) expect(outcome).toMatchObject({ type: 'result', output: { call: 1 } });
    expect(calls).toBe(1);
    expect(await events.waitFor('task-finish', (event) => event.taskId === later)).toMatchObject({ reused: true });
  });

  it('keeps its instance id in a file readable only by its owner and sends it on the next start', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'baton-instances-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const server = await fakeServer();
    const first = service({ instanceStore: fileInstanceStore({ directory }) });
    await first.start({ url: server.url, apiKey: 'secret' });
    await first.stop();
    const file = path.join(directory, 'worker.json');
    await waitUntil(async () => (await readFile(file, 'utf8').catch(() => '')).includes(first.instanceId!));
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const second = service({ instanceStore: fileInstanceStore({ directory }) });
    await second.start({ url: server.url, apiKey: 'secret' });
    const hellos = server.received.filter((entry) => entry.message.type === 'hello').map((entry) => entry.message);
    expect(hellos[0]).not.toHaveProperty('instanceId');
    expect(hellos[1]).toMatchObject({ instanceId: first.instanceId });
    expect(second.instanceId).toBe(first.instanceId);
  });

  it('leaves a server that goes silent for three heartbeat intervals and reconnects', async () => {
    const server = await fakeServer({ heartbeatMs: 20, answerHeartbeats: false });
    const worker = service();
    const events = recordEvents(worker);
    await worker.start({ url: server.url, apiKey: 'secret' });
    expect((await events.waitFor('heartbeat-timeout')).silentMs).toBeGreaterThanOrEqual(60);
    server.options.answerHeartbeats = true;
    await server.waitFor(() => messagesOn(server, 2, 'hello').length === 1);
    expect(server.received.some((entry) => entry.connection === 1 && entry.message.type === 'heartbeat')).toBe(true);
  });

  it('rotates through its urls, skipping one that cannot be reached', async () => {
    const gone = await startFakeServer();
    await gone.close();
    const server = await fakeServer();
    const worker = service();
    const events = recordEvents(worker);
    await worker.start({ urls: [gone.url, server.url], apiKey: 'secret' });
    expect(events.events.find((event) => event.type === 'connection-fail')).toMatchObject({ url: gone.url });
    expect(worker.connected).toBe(true);
  });

  it('rotates through its urls when reconnecting', async () => {
    const first = await fakeServer();
    const second = await fakeServer();
    const worker = service();
    const events = recordEvents(worker);
    await worker.start({ urls: [first.url, second.url], apiKey: 'secret' });
    expect(first.connections).toBe(1);
    first.dropConnection();
    await second.waitFor((message) => message.type === 'hello');
    const attempts = events.events.filter((event) => event.type === 'connection-start');
    expect(attempts.map((event) => event.type === 'connection-start' && event.url)).toEqual([first.url, second.url]);
    expect(second.upgrades).toEqual([{ url: '/v1/ws', authorization: 'Bearer secret' }]);
  });

  it('keeps trying a server that cannot be reached, reporting each failure with its reason, until stopped', async () => {
    const gone = await startFakeServer();
    await gone.close();
    const worker = service();
    const events = recordEvents(worker);
    const started = worker.start({ url: gone.url, apiKey: 'secret' });
    started.catch(() => undefined);
    await waitUntil(() => events.count('connection-fail') >= 3);
    expect(events.events.find((event) => event.type === 'connection-fail')).toMatchObject({
      url: gone.url,
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(events.count('connection-end')).toBe(0);
    await worker.stop();
    await expect(started).rejects.toSatisfy(ServiceStoppedError.isInstance);
  });
});

describe('createService: ending for good', () => {
  it('rejects start() naming the URL when the server refuses the key, and stops trying', async () => {
    const server = await fakeServer();
    const worker = service();
    const events = recordEvents(worker);
    const refused = await worker.start({ url: server.url, apiKey: 'wrong' }).catch((error: unknown) => error);
    expect(ConnectionEndedError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'connection-ended', reason: 'key-refused', url: server.url });
    expect((refused as Error).message).toContain(`the server at ${server.url} refused the API key (HTTP 401`);
    expect(events.events.map((event) => event.type)).toEqual(['connection-start', 'connection-fail', 'connection-end']);
    expect(server.refusedUpgrades).toBe(1);
    expect(worker.connected).toBe(false);
    await worker.stop();
    expect(await events.waitFor('stop-finish')).toEqual({ type: 'stop-finish', drained: true });
  });

  it('rejects start() when the key is refused after the first server could not be reached', async () => {
    const gone = await startFakeServer();
    await gone.close();
    const server = await fakeServer();
    const worker = service();
    const refused = await worker
      .start({ urls: [gone.url, server.url], apiKey: 'wrong' })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ reason: 'key-refused', url: server.url });
    expect(server.refusedUpgrades).toBe(1);
  });

  it.each([
    [4001, 'key-revoked', /4001 \(the API key was revoked\)/],
    [4004, 'service-deleted', /4004 \(the service was deleted\)/],
    [4400, 'registration-refused', /4400 \(it refused the registration\): fix the definition/],
  ])('stops reconnecting after a close with %i and says why', async (code, reason, message) => {
    const server = await fakeServer();
    const worker = service();
    const events = recordEvents(worker);
    await worker.start({ url: server.url, apiKey: 'secret' });
    server.closeConnection(code, 'closed by the test');
    const end = await events.waitFor('connection-end');
    expect(end).toMatchObject({ url: server.url, reason, message: expect.stringMatching(message) });
    expect(events.events.find((event) => event.type === 'connection-close')).toMatchObject({ code });
    expect(events.count('reconnect-schedule')).toBe(0);
    expect(events.count('connection-start')).toBe(1);
    expect(worker.connected).toBe(false);
    await worker.stop();
    expect(await events.waitFor('stop-finish')).toEqual({ type: 'stop-finish', drained: true });
    expect(server.connections).toBe(1);
  });

  it('ends for good when a reconnect finds its key refused: revoked while the service was away', async () => {
    const server = await fakeServer();
    const worker = service();
    const events = recordEvents(worker);
    await worker.start({ url: server.url, apiKey: 'secret' });
    server.options.apiKey = 'another-key';
    server.closeConnection(1001, 'server shutting down');
    const end = await events.waitFor('connection-end');
    expect(end).toMatchObject({ url: server.url, reason: 'key-refused' });
    expect(server.refusedUpgrades).toBe(1);
    expect(worker.connected).toBe(false);
    await worker.stop();
  });

  it('reconnects after any other close, such as 1001 when the server shuts down', async () => {
    const server = await fakeServer();
    const worker = service();
    const events = recordEvents(worker);
    await worker.start({ url: server.url, apiKey: 'secret' });
    server.closeConnection(1001, 'server shutting down');
    await server.waitFor(() => messagesOn(server, 2, 'hello').length === 1);
    expect(events.events.find((event) => event.type === 'connection-close')).toMatchObject({ code: 1001 });
    expect(events.count('connection-end')).toBe(0);
  });
});

describe('createService: stop', () => {
  it('sends drain, lets running tasks finish and be acknowledged, then disconnects for good', async () => {
    const server = await fakeServer();
    const release = gate();
    const worker = service({
      handler: async () => {
        await release.promise;
        return 'finished';
      },
    });
    const events = recordEvents(worker);
    await worker.start({ url: server.url, apiKey: 'secret' });
    const taskId = server.sendTask();
    await events.waitFor('task-start');
    const stopped = worker.stop();
    await server.waitFor((message) => message.type === 'drain');
    expect(worker.connected).toBe(true);
    release.open();
    await stopped;
    expect(server.outcomes().get(taskId)).toMatchObject({ type: 'result', output: 'finished' });
    expect(worker.unacknowledged).toBe(0);
    expect(worker.connected).toBe(false);
    expect(await events.waitFor('stop-finish')).toEqual({ type: 'stop-finish', drained: true });
    expect(events.count('reconnect-schedule')).toBe(0);
  });

  it('runs a task that crossed its drain on the wire before it disconnects', async () => {
    const server = await fakeServer();
    const release = gate();
    const worker = service({
      handler: async (input) => {
        await release.promise;
        return input;
      },
    });
    const events = recordEvents(worker);
    await worker.start({ url: server.url, apiKey: 'secret' });
    const first = server.sendTask({ input: 1 });
    await events.waitFor('task-start');
    const stopped = worker.stop();
    await server.waitFor((message) => message.type === 'drain');
    const late = server.sendTask({ input: 2 });
    await events.waitFor('task-start', (event) => event.taskId === late);
    release.open();
    await stopped;
    expect(server.outcomes().get(first)).toMatchObject({ output: 1 });
    expect(server.outcomes().get(late)).toMatchObject({ output: 2 });
  });

  it('gives up waiting for acknowledgements after its timeout', async () => {
    const server = await fakeServer({ acknowledgeOutcomes: false });
    const worker = service();
    const events = recordEvents(worker);
    await worker.start({ url: server.url, apiKey: 'secret' });
    await server.waitForOutcome(server.sendTask());
    await worker.stop({ timeoutMs: 10 });
    expect(await events.waitFor('stop-finish')).toEqual({ type: 'stop-finish', drained: false });
    expect(worker.unacknowledged).toBe(1);
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
  await vi.waitFor(async () => expect(await condition()).toBe(true), { timeout: 15_000, interval: 5 });
}
