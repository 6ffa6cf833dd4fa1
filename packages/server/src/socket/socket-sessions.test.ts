/**
 * What a service written from docs/protocol.md meets on the socket: a task carries the moment its attempt is cut off;
 * an outcome sent after a `cancel`, as the page asks, is acknowledged without a complaint; an instance id belongs to
 * one service; a refused registration names the service as the project knows it.
 */
import { MAX_TIMESTAMP, parseServerMessage } from '@baton/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
  waitFor,
} from '../server-test-kit.js';

let t: TestServer;
const services: RawService[] = [];

beforeEach(async () => {
  t = await startTestServer({ serviceGraceMs: 60_000 });
});
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  await t.close();
});

async function connect(name: string, hello: Record<string, unknown> = {}): Promise<RawService> {
  const service = await connectRawService(t.server.url, t.apiKey, { hello: { ...echoService(name), ...hello } });
  services.push(service);
  return service;
}

async function submit(steps: unknown[]): Promise<string> {
  const response = await t.request('/v1/orchestrations', {
    method: 'POST',
    body: JSON.stringify({ action: { content: 'test' }, plan: { steps } }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

/** Everything `service` receives up to the answer to a heartbeat sent now: the server answers in order. */
async function receivedUntilHeartbeat(service: RawService, from: number): Promise<Record<string, unknown>[]> {
  const marker = Date.now();
  service.send({ type: 'heartbeat', at: marker });
  await service.next((message) => message.type === 'heartbeat' && service.received.indexOf(message) >= from);
  return service.received.slice(from);
}

describe('the service socket, as the protocol page describes it', () => {
  it("sends each task the moment its attempt is cut off: the step's timeout from when it was sent", async () => {
    const service = await connect('slow');
    const before = Date.now();
    await submit([{ id: 's', target: 'slow', input: {}, policy: { timeoutMs: 600_000, retry: { maxAttempts: 1 } } }]);
    const task = await service.next((message) => message.type === 'task');
    const after = Date.now();
    expect(typeof task.deadline).toBe('number');
    expect(task.deadline as number).toBeGreaterThanOrEqual(before + 600_000);
    expect(task.deadline as number).toBeLessThanOrEqual(after + 600_000);
  });

  it('sends a deadline the protocol allows: a whole millisecond, rounded up, never past its largest timestamp', async () => {
    const service = await connect('far');
    const before = Date.now();
    await submit([
      { id: 'fraction', target: 'far', input: {}, policy: { timeoutMs: 2000.5, retry: { maxAttempts: 1 } } },
    ]);
    const fractional = await service.next((message) => message.type === 'task');
    const after = Date.now();
    expect(parseServerMessage(JSON.stringify(fractional))).toMatchObject({ ok: true });
    expect(Number.isInteger(fractional.deadline)).toBe(true);
    expect(fractional.deadline as number).toBeGreaterThanOrEqual(before + 2001);
    expect(fractional.deadline as number).toBeLessThanOrEqual(after + 2001);
    const farOff = [
      { plan: { steps: [{ id: 'run-budget', target: 'far', input: {} }], budget: { timeMs: MAX_TIMESTAMP } } },
      { plan: { steps: [{ id: 'request-budget', target: 'far', input: {} }] }, budget: { timeMs: MAX_TIMESTAMP } },
    ];
    for (const body of farOff) {
      const response = await t.request('/v1/orchestrations', {
        method: 'POST',
        body: JSON.stringify({ action: { content: 'test' }, ...body }),
      });
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      const stepId = body.plan.steps[0]?.id;
      const task = await service.next((message) => message.type === 'task' && message.stepId === stepId);
      expect(parseServerMessage(JSON.stringify(task)), stepId).toMatchObject({ ok: true });
      expect(task.deadline, stepId).toBe(MAX_TIMESTAMP);
      service.send({ type: 'ack', of: task.id });
      service.send({ type: 'result', taskId: task.taskId, output: { step: stepId } });
      const done = await waitFor(async () => {
        const view = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as Record<string, unknown>;
        return view.status === 'running' ? undefined : view;
      }, `the orchestration of ${stepId}`);
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    }
  });

  it('refuses a plan whose step timeout no timer can hold, or whose idempotency key no task can carry', async () => {
    const steps = [
      { id: 'a', target: 'anything', input: {}, policy: { timeoutMs: 9_007_199_254_740_992 } },
      { id: 'b', target: 'anything', input: {}, policy: { idempotencyKey: 'k'.repeat(100_000) } },
    ];
    const response = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({ action: { content: 'test' }, plan: { steps } }),
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { problems: { path: string; code: string; message: string }[] };
    expect(problem.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: expect.stringMatching(/steps\[0\]\.policy\.timeoutMs$/),
          message: expect.stringContaining('at most 2147483647 ms'),
        }),
        expect.objectContaining({
          path: expect.stringMatching(/steps\[1\]\.policy\.idempotencyKey$/),
          message: expect.stringContaining('at most 2000 characters, got 100000'),
        }),
      ]),
    );
  });

  it('fails a step whose idempotency key, filled in, is longer than a task carries, without sending it', async () => {
    const service = await connect('keyed');
    const response = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({
        action: { content: 'test' },
        data: { key: 'k'.repeat(3000) },
        plan: {
          steps: [
            { id: 's', target: 'keyed', input: {}, policy: { idempotencyKey: '{{request.data.key}}', retry: false } },
          ],
        },
      }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const done = await waitFor(async () => {
      const view = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as Record<string, any>;
      return view.status === 'running' ? undefined : view;
    }, 'the orchestration');
    expect(done.status).toBe('failed');
    expect(JSON.stringify(done.error)).toContain(
      'idempotency key is 3000 characters long and a task carries at most 2000',
    );
    expect(service.received.filter((message) => message.type === 'task')).toEqual([]);
  });

  it('acknowledges the one outcome a cancelled task sends, with no protocol-error', async () => {
    const service = await connect('slow');
    const id = await submit([{ id: 's', target: 'slow', input: {} }]);
    const task = await service.next((message) => message.type === 'task');
    service.send({ type: 'ack', of: task.id });
    const cancelled = await t.request(`/v1/orchestrations/${id}/cancel`, { method: 'POST', body: '{}' });
    expect(cancelled.status).toBe(202);
    const cancel = await service.next((message) => message.type === 'cancel' && message.taskId === task.taskId);
    service.send({ type: 'ack', of: cancel.id });
    const from = service.received.length;
    service.send({
      id: 'outcome-after-cancel',
      type: 'task-error',
      taskId: task.taskId,
      error: { message: 'stopped', code: 'cancelled', retryable: false },
    });
    const answers = await receivedUntilHeartbeat(service, from);
    expect(answers).toContainEqual(expect.objectContaining({ type: 'ack', of: 'outcome-after-cancel' }));
    expect(answers.filter((message) => message.type === 'protocol-error')).toEqual([]);
    // A second outcome for the same task is still a mistake worth a word.
    const again = service.received.length;
    service.send({ id: 'second-outcome', type: 'result', taskId: task.taskId, output: {} });
    const second = await receivedUntilHeartbeat(service, again);
    expect(second).toContainEqual(expect.objectContaining({ type: 'protocol-error', code: 'unknown-task' }));
  });

  it('tells an instance that comes back of the tasks cancelled while it was away, and takes their outcome quietly', async () => {
    const service = await connect('away');
    const welcome = await service.next((message) => message.type === 'welcome');
    const id = await submit([{ id: 's', target: 'away', input: {} }]);
    const task = await service.next((message) => message.type === 'task');
    service.send({ type: 'ack', of: task.id });
    service.socket.terminate();
    await waitFor(async () => {
      const view = (await (await t.request('/v1/services')).json()) as { items: { instances: unknown[] }[] };
      return view.items[0]?.instances.length === 0 ? true : undefined;
    }, 'the server to see the socket gone');
    const cancelled = await t.request(`/v1/orchestrations/${id}/cancel`, { method: 'POST', body: '{}' });
    expect(cancelled.status).toBe(202);
    const back = await connect('away', { instanceId: welcome.instanceId });
    const cancel = await back.next((message) => message.type === 'cancel' && message.taskId === task.taskId);
    back.send({ type: 'ack', of: cancel.id });
    const from = back.received.length;
    back.send({ id: 'late-outcome', type: 'result', taskId: task.taskId, output: { done: true } });
    const answers = await receivedUntilHeartbeat(back, from);
    expect(answers).toContainEqual(expect.objectContaining({ type: 'ack', of: 'late-outcome' }));
    expect(answers.filter((message) => message.type === 'protocol-error')).toEqual([]);
    // Nothing of the cancelled run was sent again.
    expect(back.received.filter((message) => message.type === 'task')).toEqual([]);
  });

  it('sends the tasks of an instance re-attaching while its old socket still looks open to the new socket at once', async () => {
    const first = await connect('twice');
    const welcome = await first.next((message) => message.type === 'welcome');
    await submit([{ id: 's', target: 'twice', input: {} }]);
    const task = await first.next((message) => message.type === 'task');
    first.send({ type: 'ack', of: task.id });
    const closed = new Promise<number>((resolve) => first.socket.once('close', (code) => resolve(code)));
    const again = await connect('twice', { instanceId: welcome.instanceId });
    expect(await closed).toBe(4009);
    // Before the answer to a heartbeat sent right after its welcome, not a heartbeat interval later.
    const received = await receivedUntilHeartbeat(again, 0);
    expect(received[0]).toMatchObject({ type: 'welcome', instanceId: welcome.instanceId });
    expect(received).toContainEqual(expect.objectContaining({ type: 'task', taskId: task.taskId }));
  });

  it("gives a hello naming another service's instance id an id of its own, and leaves that service connected", async () => {
    const owner = await connect('owner');
    const welcome = await owner.next((message) => message.type === 'welcome');
    const intruder = await connect('intruder', { instanceId: welcome.instanceId });
    const intruderWelcome = await intruder.next((message) => message.type === 'welcome');
    expect(intruderWelcome.instanceId).toEqual(expect.any(String));
    expect(intruderWelcome.instanceId).not.toBe(welcome.instanceId);
    const from = owner.received.length;
    const stillThere = await receivedUntilHeartbeat(owner, from);
    expect(stillThere.at(-1)?.type).toBe('heartbeat');
    expect(owner.socket.readyState).toBe(owner.socket.OPEN);
    // The same service re-attaching under its own id still replaces its old socket.
    const again = await connect('owner', { instanceId: welcome.instanceId });
    expect((await again.next((message) => message.type === 'welcome')).instanceId).toBe(welcome.instanceId);
    await new Promise<void>((resolve) => owner.socket.once('close', () => resolve()));
  });

  it('names a refused service by its own name, not by the engine-scoped one', async () => {
    const service = await connect('badly-typed', {
      service: { ...(echoService('badly-typed').service as object), input: { type: 'no-such-type' } },
    });
    const refusal = await service.next((message) => message.type === 'protocol-error');
    expect(refusal.code).toBe('registration-refused');
    expect(String(refusal.message)).toContain('badly-typed');
    expect(String(refusal.message)).not.toMatch(/prj[-_]/);
  });
});
