/**
 * Malformed service-socket messages, on a registered connection and on fresh ones: each gets a `protocol-error` that
 * names the problem (or the documented close: 1009 for a frame over the limit, 4400 for a refused registration), the
 * connection stays usable otherwise, and a well-behaved service on another socket keeps taking and answering tasks.
 */
import { MAX_MESSAGE_BYTES } from '@baton/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
  waitFor,
} from '../server-test-kit.js';

type Json = Record<string, any>;

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve({ code: 1006, reason: '' });
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
  });
}

/** Sends `frame` as is and resolves with the protocol-error it gets. */
async function protocolErrorFor(service: RawService, frame: string | Buffer, binary = false): Promise<Json> {
  const start = service.received.length;
  service.socket.send(frame, { binary });
  return waitFor(
    () => service.received.slice(start).find((message) => message.type === 'protocol-error') as Json | undefined,
    `a protocol-error for ${String(frame).slice(0, 80)}`,
  );
}

const json = (value: unknown) => JSON.stringify(value);

describe('malformed socket messages', () => {
  let t: TestServer;
  let wellBehaved: RawService;
  let victim: RawService;
  let answeredByWellBehaved = 0;
  let checked = 0;

  async function stillServing(): Promise<void> {
    const response = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: json({
        action: { content: 'still there?' },
        plan: {
          steps: [
            { id: 'ping', target: 'echo', input: { n: checked } },
            { id: 'victim', target: 'victim', input: { n: checked } },
          ],
        },
      }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const done = await waitFor(async () => {
      const view = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as Json;
      return ['succeeded', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
    }, 'the well-behaved orchestration');
    expect(done.status, json(done.error)).toBe('succeeded');
    expect(done.result).toEqual({ ping: { n: checked }, victim: { n: checked } });
    expect((await t.request('/health', { key: null })).status).toBe(200);
  }

  async function expectProblems(service: RawService, frames: Array<[string | Buffer, string, RegExp?]>) {
    for (const [frame, code, message] of frames) {
      const problem = await protocolErrorFor(service, frame, Buffer.isBuffer(frame));
      checked += 1;
      expect(problem, String(frame).slice(0, 100)).toMatchObject({ type: 'protocol-error', code });
      expect(problem.message.length).toBeGreaterThan(5);
      expect(problem.message.length).toBeLessThan(2000);
      if (message !== undefined) expect(problem.message).toMatch(message);
    }
  }

  beforeAll(async () => {
    t = await startTestServer({ heartbeatMs: 2000 });
    wellBehaved = await connectRawService(t.server.url, t.apiKey, {
      hello: echoService('echo'),
      answer: (task) => {
        answeredByWellBehaved += 1;
        return task.input;
      },
      heartbeat: true,
    });
    victim = await connectRawService(t.server.url, t.apiKey, {
      hello: echoService('victim'),
      answer: (task) => task.input,
      heartbeat: true,
    });
    expect(victim.received[0]).toMatchObject({ type: 'welcome' });
  });

  afterAll(async () => {
    await wellBehaved?.close();
    await victim?.close();
    await t?.close();
  });

  it('answers invalid JSON, non-objects and unknown types with a protocol-error, keeping the connection', async () => {
    await expectProblems(victim, [
      ['{', 'invalid-json', /not JSON/],
      ['not json at all', 'invalid-json', /not json at all/],
      ['{"type":"ack",', 'invalid-json'],
      ["{'type':'ack'}", 'invalid-json'],
      ['', 'invalid-json'],
      [' ', 'invalid-json'],
      [`{"padding":"${'p'.repeat(100_000)}`, 'invalid-json', /characters\)/],
      ['42', 'not-an-object'],
      ['"hello"', 'not-an-object'],
      ['null', 'not-an-object'],
      ['true', 'not-an-object'],
      ['[]', 'not-an-object'],
      [json([{ type: 'hello', id: 'x' }]), 'not-an-object'],
      [json({ type: 'bogus', id: 'u1' }), 'unknown-type', /bogus/],
      [json({ type: 42, id: 'u2' }), 'unknown-type'],
      [json({ id: 'u3' }), 'unknown-type'],
      [json({ type: 'task', id: 'u4', taskId: 't' }), 'unknown-type', /"task"/],
      [json({ type: 'welcome', id: 'u5' }), 'unknown-type'],
      [json({ type: 'HELLO', id: 'u6' }), 'unknown-type'],
      [json({ type: '', id: 'u7' }), 'unknown-type'],
      [json({ type: 't'.repeat(100_000), id: 'u8' }), 'unknown-type', /characters\)/],
      [json({ type: null }), 'unknown-type'],
    ]);
    const unknown = victim.received.filter((message) => message.code === 'unknown-type' && message.of === 'u1');
    expect(unknown).toHaveLength(1);
    await stillServing();
  });

  it('answers wrong fields and missing ids with a protocol-error naming the field', async () => {
    await expectProblems(victim, [
      [json({ type: 'ack', id: 'f1' }), 'invalid-message', /of/],
      [json({ type: 'ack', id: 'f2', of: 5 }), 'invalid-message', /of/],
      [json({ type: 'heartbeat', id: 'f3', at: -1 }), 'invalid-message', /at/],
      [json({ type: 'heartbeat', id: 'f4', at: 'now' }), 'invalid-message', /at/],
      [json({ type: 'result', id: 'f5', output: 1 }), 'invalid-message', /taskId/],
      [json({ type: 'result', id: 'f6', taskId: 't', output: 1, extra: true }), 'invalid-message', /extra/],
      [json({ type: 'task-error', id: 'f7', taskId: 't', error: { message: 'x' } }), 'invalid-message', /retryable/],
      [json({ type: 'task-error', id: 'f8', taskId: 't', error: 'boom' }), 'invalid-message', /error/],
      [json({ type: 'progress', id: 'f9', taskId: 't'.repeat(300), data: 1 }), 'invalid-message', /taskId/],
      [json({ type: 'drain', id: 'f10', now: true }), 'invalid-message', /now/],
      [json({ type: 'compensation-result', id: 'f11', compensationId: 'c', ok: 'yes' }), 'invalid-message', /ok/],
      [json({ type: 'abort', id: 'f12', taskId: 't', reason: 7 }), 'invalid-message', /reason/],
      [json({ type: 'heartbeat', at: 1 }), 'invalid-message', /id/],
      [json({ type: 'ack', of: 'x' }), 'invalid-message', /id/],
      [json({ type: 'heartbeat', id: '', at: 1 }), 'invalid-message', /id/],
      [json({ type: 'heartbeat', id: 'i'.repeat(201), at: 1 }), 'invalid-message', /id/],
      [json({ type: 'heartbeat', id: 7, at: 1 }), 'invalid-message', /id/],
    ]);
    const named = victim.received.find((message) => message.code === 'invalid-message' && message.of === 'f5');
    expect(named).toBeDefined();
    await stillServing();
  });

  it('answers binary frames, acks for nothing and results for tasks never sent', async () => {
    await expectProblems(victim, [
      [Buffer.from(json({ type: 'heartbeat', id: 'b1', at: 1 })), 'binary-frame'],
      [Buffer.from([0, 1, 2, 255, 254]), 'binary-frame'],
      [Buffer.alloc(0), 'binary-frame'],
      [json({ type: 'ack', id: 'a1', of: 'never-sent' }), 'unknown-ack', /never-sent/],
      [json({ type: 'ack', id: 'a2', of: 'n'.repeat(200) }), 'unknown-ack', /…/],
      [json({ type: 'result', id: 'r1', taskId: 'task_never', output: 1 }), 'unknown-task', /task_never/],
      [
        json({ type: 'task-error', id: 'r2', taskId: 'task_never', error: { message: 'x', retryable: false } }),
        'unknown-task',
      ],
      [json({ type: 'abort', id: 'r3', taskId: 'task_never', payload: null }), 'unknown-task'],
      [json({ type: 'progress', id: 'r4', taskId: 'task_never', data: 1 }), 'unknown-task'],
      [json({ type: 'compensation-result', id: 'r5', compensationId: 'comp_never', ok: true }), 'unknown-task'],
      [json({ type: 'hello', id: 'h2', protocol: 1, ...echoService('victim') }), 'already-registered'],
      [json({ type: 'hello', id: 'h3', protocol: 1, ...echoService('someone-else') }), 'already-registered'],
    ]);
    // A result for a task never sent is still acknowledged, so a service does not send it again.
    expect(victim.received.some((message) => message.type === 'ack' && message.of === 'r1')).toBe(true);
    await stillServing();
  });

  it('takes acks in any order, once each, and the first answer of a task', async () => {
    const tasks: Json[] = [];
    const manual = await connectRawService(t.server.url, t.apiKey, { hello: echoService('manual'), heartbeat: true });
    manual.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Json;
      if (message.type === 'task') tasks.push(message);
    });
    const response = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: json({
        action: { content: 'two at once' },
        plan: {
          steps: [
            { id: 'one', target: 'manual', input: { n: 1 } },
            { id: 'two', target: 'manual', input: { n: 2 } },
          ],
        },
      }),
    });
    const { id } = (await response.json()) as { id: string };
    await waitFor(() => tasks.length === 2 || undefined, 'two tasks');
    const [first, second] = tasks as [Json, Json];
    const start = manual.received.length;
    manual.send({ type: 'ack', of: second.id });
    manual.send({ type: 'ack', of: first.id });
    manual.send({ type: 'heartbeat', at: Date.now() });
    await waitFor(
      () => manual.received.slice(start).some((message) => message.type === 'heartbeat') || undefined,
      'the heartbeat answer',
    );
    expect(manual.received.slice(start).filter((message) => message.type === 'protocol-error')).toEqual([]);
    await expectProblems(manual, [[json({ type: 'ack', id: 'again', of: first.id }), 'unknown-ack']]);
    manual.send({ type: 'result', taskId: second.taskId, output: second.input });
    manual.send({ type: 'result', taskId: first.taskId, output: first.input });
    const done = await waitFor(async () => {
      const view = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as Json;
      return view.status === 'succeeded' ? view : undefined;
    }, 'the manual orchestration');
    expect(done.result).toEqual({ one: { n: 1 }, two: { n: 2 } });
    await expectProblems(manual, [
      [json({ type: 'result', id: 'late', taskId: first.taskId, output: 'again' }), 'unknown-task'],
    ]);
    await manual.close();
    await stillServing();
  });

  it('refuses frames nested deeper than the server stores, as if they never came', async () => {
    const nest = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const tasks: Json[] = [];
    const deep = await connectRawService(t.server.url, t.apiKey, { hello: echoService('deep'), heartbeat: true });
    deep.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Json;
      if (message.type === 'task') tasks.push(message);
    });
    const response = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: json({ action: { content: 'deep answers' }, plan: { steps: [{ id: 'one', target: 'deep', input: {} }] } }),
    });
    const { id } = (await response.json()) as { id: string };
    const task = await waitFor(() => tasks[0], 'the task');
    deep.send({ type: 'ack', of: task.id });
    const taskId = json(task.taskId);
    const tooDeep = /^(task-error|abort|result|progress): nests arrays and objects more than 512 levels deep/;
    await expectProblems(deep, [
      [
        `{"type":"task-error","id":"deep-1","taskId":${taskId},"error":{"message":"","retryable":false,"details":${nest(3000)}}}`,
        'invalid-message',
        tooDeep,
      ],
      [`{"type":"abort","id":"deep-2","taskId":${taskId},"payload":${nest(3000)}}`, 'invalid-message', tooDeep],
      [`{"type":"result","id":"deep-3","taskId":${taskId},"output":${nest(3000)}}`, 'invalid-message', tooDeep],
      // One level past the limit, counting the frame's own object.
      [`{"type":"result","id":"deep-4","taskId":${taskId},"output":${nest(512)}}`, 'invalid-message', tooDeep],
      [`{"type":"progress","id":"deep-5","taskId":${taskId},"data":${nest(100_000)}}`, 'invalid-message', tooDeep],
    ]);
    const refusals = deep.received.filter((message) => message.type === 'protocol-error');
    expect(refusals.map((message) => message.of)).toEqual(['deep-1', 'deep-2', 'deep-3', 'deep-4', 'deep-5']);
    // Nothing was acknowledged: a heartbeat's answer comes after any ack the server would have sent.
    const from = deep.received.length;
    deep.send({ type: 'heartbeat', at: Date.now() });
    await deep.next((message) => message.type === 'heartbeat' && deep.received.indexOf(message) >= from);
    expect(deep.received.filter((message) => message.type === 'ack')).toEqual([]);
    const running = await t.request(`/v1/orchestrations/${id}`);
    expect(running.status).toBe(200);
    expect(((await running.json()) as Json).status).toBe('running');
    // A frame exactly at the limit passes (to be refused for what it says, not for its depth).
    await expectProblems(deep, [
      [`{"type":"progress","id":"deep-6","taskId":"task_never","data":${nest(511)}}`, 'unknown-task'],
    ]);
    // A correct answer still completes the task.
    deep.socket.send(`{"type":"result","id":"deep-ok","taskId":${taskId},"output":{"n":[1]}}`);
    await deep.next((message) => message.type === 'ack' && message.of === 'deep-ok');
    const done = await waitFor(async () => {
      const view = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as Json;
      return ['succeeded', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
    }, 'the deep orchestration');
    expect(done.status, json(done.error)).toBe('succeeded');
    expect(done.result).toEqual({ one: { n: [1] } });
    const fresh = await connectRawService(t.server.url, t.apiKey);
    await expectProblems(fresh, [
      [
        `{"type":"hello","id":"deep-h","protocol":1,"service":{"name":"deep-hello","description":"x","input":{"type":"object","properties":{"a":${nest(600)}}}}}`,
        'invalid-message',
        /^hello: nests arrays and objects more than 512 levels/,
      ],
    ]);
    fresh.send({ type: 'hello', protocol: 1, ...echoService('deep-hello') });
    await fresh.next((message) => message.type === 'welcome');
    await fresh.close();
    await deep.close();
    await stillServing();
  });

  it('answers messages before hello on fresh connections, which can still register', async () => {
    const fresh = await connectRawService(t.server.url, t.apiKey);
    await expectProblems(fresh, [
      [json({ type: 'heartbeat', id: 'p1', at: 1 }), 'hello-first', /heartbeat/],
      [json({ type: 'result', id: 'p2', taskId: 't', output: 1 }), 'hello-first'],
      [json({ type: 'ack', id: 'p3', of: 'x' }), 'hello-first'],
      [json({ type: 'drain', id: 'p4' }), 'hello-first'],
      [json({ type: 'progress', id: 'p5', taskId: 't', data: null }), 'hello-first'],
      ['{"type":"hello"', 'invalid-json'],
      [Buffer.from('hello'), 'binary-frame'],
      [json({ type: 'hello', id: 'p6', protocol: 2, ...echoService('fresh') }), 'invalid-message', /protocol/],
      [json({ type: 'hello', id: 'p7', protocol: 1, ...echoService('Bad Name') }), 'invalid-message', /name/],
      [json({ type: 'hello', id: 'p8', protocol: 1, ...echoService('fresh'), maxConcurrency: 0 }), 'invalid-message'],
      [json({ type: 'hello', id: 'p9', protocol: 1 }), 'invalid-message', /service/],
      [
        json({ type: 'hello', id: 'p10', protocol: 1, service: { name: 'fresh', description: 'x', input: 'object' } }),
        'invalid-message',
        /input/,
      ],
    ]);
    fresh.send({ type: 'hello', protocol: 1, ...echoService('fresh') });
    await fresh.next((message) => message.type === 'welcome');
    await fresh.close();
    await stillServing();
  });

  it('refuses a hello with a malformed JSON Schema and closes with 4400', async () => {
    const schemas = [
      { type: 'not-a-type' },
      { type: 'object', properties: 5 },
      { type: 'object', required: 'name' },
      { $ref: '#/$defs/nowhere' },
      { minLength: -1 },
    ];
    for (const [index, input] of schemas.entries()) {
      const fresh = await connectRawService(t.server.url, t.apiKey);
      const closing = closed(fresh.socket);
      const problem = await protocolErrorFor(
        fresh,
        json({ type: 'hello', id: `s${index}`, protocol: 1, ...echoService(`broken-${index}`, { input }) }),
      );
      checked += 1;
      expect(problem).toMatchObject({ code: 'registration-refused', of: `s${index}` });
      expect((await closing).code).toBe(4400);
    }
    const listed = (await (await t.request('/v1/services')).json()) as { items: Json[] };
    expect(listed.items.map((service) => service.name)).not.toContain('broken-0');
    await stillServing();
  });

  it('chooses no subprotocol, so a client that asks for one fails at the handshake rather than later', async () => {
    const asking = new WebSocket(`${t.server.url.replace(/^http/, 'ws')}/v1/ws`, ['graphql-ws'], {
      headers: { authorization: `Bearer ${t.apiKey}` },
    });
    const error = await new Promise<Error>((resolve) => asking.once('error', resolve));
    expect(error.message).toBe('Server sent no subprotocol');
    const plain = await connectRawService(t.server.url, t.apiKey, { hello: echoService('no-subprotocol') });
    expect(plain.socket.protocol).toBe('');
    await waitFor(() => plain.received.find((message) => message.type === 'welcome'), 'the welcome');
    await plain.close();
    await stillServing();
  });

  it('closes a connection that sends a frame over the limit with 1009 and keeps serving', async () => {
    for (const binary of [false, true]) {
      const big = await connectRawService(t.server.url, t.apiKey, { hello: echoService(`big-${binary}`) });
      const closing = closed(big.socket);
      big.socket.send(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 'x'), { binary });
      checked += 1;
      expect((await closing).code).toBe(1009);
      await stillServing();
    }
    const unregistered = await connectRawService(t.server.url, t.apiKey);
    const closing = closed(unregistered.socket);
    unregistered.socket.send(`"${'y'.repeat(MAX_MESSAGE_BYTES)}"`);
    checked += 1;
    expect((await closing).code).toBe(1009);
    await stillServing();
    expect(checked).toBeGreaterThanOrEqual(50);
    expect(answeredByWellBehaved).toBeGreaterThanOrEqual(8);
    expect(wellBehaved.socket.readyState).toBe(WebSocket.OPEN);
    expect(victim.socket.readyState).toBe(WebSocket.OPEN);
  });
});
