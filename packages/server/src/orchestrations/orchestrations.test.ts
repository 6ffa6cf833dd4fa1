import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
  waitFor,
} from '../server-test-kit.js';
import { startServer } from '../start-server.js';

let t: TestServer;
const services: RawService[] = [];

beforeEach(async () => {
  t = await startTestServer({ serviceGraceMs: 60_000 });
});
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  await t.close();
});

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

async function submit(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.request('/v1/orchestrations', {
    method: 'POST',
    headers,
    body: JSON.stringify({ action: { content: 'test' }, ...body }),
  });
}

async function waitForStatus(id: string, statuses: string[]): Promise<Record<string, unknown>> {
  for (;;) {
    const view = await json(await t.request(`/v1/orchestrations/${id}`));
    if (statuses.includes(view.status as string)) return view;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function echo(
  name: string,
  extra: Record<string, unknown> = {},
  answer?: (task: Record<string, unknown>) => unknown,
) {
  const service = await connectRawService(t.server.url, t.apiKey, {
    hello: echoService(name, extra),
    answer: answer ?? ((task) => ({ echoed: task.input })),
  });
  services.push(service);
  return service;
}

describe('orchestrations over socket services', () => {
  it('runs parallel groups and a join across services and returns the result', async () => {
    await echo('left');
    await echo('right');
    await echo('join');
    const response = await submit({
      data: { n: 2 },
      plan: {
        steps: [
          { id: 'a', target: 'left', input: { n: { $ref: 'request.data.n' } } },
          { id: 'b', target: 'right', input: { n: 3 } },
          { id: 'c', target: 'join', input: { a: { $ref: 'steps.a.output' }, b: { $ref: 'steps.b.output' } } },
        ],
      },
    });
    expect(response.status).toBe(202);
    const accepted = await json(response);
    expect(accepted.parallelGroups).toEqual([['a', 'b'], ['c']]);
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(done.result).toEqual({ c: { echoed: { a: { echoed: { n: 2 } }, b: { echoed: { n: 3 } } } } });
    const steps = done.steps as Array<Record<string, unknown>>;
    expect(steps.map((step) => [step.id, step.status, step.service])).toEqual([
      ['a', 'succeeded', 'left@1'],
      ['b', 'succeeded', 'right@1'],
      ['c', 'succeeded', 'join@1'],
    ]);
    // Read back from the journal once the run is over: when each step started and finished.
    for (const step of steps) {
      expect(step.startedAt, `startedAt of ${step.id}`).not.toBeNull();
      expect(Date.parse(step.startedAt as string)).toBeLessThanOrEqual(Date.parse(step.finishedAt as string));
    }
  });

  it('answers 422 for an action no template covers when no model is configured, saying how to configure one', async () => {
    const response = await submit({ data: {} });
    expect(response.status).toBe(422);
    const problem = await json(response);
    expect(problem.code).toBe('no-planner');
    expect(problem.detail).toMatch(/BATON_LLM_BASE_URL and BATON_LLM_MODEL/);
    expect(problem.detail).toMatch(/send an explicit plan/);
  });

  it('answers 422 naming the template whose words matched when the data contradicts them, with both values', async () => {
    const template = {
      name: 'weather-report',
      examples: ["What's the weather in {city}?", 'Weather in {city}'],
      params: { city: { type: 'string', minLength: 1 } },
      plan: { steps: [{ id: 'weather', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] },
    };
    const created = await t.request('/v1/plan-templates', { method: 'POST', body: JSON.stringify(template) });
    expect(created.status).toBe(201);
    for (const [city, shown] of [
      ['Rome', '"Rome"'],
      [42, '42'],
    ] as const) {
      const response = await submit({ action: { content: "What's the weather in Paris?" }, data: { city } });
      expect(response.status).toBe(422);
      const problem = await json(response);
      expect(problem.code).toBe('no-planner');
      expect(problem.detail).toContain(
        `(the template "weather-report" matched its words, but city: the words say "Paris", data says ${shown})`,
      );
    }
    // A value the words hold in another place contradicts them too: EUR is the currency converted to, not from.
    const convert = {
      name: 'convert-currency',
      examples: ['Convert {amount} {from} to {to}'],
      params: { amount: { type: 'number' }, from: { type: 'string' }, to: { type: 'string' } },
      plan: { steps: [{ id: 'fx', target: 'fx', input: { from: { $ref: 'request.data.from' } } }] },
    };
    expect((await t.request('/v1/plan-templates', { method: 'POST', body: JSON.stringify(convert) })).status).toBe(201);
    const swapped = await submit({ action: { content: 'Convert 100 USD to EUR' }, data: { from: 'EUR' } });
    expect(swapped.status).toBe(422);
    expect((await json(swapped)).detail).toContain(
      '(the template "convert-currency" matched its words, but from: the words say "USD", data says "EUR")',
    );
    // Data that agrees with the words (or that the words do not give) is no conflict: the template is taken.
    await echo('weather');
    const agreed = await submit({ action: { content: "What's the weather in Paris?" }, data: { city: 'Paris' } });
    expect(agreed.status).toBe(202);
  });

  it('returns the first orchestration for a repeated Idempotency-Key', async () => {
    await echo('once');
    const body = { plan: { steps: [{ id: 'a', target: 'once', input: {} }] } };
    const first = await json(await submit(body, { 'idempotency-key': 'order-17' }));
    const second = await json(await submit(body, { 'idempotency-key': 'order-17' }));
    expect(second.id).toBe(first.id);
    // The same key with another request is refused, naming the key: it is not that request's answer.
    const changed = await submit(
      { plan: { steps: [{ id: 'a', target: 'nobody', input: {} }] } },
      {
        'idempotency-key': 'order-17',
      },
    );
    expect(changed.status).toBe(422);
    expect(await json(changed)).toMatchObject({ code: 'idempotency-key-reused' });
    await waitForStatus(first.id as string, ['succeeded']);
    const list = await json(await t.request('/v1/orchestrations'));
    expect((list.items as unknown[]).length).toBe(1);
  });

  it('keeps the schema revision a run resolved when the service registers a changed schema', async () => {
    const first = await echo('versioned', { input: { type: 'object', properties: { a: { type: 'number' } } } }, () => ({
      v: 1,
    }));
    const services1 = await json(await t.request('/v1/services'));
    expect((services1.items as Array<Record<string, unknown>>)[0]?.version).toBe(1);
    await first.close();
    await echo('versioned', { input: { type: 'object', properties: { b: { type: 'string' } } } });
    const services2 = await json(await t.request('/v1/services'));
    expect((services2.items as Array<Record<string, unknown>>)[0]?.version).toBe(2);
    const accepted = await json(
      await submit({ plan: { steps: [{ id: 'x', target: 'versioned', input: { b: 'ok' } }] } }),
    );
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect((done.steps as Array<Record<string, unknown>>)[0]?.service).toBe('versioned@2');
  });

  it('validates a plan submitted again against the schema its service registers since', async () => {
    const schemaA = { input: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } };
    const schemaB = { input: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] } };
    const plan = { steps: [{ id: 'x', target: 'changing', input: { a: 'one' } }] };
    const first = await echo('changing', schemaA);
    for (let i = 0; i < 2; i++) expect((await submit({ plan })).status).toBe(202);
    await first.close();
    await echo('changing', schemaB);
    const refused = await submit({ plan });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await json(refused))).toContain('plan.steps[0].input');
    expect((await submit({ plan: { steps: [{ id: 'x', target: 'changing', input: { b: 'two' } }] } })).status).toBe(
      202,
    );
  });

  it('sends a task only to instances of the schema revision its run resolved', async () => {
    const schemaA = { input: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } };
    const schemaB = { input: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] } };
    // A run of revision 1 is held: its task waits while the service is redeployed with another schema.
    let releaseOld!: () => void;
    const held = new Promise<void>((resolve) => {
      releaseOld = resolve;
    });
    const old = await echo('rolling', schemaA, async (task) => {
      if ((task.input as { hold?: boolean }).hold) await held;
      return { by: 'old', input: task.input };
    });
    const first = await json(
      await submit({ plan: { steps: [{ id: 'x', target: 'rolling', input: { a: 'one', hold: true } }] } }),
    );
    await waitFor(async () => {
      const view = await json(await t.request(`/v1/orchestrations/${first.id}`));
      return (view.steps as Array<Record<string, unknown>>)[0]?.status === 'running' ? true : undefined;
    }, 'the revision 1 task to run');
    await echo('rolling', schemaB, (task) => ({ by: 'new', input: task.input }));
    const services2 = await json(await t.request('/v1/services'));
    const rolling = (services2.items as Array<Record<string, unknown>>)[0];
    expect(rolling?.version).toBe(2);
    // Each instance says which revision it serves: the old one finishes revision 1's runs.
    const instances = rolling?.instances as Array<{ version: number | null; status: string }>;
    expect(instances.map((instance) => instance.version).sort()).toEqual([1, 2]);
    // New runs resolve revision 2: every one goes to the new instance, none to the old one still connected.
    const later = await Promise.all(
      [1, 2, 3, 4].map(async (n) =>
        json(await submit({ plan: { steps: [{ id: 'y', target: 'rolling', input: { b: `n${n}` } }] } })),
      ),
    );
    for (const accepted of later) {
      const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
      expect(done.result).toEqual({ y: { by: 'new', input: { b: expect.any(String) } } });
    }
    // A retry of a revision 1 step goes to the instance of revision 1 only, even though another has room.
    releaseOld();
    const done = await waitForStatus(first.id as string, ['succeeded', 'failed']);
    expect(done.result).toEqual({ x: { by: 'old', input: { a: 'one', hold: true } } });
    expect((done.steps as Array<Record<string, unknown>>)[0]?.service).toBe('rolling@1');
    await old.close();
  });

  it('runs new orchestrations on the revision still served when the instance of a newer one has left', async () => {
    const schemaA = { input: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } };
    const schemaB = { input: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] } };
    const kept = await echo('tried', schemaA, (task) => ({ by: 'kept', input: task.input }));
    // A trial of a changed schema registers revision 2, then goes away.
    const trial = await echo('tried', schemaB, (task) => ({ by: 'trial', input: task.input }));
    expect(((await json(await t.request('/v1/services'))).items as Array<Record<string, unknown>>)[0]?.version).toBe(2);
    await trial.close();
    await waitFor(async () => {
      const services = await json(await t.request('/v1/services'));
      const [service] = services.items as Array<{ instances: unknown[] }>;
      return service?.instances.length === 1 || undefined;
    }, 'the trial instance to leave');
    // The plan is checked against, and runs on, revision 1: the one a connected instance serves.
    const accepted = await json(await submit({ plan: { steps: [{ id: 'x', target: 'tried', input: { a: 'one' } }] } }));
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done.result).toEqual({ x: { by: 'kept', input: { a: 'one' } } });
    expect((done.steps as Array<Record<string, unknown>>)[0]?.service).toBe('tried@1');
    // Once an instance of revision 2 is back, new orchestrations use it.
    const back = await echo('tried', schemaB, (task) => ({ by: 'back', input: task.input }));
    const later = await json(await submit({ plan: { steps: [{ id: 'y', target: 'tried', input: { b: 'two' } }] } }));
    expect((await waitForStatus(later.id as string, ['succeeded', 'failed'])).result).toEqual({
      y: { by: 'back', input: { b: 'two' } },
    });
    await Promise.all([kept.close(), back.close()]);
  });

  it('gives schemas registered before their revision again, so a run of it is served after a rollback', async () => {
    const schemaA = { input: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } };
    const schemaB = { input: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] } };
    const version = async () =>
      ((await json(await t.request('/v1/services'))).items as Array<Record<string, unknown>>)[0]?.version;
    // Revision 1's instance takes a task and leaves without answering it.
    const old = await echo('rolled', schemaA);
    old.socket.removeAllListeners('message');
    old.socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as Record<string, unknown>).type === 'task') old.socket.close();
    });
    const accepted = await json(
      await submit({ plan: { steps: [{ id: 'x', target: 'rolled', input: { a: 'one' } }] } }),
    );
    await waitFor(async () => {
      const view = await json(await t.request(`/v1/orchestrations/${accepted.id}`));
      return (view.steps as Array<Record<string, unknown>>)[0]?.status === 'waiting-for-service' ? true : undefined;
    }, 'the revision 1 task to wait for an instance');
    // A deploy of other schemas comes and goes: revision 2.
    const trial = await echo('rolled', schemaB);
    expect(await version()).toBe(2);
    await trial.close();
    // The rollback registers revision 1's schemas: that is revision 1 again, and it takes the waiting task.
    await echo('rolled', schemaA, (task) => ({ by: 'rolled back', input: task.input }));
    expect(await version()).toBe(1);
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done.result).toEqual({ x: { by: 'rolled back', input: { a: 'one' } } });
    expect((done.steps as Array<Record<string, unknown>>)[0]?.service).toBe('rolled@1');
  });

  it('shows a service as degraded while its breaker is open, down with no instance', async () => {
    const health = async () =>
      ((await json(await t.request('/v1/services'))).items as Array<Record<string, unknown>>)[0]?.health;
    const busy = await echo('busy');
    busy.socket.removeAllListeners('message');
    busy.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type !== 'task') return;
      busy.socket.send(JSON.stringify({ id: `ack-${message.id}`, type: 'ack', of: message.id }));
      const error = { message: 'the upstream is busy', retryable: true };
      busy.socket.send(JSON.stringify({ id: `e-${message.id}`, type: 'task-error', taskId: message.taskId, error }));
    });
    expect(await health()).toBe('healthy');
    const policy = { retry: false, breaker: { threshold: 2, halfOpenAfterMs: 600_000 } };
    for (const n of [1, 2]) {
      const accepted = await json(
        await submit({ plan: { steps: [{ id: `s${n}`, target: 'busy', input: {}, policy }] } }),
      );
      await waitForStatus(accepted.id as string, ['failed']);
    }
    expect(await health()).toBe('degraded');
    await busy.close();
    await waitFor(async () => ((await health()) === 'down' ? true : undefined), 'the instance to leave');
  });

  it('fails a task whose revision has no instance within the grace period, naming the revision', async () => {
    await t.close();
    t = await startTestServer({ serviceGraceMs: 200 });
    const old = await echo('moved', { input: { type: 'object', properties: { a: { type: 'string' } } } });
    let releaseOld!: () => void;
    const held = new Promise<void>((resolve) => {
      releaseOld = resolve;
    });
    old.socket.removeAllListeners('message');
    old.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type === 'task') void held.then(() => old.socket.close());
    });
    const accepted = await json(
      await submit({ plan: { steps: [{ id: 'x', target: 'moved', input: { a: 'x' }, policy: { retry: false } }] } }),
    );
    await waitFor(async () => {
      const view = await json(await t.request(`/v1/orchestrations/${accepted.id}`));
      return (view.steps as Array<Record<string, unknown>>)[0]?.status === 'running' ? true : undefined;
    }, 'the task to reach the revision 1 instance');
    await echo('moved', { input: { type: 'object', properties: { b: { type: 'string' } } } });
    // The revision 1 instance leaves with the task unanswered: only a revision 2 instance is left to take it.
    releaseOld();
    const done = await waitForStatus(accepted.id as string, ['failed']);
    expect((done.error as { message: string }).message).toMatch(
      /no instance of service "moved" at revision 1 \(the schema this orchestration started with\) connected within 200 ms/,
    );
  });

  it('waits for a service that is not connected, shows waiting-for-service, and runs once it connects', async () => {
    const seed = await echo('later');
    await seed.close();
    const accepted = await json(await submit({ plan: { steps: [{ id: 'w', target: 'later', input: {} }] } }));
    for (;;) {
      const view = await json(await t.request(`/v1/orchestrations/${accepted.id}`));
      if ((view.steps as Array<Record<string, unknown>>)[0]?.status === 'waiting-for-service') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await echo('later');
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
  });

  it('fails a task whose service never connects within the grace period, with a clear error', async () => {
    await t.close();
    t = await startTestServer({ serviceGraceMs: 50 });
    const seed = await echo('absent');
    await seed.close();
    const accepted = await json(
      await submit({ plan: { steps: [{ id: 'w', target: 'absent', input: {}, policy: { retry: false } }] } }),
    );
    const done = await waitForStatus(accepted.id as string, ['failed']);
    expect((done.error as { message: string }).message).toMatch(
      /no instance of service "absent" connected within 50 ms/,
    );
  });

  it('retries a retryable task error, then succeeds', async () => {
    let calls = 0;
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('flaky') });
    services.push(service);
    service.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type !== 'task') return;
      calls += 1;
      service.send({ type: 'ack', of: message.id });
      if (calls === 1)
        service.send({ type: 'task-error', taskId: message.taskId, error: { message: 'busy', retryable: true } });
      else service.send({ type: 'result', taskId: message.taskId, output: { ok: true } });
    });
    const accepted = await json(
      await submit({
        plan: {
          steps: [{ id: 'f', target: 'flaky', input: {}, policy: { retry: { maxAttempts: 3, initialDelayMs: 1 } } }],
        },
      }),
    );
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect((done.steps as Array<Record<string, unknown>>)[0]?.attempts).toBe(2);
  });

  it('shows the step that failed for good as failed, with its attempts and error, and the steps after it as cancelled', async () => {
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('broken') });
    services.push(service);
    service.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type !== 'task') return;
      service.send({ type: 'ack', of: message.id });
      service.send({
        type: 'task-error',
        taskId: message.taskId,
        error: { message: 'unknown currency XYZ', code: 'unknown-currency', retryable: false, details: { got: 'XYZ' } },
      });
    });
    await echo('after');
    const accepted = await json(
      await submit({
        plan: {
          steps: [
            { id: 'convert', target: 'broken', input: {} },
            { id: 'report', target: 'after', input: { from: { $ref: 'steps.convert.output' } } },
          ],
        },
      }),
    );
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done.status).toBe('failed');
    const [convert, report] = done.steps as Array<Record<string, unknown>>;
    expect(convert).toMatchObject({ status: 'failed', service: 'broken@1', attempts: 1 });
    expect((convert?.error as { message: string } | undefined)?.message).toMatch(/unknown currency XYZ/);
    // The service's own code and details come through, under the step error's cause.
    expect(convert?.error).toMatchObject({
      code: 'step-failed',
      cause: { code: 'remote-task-failed', service: 'broken', remoteCode: 'unknown-currency', details: { got: 'XYZ' } },
    });
    expect(report).toMatchObject({ status: 'cancelled', attempts: 0 });
  });

  it('retries a failed orchestration from its failed step, reusing the step that succeeded', async () => {
    let fail = true;
    const calls: string[] = [];
    await echo('first', {}, (task) => {
      calls.push(`first:${task.idempotencyKey}`);
      return { one: 1 };
    });
    await echo('second', {}, () => {
      calls.push('second');
      if (fail) throw new Error('not yet');
      return { two: 2 };
    });
    const accepted = await json(
      await submit({
        plan: {
          steps: [
            { id: 'a', target: 'first', input: {} },
            { id: 'b', target: 'second', input: { from: { $ref: 'steps.a.output.one' } }, policy: { retry: false } },
          ],
        },
      }),
    );
    const failed = await waitForStatus(accepted.id as string, ['failed']);
    expect(JSON.stringify(failed.error)).toMatch(/not yet/);
    fail = false;
    const retried = await t.request(`/v1/orchestrations/${accepted.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    const done = await waitForStatus(accepted.id as string, ['succeeded']);
    expect(done.retries).toBe(1);
    expect(done.result).toEqual({ b: { two: 2 } });
    expect(calls.filter((call) => call.startsWith('first'))).toHaveLength(1);
    expect(calls.filter((call) => call === 'second')).toHaveLength(2);
    // The reused step shows the service and input it ran with, in the view and in the retry's events.
    expect((done.steps as Record<string, unknown>[])[0]).toMatchObject({
      id: 'a',
      status: 'succeeded',
      service: 'first@1',
      input: {},
    });
    const stream = await (await t.request(`/v1/orchestrations/${accepted.id}/events`)).text();
    const finishes = stream
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { type: string; stepId: string; data: { service?: string } })
      .filter((event) => event.type === 'step-finish' && event.stepId === 'a');
    expect(finishes.map((event) => event.data.service)).toEqual(['first@1', 'first@1']);
    const again = await t.request(`/v1/orchestrations/${accepted.id}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('retries under the orchestration own timeoutMs, counted from the retry, or the timeoutMs the retry gives', async () => {
    let open = false;
    const held: Array<() => void> = [];
    // Closed, it never answers; open, it answers after 600 ms: past the first deadline, well within the one given.
    await echo('sluggish', {}, () =>
      open
        ? new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 600))
        : new Promise((resolve) => held.push(() => resolve({ ok: true }))),
    );
    const accepted = await json(
      await submit({ timeoutMs: 300, plan: { steps: [{ id: 's', target: 'sluggish', input: {} }] } }),
    );
    const timedOut = async () => {
      const failed = await waitForStatus(accepted.id as string, ['failed', 'succeeded']);
      expect(failed.status).toBe('failed');
      expect(JSON.stringify(failed.error)).toMatch(/300 ms/);
    };
    await timedOut();
    // No answer comes while the service holds its tasks: the retry fails on the same deadline.
    expect((await t.request(`/v1/orchestrations/${accepted.id}/retry`, { method: 'POST' })).status).toBe(202);
    await timedOut();
    open = true;
    const given = await t.request(`/v1/orchestrations/${accepted.id}/retry`, {
      method: 'POST',
      body: JSON.stringify({ timeoutMs: 60_000 }),
    });
    expect(given.status).toBe(202);
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done).toMatchObject({ status: 'succeeded', retries: 2 });
    for (const release of held) release();
    const refused = await t.request(`/v1/orchestrations/${accepted.id}/retry`, {
      method: 'POST',
      body: JSON.stringify({ timeoutMs: -1 }),
    });
    expect(refused.status).toBe(400);
  });

  it('waits for an approval, lists it, and goes on when it is approved', async () => {
    await echo('ship');
    const accepted = await json(
      await submit({
        plan: {
          steps: [
            { id: 'ok', approval: { prompt: 'Ship it?' } },
            { id: 'go', target: 'ship', input: { decision: { $ref: 'steps.ok.output.decision' } } },
          ],
        },
      }),
    );
    let approvals: Array<Record<string, unknown>> = [];
    while (approvals.length === 0) {
      approvals = (await json(await t.request('/v1/approvals?status=pending'))).items as Array<Record<string, unknown>>;
      if (approvals.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(approvals[0]).toMatchObject({
      orchestrationId: accepted.id,
      stepId: 'ok',
      prompt: 'Ship it?',
      status: 'pending',
    });
    const approved = await t.request(`/v1/approvals/${approvals[0]?.id}/approve`, {
      method: 'POST',
      body: JSON.stringify({ data: { by: 'ana' } }),
    });
    expect(approved.status).toBe(200);
    // The answer shows the decision, the data sent with it and when; a pending approval shows none.
    expect(approvals[0]).toMatchObject({ decidedAt: null });
    expect(approvals[0]).not.toHaveProperty('decision');
    expect(await json(approved)).toMatchObject({
      status: 'approved',
      decision: { by: 'ana' },
      decidedAt: expect.stringMatching(/^\d{4}-/),
    });
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done.result).toEqual({ go: { echoed: { decision: 'approved' } } });
    // The list shows a decided approval as its own GET does: with the decision and when it was made.
    const listed = (await json(await t.request('/v1/approvals?status=approved'))).items as Array<
      Record<string, unknown>
    >;
    expect(listed).toEqual([
      expect.objectContaining({ id: approvals[0]?.id, decision: { by: 'ana' }, decidedAt: expect.any(String) }),
    ]);
    expect((await json(await t.request('/v1/approvals'))).items).toHaveLength(1);
    const twice = await t.request(`/v1/approvals/${approvals[0]?.id}/approve`, { method: 'POST', body: '{}' });
    expect(twice.status).toBe(409);
  });

  it('cancels a running orchestration: the service is told, and a second cancel is a 409', async () => {
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('slow') });
    services.push(service);
    const accepted = await json(await submit({ plan: { steps: [{ id: 's', target: 'slow', input: {} }] } }));
    const task = await service.next((message) => message.type === 'task');
    const cancelled = await t.request(`/v1/orchestrations/${accepted.id}/cancel`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'changed my mind' }),
    });
    expect(cancelled.status).toBe(202);
    const cancel = await service.next((message) => message.type === 'cancel');
    expect(cancel.taskId).toBe(task.taskId);
    await waitForStatus(accepted.id as string, ['cancelled']);
    // The step was sent and stopped: tried once, on its service — not a step the run never came to.
    const ended = await waitFor(async () => {
      const view = await json(await t.request(`/v1/orchestrations/${accepted.id}`));
      return t.server.engine.getRun(accepted.id as string) === undefined ? view : undefined;
    }, 'the run to be let go');
    expect((ended.steps as Record<string, unknown>[])[0]).toMatchObject({
      id: 's',
      status: 'cancelled',
      service: 'slow@1',
      attempts: 1,
      startedAt: expect.any(String),
    });
    const again = await t.request(`/v1/orchestrations/${accepted.id}/cancel`, { method: 'POST', body: '{}' });
    expect(again.status).toBe(409);
  });

  it('compensates finished revertible steps when a later step aborts the orchestration', async () => {
    const book = await connectRawService(t.server.url, t.apiKey, {
      hello: echoService('book', { revertible: true }),
      answer: () => ({ booking: 'b-1' }),
    });
    services.push(book);
    book.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type === 'compensate') {
        book.send({ type: 'ack', of: message.id });
        book.send({ type: 'compensation-result', compensationId: message.compensationId, ok: true });
      }
    });
    const pay = await connectRawService(t.server.url, t.apiKey, { hello: echoService('pay') });
    services.push(pay);
    pay.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type !== 'task') return;
      pay.send({ type: 'ack', of: message.id });
      pay.send({ type: 'abort', taskId: message.taskId, reason: 'card declined', payload: { card: 'declined' } });
    });
    const accepted = await json(
      await submit({
        plan: {
          steps: [
            { id: 'book', target: 'book', input: {} },
            { id: 'pay', target: 'pay', input: { booking: { $ref: 'steps.book.output.booking' } } },
          ],
        },
      }),
    );
    const asked = Date.now();
    const compensate = await book.next((message) => message.type === 'compensate');
    expect(compensate).toMatchObject({ stepId: 'book', output: { booking: 'b-1' }, payload: { card: 'declined' } });
    // Its deadline is the engine's compensation time limit (5 minutes by default) from its start.
    expect(compensate.deadline).toBeGreaterThanOrEqual(asked + 5 * 60_000 - 1000);
    expect(compensate.deadline).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    const done = await waitForStatus(accepted.id as string, ['failed', 'cancelled']);
    expect(JSON.stringify(done.error)).toMatch(/card declined/);
    // The aborting step shows why, and that it was tried.
    const payStep = (done.steps as Array<Record<string, unknown>>)[1];
    expect(payStep).toMatchObject({ id: 'pay', status: 'failed', attempts: 1, error: { code: 'run-aborted' } });
    expect(JSON.stringify(payStep?.error)).toMatch(/card declined/);
  });

  it('sends the same task to another instance when the one holding it disconnects', async () => {
    const first = await connectRawService(t.server.url, t.apiKey, { hello: echoService('pool') });
    services.push(first);
    const accepted = await json(await submit({ plan: { steps: [{ id: 'p', target: 'pool', input: {} }] } }));
    const task = await first.next((message) => message.type === 'task');
    const second = await connectRawService(t.server.url, t.apiKey, { hello: echoService('pool') });
    services.push(second);
    await first.close();
    const moved = await second.next((message) => message.type === 'task');
    expect(moved.taskId).toBe(task.taskId);
    expect(moved.idempotencyKey).toBe(task.idempotencyKey);
    second.send({ type: 'result', taskId: moved.taskId, output: { by: 'second' } });
    const done = await waitForStatus(accepted.id as string, ['succeeded', 'failed']);
    expect(done.result).toEqual({ p: { by: 'second' } });
  });

  it('holds GET ?waitMs= until the orchestration ends, and answers with its result', async () => {
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('held') });
    services.push(service);
    const accepted = await json(await submit({ plan: { steps: [{ id: 'h', target: 'held', input: {} }] } }));
    const task = await service.next((message) => message.type === 'task');
    let answered = false;
    const pending = t.request(`/v1/orchestrations/${accepted.id}?waitMs=60000`).then(async (response) => {
      answered = true;
      return { status: response.status, body: await json(response) };
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered, 'answered while the task was still held').toBe(false);
    service.send({ type: 'result', taskId: task.taskId, output: { done: true } });
    const { status, body } = await pending;
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'succeeded', result: { h: { done: true } } });
  });

  it('answers GET ?waitMs= as the orchestration stands once the wait is over', async () => {
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('held') });
    services.push(service);
    const accepted = await json(await submit({ plan: { steps: [{ id: 'h', target: 'held', input: {} }] } }));
    await service.next((message) => message.type === 'task');
    const asked = Date.now();
    const response = await t.request(`/v1/orchestrations/${accepted.id}?waitMs=150`);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ status: 'running' });
  });

  it('holds POST ?waitMs= until the orchestration ends: 201 with the orchestration, its result and where it lives', async () => {
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('held') });
    services.push(service);
    let answered = false;
    const plan = { steps: [{ id: 'h', target: 'held', input: {} }] };
    const pending = t
      .request('/v1/orchestrations?waitMs=60000', {
        method: 'POST',
        headers: { 'idempotency-key': 'held-1' },
        body: JSON.stringify({ action: { content: 'hold' }, plan }),
      })
      .then(async (response) => {
        answered = true;
        return { status: response.status, location: response.headers.get('location'), body: await json(response) };
      });
    const task = await service.next((message) => message.type === 'task');
    expect(answered, 'answered while the task was still held').toBe(false);
    service.send({ type: 'result', taskId: task.taskId, output: { done: true } });
    const { status, location, body } = await pending;
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: 'succeeded', result: { h: { done: true } } });
    expect(location).toBe(`/v1/orchestrations/${body.id}`);
    // A repeat under the same key answers with the same orchestration, already ended, and starts nothing.
    const again = await t.request('/v1/orchestrations?waitMs=60000', {
      method: 'POST',
      headers: { 'idempotency-key': 'held-1' },
      body: JSON.stringify({ action: { content: 'hold' }, plan }),
    });
    expect(again.status).toBe(201);
    expect(await json(again)).toMatchObject({ id: body.id, status: 'succeeded', result: { h: { done: true } } });
  });

  it('answers POST ?waitMs= with the orchestration as it stands once the wait is over, and refuses a bad wait', async () => {
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('held') });
    services.push(service);
    const asked = Date.now();
    const response = await submit({ plan: { steps: [{ id: 'h', target: 'held', input: {} }] } }).then(() =>
      t.request('/v1/orchestrations?waitMs=150', {
        method: 'POST',
        body: JSON.stringify({
          action: { content: 'hold' },
          plan: { steps: [{ id: 'h', target: 'held', input: {} }] },
        }),
      }),
    );
    expect(Date.now() - asked).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(201);
    expect(await json(response)).toMatchObject({ status: 'running', steps: [{ id: 'h', status: 'running' }] });
    for (const wait of ['-1', '60001', 'soon']) {
      const refused = await t.request(`/v1/orchestrations?waitMs=${wait}`, {
        method: 'POST',
        body: JSON.stringify({ action: { content: 'x' }, plan: { steps: [{ id: 'h', target: 'held', input: {} }] } }),
      });
      expect(refused.status, wait).toBe(400);
      expect(JSON.stringify(await json(refused)), wait).toContain('waitMs');
    }
    // An action with no plan, and no model to make one, is refused as without a wait.
    const unplanned = await t.request('/v1/orchestrations?waitMs=1000', {
      method: 'POST',
      body: JSON.stringify({ action: { content: 'do something nobody planned' } }),
    });
    expect(unplanned.status).toBe(422);
    expect(await json(unplanned)).toMatchObject({ code: 'no-planner' });
  });

  it('refuses a waitMs that is not a whole number of milliseconds up to a minute', async () => {
    const accepted = await json(await submit({ plan: { steps: [{ id: 's', target: 'nobody', input: {} }] } }));
    for (const wait of ['-1', '60001', 'soon', '1.5']) {
      const response = await t.request(`/v1/orchestrations/${accepted.id}?waitMs=${wait}`);
      expect(response.status, wait).toBe(400);
      expect(JSON.stringify(await json(response)), wait).toContain('waitMs');
    }
  });

  it('fails an orchestration whose run was never stored (a crash between the two writes) at the next start', async () => {
    await t.server.close();
    const file = new Database(join(t.dir, 'baton.db'));
    const longAgo = Date.now() - 120_000;
    file
      .prepare(
        `INSERT INTO baton_server_orchestrations (id, project_id, action, run_id, plan, status, idempotency_key,
           webhook_id, retries, created_at, updated_at, finished_at, error)
         VALUES (?, ?, 'lost', ?, ?, 'running', NULL, NULL, 0, ?, ?, NULL, NULL)`,
      )
      .run(
        'orc_lost',
        t.projectId,
        'orc_lost',
        JSON.stringify({ steps: [{ id: 's', target: 'x' }] }),
        longAgo,
        longAgo,
      );
    file.close();
    const restarted = await startServer({
      databaseUrl: join(t.dir, 'baton.db'),
      port: 0,
      logger: false,
      adminToken: t.adminToken,
    });
    try {
      const read = (path: string) =>
        fetch(`${restarted.url}${path}`, { headers: { authorization: `Bearer ${t.apiKey}` } });
      const view = await json(await read('/v1/orchestrations/orc_lost'));
      expect(view).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/stopped before/) } });
      expect(view.finishedAt).not.toBeNull();
      const failed = await json(await read('/v1/orchestrations?status=failed'));
      expect((failed.items as Array<{ id: string }>).map((item) => item.id)).toContain('orc_lost');
      // Its event stream ends too, with the failure: there is no journal entry to end it.
      const events = await (await read('/v1/orchestrations/orc_lost/events')).text();
      expect(events).toContain('event: run-fail');
      expect(events).toMatch(/stopped before/);
      // A retry has nothing to run again, and says so instead of calling a failed orchestration not failed.
      const retried = await fetch(`${restarted.url}/v1/orchestrations/orc_lost/retry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(retried.status).toBe(409);
      expect(await json(retried)).toMatchObject({
        code: 'orchestration-never-started',
        detail: expect.stringMatching(/never started: the server stopped before its run was stored/),
      });
    } finally {
      await restarted.close();
    }
  });

  it('answers 202 only once the run is stored: a stop right after the answer loses nothing', async () => {
    await echo('kept');
    const accepted = await submit({ plan: { steps: [{ id: 'k', target: 'kept', input: {} }] } });
    expect(accepted.status).toBe(202);
    const { id } = await json(accepted);
    // Read straight from the file, as a restarted server would find it.
    const file = new Database(join(t.dir, 'baton.db'), { readonly: true });
    try {
      expect(file.prepare('SELECT status FROM baton_runs WHERE id = ?').get(id)).toEqual({
        status: expect.any(String),
      });
    } finally {
      file.close();
    }
  });

  it('lists every problem of a plan at once, at paths in the request body', async () => {
    await echo('weather', {
      input: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      },
    });
    const response = await submit({
      plan: {
        steps: [
          { id: 'a', target: 'nowhere', input: {} },
          { id: 'b', target: 'weather', input: { town: 'Paris' } },
          { id: 'c', target: 'weather', input: { city: { $ref: 'steps.missing.output' } } },
        ],
      },
    });
    expect(response.status).toBe(400);
    const problem = await json(response);
    const paths = (problem.problems as Array<{ path: string }>).map((item) => item.path);
    expect(paths[0]).toBe('plan.steps[0].target');
    expect(paths.some((path) => path.startsWith('plan.steps[1].input'))).toBe(true);
    expect(paths.some((path) => path.startsWith('plan.steps[2]'))).toBe(true);
    // The unknown service is reported once, not again by the engine.
    expect(paths.filter((path) => path.startsWith('plan.steps[0]'))).toHaveLength(1);
    expect(problem.detail).toContain(`${paths.length} problem`);
    // The detail says the first problems in words, and an unknown name lists the project's services.
    const first = (problem.problems as Array<{ message: string }>)[0]?.message;
    expect(first).toBe('no service "nowhere" is registered in this project (registered: weather)');
    expect(problem.detail).toContain(`plan.steps[0].target: ${first}`);
  });

  it('refuses reads of request data fields the request does not have, by $ref or in a {{…}} text', async () => {
    await echo('greeter');
    const response = await submit({
      data: { text: 'hello world', name: 'Ana' },
      plan: {
        steps: [
          { id: 'a', target: 'greeter', input: { text: { $ref: 'request.data.txt' } } },
          { id: 'b', target: 'greeter', input: { text: 'Hello {{request.data.nmae}} and friends' } },
          {
            id: 'c',
            target: 'greeter',
            input: { text: { $ref: 'request.data.text' }, who: '{{ request.data.name }}' },
          },
        ],
      },
    });
    expect(response.status).toBe(400);
    const problem = await json(response);
    expect(problem.code).toBe('invalid-plan');
    expect(problem.problems).toEqual([
      {
        path: 'plan.steps[0].input.text',
        code: 'unknown-data-field',
        message: 'reads request.data.txt, but the request data has only text, name',
      },
      {
        path: 'plan.steps[1].input.text',
        code: 'unknown-data-field',
        message: 'reads request.data.nmae, but the request data has only text, name',
      },
    ]);
    // Reads the plan allows to find nothing are accepted: a default, a literal, a field a condition tests.
    const optional = await submit({
      data: { text: 'hello' },
      plan: {
        steps: [
          { id: 'a', target: 'greeter', input: { lang: { $ref: 'request.data.lang', default: 'en' } } },
          { id: 'b', target: 'greeter', input: { $literal: { raw: '{{request.data.raw}}' } } },
          {
            id: 'c',
            target: 'greeter',
            when: 'exists(request.data.coupon)',
            input: { coupon: { $ref: 'request.data.coupon' } },
          },
        ],
      },
    });
    expect(optional.status).toBe(202);
  });

  it('says no service is registered yet when a plan names one in a project that has none', async () => {
    const response = await submit({ plan: { steps: [{ id: 'a', target: 'weather', input: {} }] } });
    expect(response.status).toBe(400);
    const problem = await json(response);
    expect((problem.problems as Array<{ message: string }>)[0]?.message).toBe(
      'no service "weather" is registered in this project (none is registered yet: start a service that registers over GET /v1/ws)',
    );
  });
});
