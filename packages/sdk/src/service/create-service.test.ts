import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createService } from './create-service.js';
import { ServiceDefinitionError } from './service-definition-error.js';
import { ServiceStoppedError } from './service-stopped-error.js';
import { connectTestService, gate, recordEvents, testServiceOptions } from './service-test-kit.js';
import { TaskCancelledError } from './task-cancelled-error.js';
import { NonRetryableError, RetryableError } from './task-failed-error.js';

describe('createService: registration', () => {
  it('says hello with its definition and resolves start() once welcomed', async () => {
    const { server, service } = await connectTestService({
      input: z.object({ text: z.string() }),
      output: z.object({ text: z.string() }),
      version: '2.1.0',
      handler: (input) => input,
    });
    const hello = await server.waitFor((message) => message.type === 'hello');
    expect(hello).toMatchObject({
      type: 'hello',
      protocol: 1,
      maxConcurrency: 64,
      service: { name: 'echo', kind: 'service', version: '2.1.0', revertible: false, effectFree: false },
    });
    expect(hello).not.toHaveProperty('instanceId');
    expect(hello.type === 'hello' && hello.service.input).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' } },
    });
    expect(service.connected).toBe(true);
    expect(service.instanceId).toMatch(/^instance-/);
    expect(server.upgrades).toEqual([{ url: '/v1/ws', authorization: 'Bearer secret' }]);
  });

  it('registers an agent as kind agent, revertible when it has revert, with a JSON Schema passed through', async () => {
    const input = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const { server } = await connectTestService(
      { input, effectFree: true, maxConcurrency: 3, handler: () => null, revert: () => undefined },
      'agent',
    );
    const hello = await server.waitFor((message) => message.type === 'hello');
    expect(hello).toMatchObject({
      maxConcurrency: 3,
      service: { kind: 'agent', revertible: true, effectFree: true, input },
    });
  });

  it('types revert with what the server stored: the input as sent, the output as parsed', () => {
    const service = {
      name: 'typed',
      description: 'Reads a count as text and answers a date',
      input: z.object({ count: z.string().transform(Number) }),
      output: z.object({ at: z.number().transform(String) }),
      handler: async (input: { count: number }) => {
        expectTypeOf(input.count).toEqualTypeOf<number>();
        return { at: input.count };
      },
      revert: async (ctx: { input: { count: string }; output: { at: string } }) => {
        expectTypeOf(ctx.input.count).toEqualTypeOf<string>();
        expectTypeOf(ctx.output.at).toEqualTypeOf<string>();
      },
    };
    // Compiles only while `revert`'s context is typed the stored way round.
    expect(createService(service).name).toBe('typed');
  });

  it('refuses a name the protocol cannot carry, naming the problem', () => {
    const create = () => createService({ name: 'Not Valid', description: 'x', handler: () => null });
    expect(create).toThrow(ServiceDefinitionError);
    expect(create).toThrow(/name/);
  });

  it('refuses, as a JavaScript caller can get them wrong, a missing handler, a revert that is no function and an unknown option', () => {
    const options = { name: 'loose', description: 'x', inputs: { type: 'object' }, revert: 'undo' };
    let thrown: unknown;
    try {
      createService(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(ServiceDefinitionError.isInstance(thrown)).toBe(true);
    expect((thrown as ServiceDefinitionError).problems).toEqual([
      expect.stringMatching(/^inputs: not an option of createService \(known: name, description, input, output, /),
      'handler: expected a function (input, ctx) => output, got undefined',
      'revert: expected a function (input, output, ctx) => void, got string',
    ]);
  });
});

describe('createService: start options', () => {
  it('refuses start options without a usable URL or key, naming each problem', async () => {
    const service = createService({ name: 'echo', description: 'x', handler: () => null, ...testServiceOptions() });
    await expect(service.start({ apiKey: 'k' })).rejects.toThrow(/url or urls/);
    await expect(service.start({ url: 'http://127.0.0.1:9', apiKey: 'two words' })).rejects.toThrow(/apiKey/);
    await expect(service.start({ url: 'ftp://example.com', apiKey: '' })).rejects.toSatisfy(
      (error: unknown) =>
        ServiceDefinitionError.isInstance(error) &&
        error.problems.length === 2 &&
        error.problems[0]!.includes('"ftp://example.com"') &&
        error.problems[1]!.startsWith('apiKey'),
    );
  });

  it('rejects start() when stopped before the server registered it, and stop() twice is one stop', async () => {
    const service = createService({ name: 'echo', description: 'x', handler: () => null, ...testServiceOptions() });
    const started = service.start({ url: 'http://127.0.0.1:9', apiKey: 'k' });
    const stopping = service.stop();
    expect(service.stop()).toBe(stopping);
    await stopping;
    await expect(started).rejects.toSatisfy(ServiceStoppedError.isInstance);
  });
});

describe('createService: tasks', () => {
  it('runs a task and sends its result with the context the server gave', async () => {
    const contexts: unknown[] = [];
    const { server } = await connectTestService({
      input: z.object({ n: z.number() }),
      output: z.object({ doubled: z.number() }),
      handler: ({ n }, ctx) => {
        contexts.push({ ...ctx, signal: undefined, progress: undefined, abort: undefined });
        return { doubled: n * 2 };
      },
    });
    const taskId = server.sendTask({ input: { n: 21 }, attempt: 2, idempotencyKey: 'k-1', stepId: 'double' });
    expect(await server.waitForOutcome(taskId)).toMatchObject({ type: 'result', taskId, output: { doubled: 42 } });
    expect(contexts).toEqual([
      expect.objectContaining({
        taskId,
        attempt: 2,
        idempotencyKey: 'k-1',
        stepId: 'double',
        orchestrationId: 'orchestration-1',
        deadline: null,
      }),
    ]);
    const task = server.sent.find((message) => message.type === 'task');
    await server.waitFor((message) => message.type === 'ack' && message.of === task?.id);
  });

  it('sends an undefined output as null', async () => {
    const { server } = await connectTestService({ handler: () => undefined });
    const taskId = server.sendTask();
    expect(await server.waitForOutcome(taskId)).toMatchObject({ type: 'result', output: null });
  });

  it('fails a task whose input does not match, without calling the handler', async () => {
    let calls = 0;
    const { server } = await connectTestService({
      input: z.object({ n: z.number() }),
      handler: () => {
        calls += 1;
        return null;
      },
    });
    const taskId = server.sendTask({ input: { n: 'seven' } });
    const outcome = await server.waitForOutcome(taskId);
    expect(outcome).toMatchObject({ type: 'task-error', error: { code: 'invalid-input', retryable: false } });
    expect(outcome.type === 'task-error' && outcome.error.message).toMatch(/input.*n: .*number/);
    expect(calls).toBe(0);
  });

  it('fails a task whose output does not match', async () => {
    const { server } = await connectTestService({
      output: z.object({ id: z.string() }),
      handler: () => ({ id: 7 }) as never,
    });
    const outcome = await server.waitForOutcome(server.sendTask());
    expect(outcome).toMatchObject({ type: 'task-error', error: { code: 'invalid-output', retryable: false } });
    expect(outcome.type === 'task-error' && outcome.error.message).toMatch(/output.*id: .*string/);
  });

  it('validates against a plain JSON Schema locally', async () => {
    const { server } = await connectTestService({
      input: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] },
      handler: (input) => input,
    });
    const bad = await server.waitForOutcome(server.sendTask({ input: { n: 0 } }));
    expect(bad).toMatchObject({ type: 'task-error', error: { code: 'invalid-input' } });
    const good = await server.waitForOutcome(server.sendTask({ input: { n: 3 } }));
    expect(good).toMatchObject({ type: 'result', output: { n: 3 } });
  });

  it('sends a JSON Schema it cannot convert and leaves validation to the server', async () => {
    const input = { not: { type: 'string' } };
    const { server } = await connectTestService({ input, handler: (value) => value });
    const hello = await server.waitFor((message) => message.type === 'hello');
    expect(hello.type === 'hello' && hello.service.input).toEqual(input);
    expect(await server.waitForOutcome(server.sendTask({ input: 'text' }))).toMatchObject({ type: 'result' });
  });

  it('maps thrown errors to task-error: retryable, non-retryable, plain and duck-typed', async () => {
    const errors: Record<string, unknown> = {
      retry: new RetryableError('rate limited', { retryAfterMs: 1500, code: 'rate-limited' }),
      stop: new NonRetryableError('no such customer', { code: 'customer-not-found', details: { id: 42 } }),
      plain: new Error('socket hang up'),
      duck: Object.assign(new Error('refused'), { retryable: false, code: 'refused', retryAfterMs: 'soon' }),
      text: 'a string',
    };
    const { server } = await connectTestService({
      handler: (input) => {
        throw errors[input as string];
      },
    });
    const outcome = async (input: string) => (await server.waitForOutcome(server.sendTask({ input }))) as never;
    expect(await outcome('retry')).toMatchObject({
      error: { message: 'rate limited', retryable: true, retryAfterMs: 1500, code: 'rate-limited' },
    });
    expect(await outcome('stop')).toMatchObject({
      error: { message: 'no such customer', retryable: false, code: 'customer-not-found', details: { id: 42 } },
    });
    expect(await outcome('plain')).toMatchObject({ error: { message: 'socket hang up', retryable: true } });
    const duck = await outcome('duck');
    expect(duck).toMatchObject({ error: { retryable: false, code: 'refused' } });
    expect(duck).not.toHaveProperty('error.retryAfterMs');
    expect(await outcome('text')).toMatchObject({ error: { message: 'a string', retryable: true } });
  });

  it('aborts ctx.signal when the server cancels the task', async () => {
    const reasons: unknown[] = [];
    const { server, service } = await connectTestService({
      handler: (_input, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reasons.push(ctx.signal.reason);
            reject(ctx.signal.reason);
          });
        }),
    });
    const events = recordEvents(service);
    const taskId = server.sendTask();
    await events.waitFor('task-start', (event) => event.taskId === taskId);
    server.send({ type: 'cancel', id: 'cancel-1', taskId, reason: 'the run was cancelled' });
    const outcome = await server.waitForOutcome(taskId);
    expect(outcome).toMatchObject({ type: 'task-error', error: { code: 'cancelled', retryable: false } });
    expect(TaskCancelledError.isInstance(reasons[0])).toBe(true);
    expect(reasons[0]).toMatchObject({ reason: 'cancelled', detail: 'the run was cancelled', taskId });
    await server.waitFor((message) => message.type === 'ack' && message.of === 'cancel-1');
  });

  it('aborts ctx.signal when the deadline passes', async () => {
    const { server } = await connectTestService({
      handler: (_input, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
    });
    const taskId = server.sendTask({ deadline: Date.now() + 20 });
    expect(await server.waitForOutcome(taskId)).toMatchObject({
      type: 'task-error',
      error: { code: 'deadline-exceeded', retryable: true },
    });
  });

  it('sends progress, and abort with the payload, ignoring what the handler returns afterwards', async () => {
    const returned = gate();
    const { server } = await connectTestService({
      handler: async (_input, ctx) => {
        ctx.progress({ percent: 50 });
        ctx.abort({ refund: true }, 'customer closed the account');
        ctx.progress({ percent: 100 });
        returned.open();
        return { ignored: true };
      },
    });
    const taskId = server.sendTask();
    expect(await server.waitForOutcome(taskId)).toMatchObject({
      type: 'abort',
      taskId,
      payload: { refund: true },
      reason: 'customer closed the account',
    });
    await returned.promise;
    const next = server.sendTask();
    await server.waitForOutcome(next);
    const forTask = server.received.map(({ message }) => message).filter((m) => 'taskId' in m && m.taskId === taskId);
    expect(forTask.map((message) => message.type)).toEqual(['progress', 'abort']);
    expect(forTask[0]).toMatchObject({ data: { percent: 50 } });
  });

  it('ignores a repeat of a running task and re-sends the outcome of a finished one', async () => {
    const release = gate();
    let calls = 0;
    const { server, service } = await connectTestService({
      handler: async () => {
        calls += 1;
        await release.promise;
        return 'done';
      },
    });
    const events = recordEvents(service);
    const taskId = server.sendTask();
    await events.waitFor('task-start');
    server.sendTask({ taskId });
    await events.waitFor('task-repeat', (event) => event.state === 'running');
    release.open();
    await server.waitForOutcome(taskId);
    server.sendTask({ taskId });
    await events.waitFor('task-repeat', (event) => event.state === 'finished');
    await server.waitFor((message) => message.type === 'result' && message.taskId === taskId && message !== null);
    const results = () => server.received.filter(({ message }) => message.type === 'result');
    await server.waitFor(() => results().length === 2);
    expect(results().map(({ message }) => message)).toEqual([
      expect.objectContaining({ taskId, output: 'done' }),
      expect.objectContaining({ taskId, output: 'done' }),
    ]);
    expect(calls).toBe(1);
  });

  it('runs at most maxConcurrency handlers at once and queues the rest', async () => {
    const release = gate();
    const twoRunning = gate();
    let running = 0;
    let mostAtOnce = 0;
    const { server, service } = await connectTestService({
      maxConcurrency: 2,
      handler: async () => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        if (running === 2) twoRunning.open();
        await release.promise;
        running -= 1;
        return null;
      },
    });
    const events = recordEvents(service);
    const taskIds = [1, 2, 3, 4, 5].map(() => server.sendTask());
    await events.waitFor('task-start', (event) => event.taskId === taskIds[4]);
    await twoRunning.promise;
    // The memory result cache answers within microtasks, so after one turn of the event loop every task waits on
    // the limit or runs.
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    release.open();
    await Promise.all(taskIds.map((taskId) => server.waitForOutcome(taskId)));
    expect(mostAtOnce).toBe(2);
  });

  it('reports a protocol-error from the server and keeps working', async () => {
    const { server, service } = await connectTestService({ handler: () => 'ok' });
    const events = recordEvents(service);
    server.send({ type: 'protocol-error', id: 'p-1', of: 'm-1', code: 'invalid-message', message: 'result: bad' });
    expect(await events.waitFor('protocol-error')).toEqual({
      type: 'protocol-error',
      code: 'invalid-message',
      message: 'result: bad',
      of: 'm-1',
    });
    expect(await server.waitForOutcome(server.sendTask())).toMatchObject({ type: 'result', output: 'ok' });
  });

  // Moving 10 MiB each way takes seconds on a loaded machine: heartbeats far apart, so a stall is not a timeout.
  it('ignores a frame from the server it cannot read, reporting it', async () => {
    const { server, service } = await connectTestService({ handler: () => 'ok' });
    const events = recordEvents(service);
    server.sendRaw('{"type":"task","id":"t-1"}');
    server.sendRaw('not json');
    expect(await events.waitFor('message-invalid', (event) => event.code === 'invalid-json')).toMatchObject({
      message: expect.stringContaining('not JSON'),
    });
    expect(events.events.find((event) => event.type === 'message-invalid')).toMatchObject({
      code: 'invalid-message',
      message: expect.stringContaining('taskId'),
    });
    expect(await server.waitForOutcome(server.sendTask())).toMatchObject({ type: 'result', output: 'ok' });
    expect(server.received.some(({ message }) => message.type === 'ack' && message.of === 't-1')).toBe(false);
  });

  it('round-trips a 10 MiB input and output', { timeout: 120_000 }, async () => {
    const { server } = await connectTestService(
      {
        input: z.object({ blob: z.string() }),
        output: z.object({ blob: z.string(), length: z.number() }),
        handler: ({ blob }) => ({ blob: blob.toUpperCase(), length: blob.length }),
      },
      'service',
      { heartbeatMs: 600_000 },
    );
    const blob = 'ab'.repeat(5 * 1024 * 1024);
    const outcome = await server.waitForOutcome(server.sendTask({ input: { blob } }));
    expect(outcome.type).toBe('result');
    const output = (outcome as { output: { blob: string; length: number } }).output;
    expect(output.length).toBe(10 * 1024 * 1024);
    expect(output.blob).toBe('AB'.repeat(5 * 1024 * 1024));
  });

  it('fails a task whose output is larger than the server accepts', { timeout: 120_000 }, async () => {
    const { server } = await connectTestService({ handler: () => 'x'.repeat(17 * 1024 * 1024) }, 'service', {
      heartbeatMs: 600_000,
    });
    const outcome = await server.waitForOutcome(server.sendTask());
    expect(outcome).toMatchObject({ type: 'task-error', error: { code: 'output-too-large', retryable: false } });
  });

  it('fails a task whose output nests deeper than the server takes, and sends one at the limit', async () => {
    const nested = (depth: number): unknown => {
      let value: unknown = 1;
      for (let level = 0; level < depth; level += 1) value = [value];
      return value;
    };
    // The result frame is an object around the output: the output may nest one level less than the limit.
    let depth = 3000;
    const { server } = await connectTestService({ handler: () => nested(depth) }, 'service');
    const deep = await server.waitForOutcome(server.sendTask());
    expect(deep).toMatchObject({
      type: 'task-error',
      error: { code: 'output-too-deep', retryable: false, message: expect.stringContaining('512 levels') },
    });
    depth = 511;
    expect(await server.waitForOutcome(server.sendTask())).toMatchObject({ type: 'result' });
  });
});
