import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, type PostgresTestDatabase, postgresReachable } from './postgres-test-kit.js';
import type { BatonServerOptions } from './server-options.js';
import { connectRawService, echoService, type RawService, TEST_ADMIN_TOKEN, waitFor } from './server-test-kit.js';
import { type BatonServer, startServer } from './start-server.js';

const SECRET = 'ab'.repeat(32);
const run = await postgresReachable();

let database: PostgresTestDatabase;
let url: string;
const servers: BatonServer[] = [];
const sockets: RawService[] = [];

async function replica(options: BatonServerOptions = {}): Promise<BatonServer> {
  const server = await startServer({
    databaseUrl: url,
    port: 0,
    logger: false,
    adminToken: TEST_ADMIN_TOKEN,
    secretKey: SECRET,
    leaseMs: 1000,
    ...options,
  });
  servers.push(server);
  return server;
}

/** A project created through `server`; its first API key. */
async function newProject(server: BatonServer, name: string): Promise<{ key: string }> {
  const created = await fetch(`${server.url}/v1/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return ((await created.json()) as { apiKey: { key: string } }).apiKey;
}

describe.runIf(run)('replicas on one PostgreSQL database', () => {
  beforeEach(async () => {
    database = await createPostgresTestDatabase('baton_replicas');
    url = database.url;
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) await socket.close();
    for (const server of servers.splice(0)) await server.close();
    await database.drop();
  });

  it('runs an orchestration submitted to one replica on a service connected only to the other', async () => {
    const first = await replica();
    const second = await replica();
    const apiKey = await newProject(first, 'replicas');
    const service = await connectRawService(first.url, apiKey.key, {
      hello: echoService('remote'),
      answer: (task) => ({ from: 'first', input: task.input }),
    });
    sockets.push(service);
    const submitted = await fetch(`${second.url}/v1/orchestrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        action: { content: 'x' },
        data: { v: 7 },
        plan: { steps: [{ id: 'r', target: 'remote', input: { v: { $ref: 'request.data.v' } } }] },
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    let view: Record<string, unknown> = {};
    while (view.status !== 'succeeded' && view.status !== 'failed') {
      view = (await (
        await fetch(`${second.url}/v1/orchestrations/${id}`, { headers: { authorization: `Bearer ${apiKey.key}` } })
      ).json()) as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(view.result).toEqual({ r: { from: 'first', input: { v: 7 } } });
  });

  it("queues an ended orchestration's event for its project's live webhooks only", async () => {
    const server = await replica({ allowPrivateWebhooks: true });
    const apiKey = await newProject(server, 'hooked');
    const otherKey = await newProject(server, 'unhooked');
    const call = (key: string, method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json().catch(() => null)) as any,
      }));
    // Nothing listens there: every delivery fails and is logged, which is all this test reads.
    const hook = (key: string, events?: string[]) =>
      call(key, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', ...(events ? { events } : {}) });
    const all = (await hook(apiKey.key)).body.id as string;
    const failedOnly = (await hook(apiKey.key, ['orchestration.failed'])).body.id as string;
    const removed = (await hook(apiKey.key)).body.id as string;
    const elsewhere = (await hook(otherKey.key)).body.id as string;
    expect((await call(apiKey.key, 'DELETE', `/v1/webhooks/${removed}`)).status).toBe(204);
    sockets.push(
      await connectRawService(server.url, apiKey.key, {
        hello: echoService('remote'),
        answer: (task) => ({ input: task.input }),
      }),
    );
    const submitted = await call(apiKey.key, 'POST', '/v1/orchestrations', {
      action: { content: 'x' },
      plan: { steps: [{ id: 'r', target: 'remote', input: {} }] },
    });
    const held = await call(apiKey.key, 'GET', `/v1/orchestrations/${submitted.body.id}?waitMs=10000`);
    expect(held.body.status).toBe('succeeded');
    const events = async (key: string, id: string) =>
      ((await call(key, 'GET', `/v1/webhooks/${id}/deliveries`)).body?.items ?? []).map(
        (delivery: { eventType: string }) => delivery.eventType,
      );
    // The event is queued just after the run's end is announced: wait for it; the other webhooks' rows would have been
    // inserted by the same statement.
    await waitFor(async () => ((await events(apiKey.key, all)).length > 0 ? true : undefined), 'the delivery');
    expect(await events(apiKey.key, all)).toEqual(['orchestration.succeeded']);
    expect(await events(apiKey.key, failedOnly)).toEqual([]);
    expect(await events(otherKey.key, elsewhere)).toEqual([]);
  });

  it('shows on every replica the service instances connected to any of them, until their replica closes', async () => {
    const first = await replica();
    const second = await replica();
    const apiKey = await newProject(first, 'presence');
    const service = await connectRawService(first.url, apiKey.key, { hello: echoService('shown') });
    sockets.push(service);
    const welcome = await service.next((message) => message.type === 'welcome');
    const instancesOn = async (server: BatonServer) => {
      const response = await fetch(`${server.url}/v1/services`, { headers: { authorization: `Bearer ${apiKey.key}` } });
      const body = (await response.json()) as { items: Array<{ name: string; health: string; instances: unknown[] }> };
      return body.items.find((item) => item.name === 'shown');
    };
    expect((await instancesOn(first))?.instances).toHaveLength(1);
    // The other replica learns of it from the first's next write (every two seconds).
    let seen = await instancesOn(second);
    while (seen?.instances.length !== 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await instancesOn(second);
    }
    expect(seen).toMatchObject({
      health: 'healthy',
      instances: [{ id: welcome.instanceId, status: 'up', version: 1 }],
    });
    // Each counts the other as alive: they share the rate limit.
    const liveReplicas = async (server: BatonServer) =>
      Number(/^baton_replicas_live (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);
    expect(await liveReplicas(first)).toBe(2);
    expect(await liveReplicas(second)).toBe(2);
    // A replica that closes takes its instances' rows with it, and is no longer counted once the other writes again.
    await first.close();
    expect((await instancesOn(second))?.instances).toEqual([]);
    while ((await liveReplicas(second)) !== 1) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('wakes a held GET on one replica as soon as the run it waits for ends on another', async () => {
    // Looking again only once a minute: what answers the GET in time is the other replica's announcement.
    const first = await replica({ orchestrationPollMs: 60_000 });
    const second = await replica({ orchestrationPollMs: 60_000 });
    const apiKey = await newProject(first, 'announce');
    const service = await connectRawService(first.url, apiKey.key, { hello: echoService('slow') });
    sockets.push(service);
    const submitted = await fetch(`${first.url}/v1/orchestrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: { content: 'x' }, plan: { steps: [{ id: 's', target: 'slow', input: {} }] } }),
    });
    const { id } = (await submitted.json()) as { id: string };
    const task = await service.next((message) => message.type === 'task');
    let answered = false;
    const held = fetch(`${second.url}/v1/orchestrations/${id}?waitMs=60000`, {
      headers: { authorization: `Bearer ${apiKey.key}` },
    }).then(async (response) => {
      answered = true;
      return (await response.json()) as Record<string, unknown>;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered, 'answered while the task was still held').toBe(false);
    service.send({ type: 'result', taskId: task.taskId, output: { done: 1 } });
    expect(await held).toMatchObject({ status: 'succeeded', result: { s: { done: 1 } } });
  });

  it('shows on every replica the steps the replica holding the run has begun', async () => {
    const first = await replica();
    const second = await replica();
    const { key } = await newProject(first, 'begun');
    const service = await connectRawService(first.url, key, { hello: echoService('slow'), heartbeat: true });
    sockets.push(service);
    const submitted = await fetch(`${first.url}/v1/orchestrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        action: { content: 'x' },
        plan: {
          steps: [
            { id: 'a', target: 'slow', input: { n: 1 } },
            { id: 'b', target: 'slow', input: { after: { $ref: 'steps.a.output' } } },
            { id: 'c', target: 'slow', input: { n: 3 }, dependsOn: ['b'], trigger: 'any' },
          ],
        },
      }),
    });
    const { id } = (await submitted.json()) as { id: string };
    const statuses = async (server: BatonServer) => {
      const response = await fetch(`${server.url}/v1/orchestrations/${id}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const view = (await response.json()) as {
        status: string;
        parallelGroups: string[][];
        steps: Array<{ id: string; status: string }>;
      };
      // The plan's shape too, though the services it names connected to the other replica only.
      expect(view.parallelGroups).toEqual([['a'], ['b'], ['c']]);
      return [view.status, ...view.steps.map((step) => `${step.id}:${step.status}`)].join(' ');
    };
    const isTask = (n: number) => (message: Record<string, unknown>) =>
      message.type === 'task' && (message.input as { n?: unknown; after?: unknown }).n === n;
    const taskA = await service.next(isTask(1));
    // The holder sees its run live; the other replica reads the journal, which has no entry for a begun step.
    expect(await statuses(first)).toBe('running a:running b:pending c:pending');
    expect(await statuses(second)).toBe('running a:running b:pending c:pending');
    service.send({ type: 'result', taskId: taskA.taskId, output: { n: 2 } });
    const taskB = await service.next(
      (message) => message.type === 'task' && (message.input as { after?: unknown }).after !== undefined,
    );
    await waitFor(async () => (await statuses(second)).includes('a:succeeded'), "a's entry");
    expect(await statuses(second)).toBe('running a:succeeded b:running c:pending');
    service.send({ type: 'result', taskId: taskB.taskId, output: { n: 4 } });
    const taskC = await service.next(isTask(3));
    await waitFor(async () => (await statuses(second)).includes('b:succeeded'), "b's entry");
    expect(await statuses(second)).toBe('running a:succeeded b:succeeded c:running');
    service.send({ type: 'result', taskId: taskC.taskId, output: {} });
    await waitFor(async () => (await statuses(second)).startsWith('succeeded'), 'the end');
    expect(await statuses(second)).toBe('succeeded a:succeeded b:succeeded c:succeeded');
  });

  /** Submits a one-step orchestration on `slow` to `server`; resolves with its id. */
  async function submitSlow(server: BatonServer, key: string): Promise<string> {
    const submitted = await fetch(`${server.url}/v1/orchestrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        action: { content: 'x' },
        plan: { steps: [{ id: 's', target: 'slow', input: { n: 1 } }] },
      }),
    });
    expect(submitted.status).toBe(202);
    return ((await submitted.json()) as { id: string }).id;
  }

  async function finalView(server: BatonServer, key: string, id: string): Promise<Record<string, unknown>> {
    return waitFor(async () => {
      const response = await fetch(`${server.url}/v1/orchestrations/${id}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const view = (await response.json()) as Record<string, unknown>;
      return view.status === 'succeeded' || view.status === 'failed' ? view : undefined;
    }, `orchestration ${id} to end`);
  }

  // A service's process dies mid-task and comes back connected to another replica (its SDK rotates through several
  // URLs, or a load balancer sends it elsewhere). The grace period is long, so waiting it out would time the test out.
  const handOver = { heartbeatMs: 300, serviceGraceMs: 120_000 };

  it('hands a running task on to the replica its service reconnects to, from the replica running the orchestration', async () => {
    const first = await replica(handOver);
    const second = await replica(handOver);
    const { key } = await newProject(first, 'moved');
    const dying = await connectRawService(first.url, key, { hello: echoService('slow') });
    sockets.push(dying);
    const id = await submitSlow(first, key);
    const task = await dying.next((message) => message.type === 'task');
    dying.socket.terminate();
    const back = await connectRawService(second.url, key, {
      hello: echoService('slow'),
      answer: (again) => ({ from: 'second', idempotencyKey: again.idempotencyKey }),
      heartbeat: true,
    });
    sockets.push(back);
    const view = await finalView(first, key, id);
    expect(view.status).toBe('succeeded');
    // The same task, known to the service by its idempotency key.
    expect(view.result).toEqual({ s: { from: 'second', idempotencyKey: task.idempotencyKey } });
  }, 30_000);

  it('puts a task back in the queue at once when the instance that took it leaves its replica', async () => {
    const first = await replica(handOver);
    const second = await replica(handOver);
    const third = await replica(handOver);
    const { key } = await newProject(first, 'moved-again');
    const dying = await connectRawService(second.url, key, { hello: echoService('slow') });
    sockets.push(dying);
    const id = await submitSlow(first, key);
    const task = await dying.next((message) => message.type === 'task');
    dying.socket.terminate();
    const back = await connectRawService(third.url, key, {
      hello: echoService('slow'),
      answer: (again) => ({ from: 'third', idempotencyKey: again.idempotencyKey }),
      heartbeat: true,
    });
    sockets.push(back);
    const view = await finalView(first, key, id);
    expect(view.status).toBe('succeeded');
    expect(view.result).toEqual({ s: { from: 'third', idempotencyKey: task.idempotencyKey } });
  }, 30_000);

  it('takes a new admin token on every running replica as soon as one replica sets it', async () => {
    const first = await replica();
    const second = await replica();
    const rotated = `badm_${'r'.repeat(43)}`;
    const projects = (server: BatonServer, token: string) =>
      fetch(`${server.url}/v1/projects`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await projects(first, TEST_ADMIN_TOKEN)).toBe(200);
    // A replica started with another token (rotating a leaked one) replaces the stored one for all.
    const third = await replica({ adminToken: rotated });
    for (const server of [first, second, third]) {
      expect(await projects(server, rotated)).toBe(200);
      expect(await projects(server, TEST_ADMIN_TOKEN)).toBe(401);
    }
  });

  it('refuses to start a replica whose secret key is not the one the others share', async () => {
    await replica();
    const refused = await replica({ secretKey: 'cd'.repeat(32) }).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'validation-failed',
      problems: [expect.objectContaining({ path: 'secretKey', code: 'secret-key-mismatch' })],
    });
    expect(String((refused as Error).message)).toMatch(
      /BATON_SECRET_KEY is not the secret key this database was first used with/,
    );
    // The same key is welcome.
    expect((await replica()).url).toMatch(/^http/);
  });
});
