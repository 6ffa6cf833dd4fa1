import { describe, expect, it } from 'vitest';
import { MAX_IDEMPOTENCY_KEY_LENGTH, MAX_MESSAGE_BYTES, MAX_TIMESTAMP, PROTOCOL_VERSION } from './messages.js';
import { parseServerMessage, parseServiceMessage } from './parse-message.js';

const service = { name: 'send-invoice', description: 'Emails an invoice' };
const taskError = { message: 'rate limited', retryable: true, retryAfterMs: 500, code: 'rate-limited' };

const validServiceMessages = {
  hello: { type: 'hello', id: 'm1', protocol: PROTOCOL_VERSION, service },
  'hello (full)': {
    type: 'hello',
    id: 'm1',
    protocol: PROTOCOL_VERSION,
    instanceId: 'i1',
    maxConcurrency: 8,
    service: {
      ...service,
      kind: 'agent',
      version: '1.2.3',
      input: { type: 'object' },
      output: { type: 'object' },
      revertible: true,
      effectFree: false,
    },
  },
  ack: { type: 'ack', id: 'm2', of: 'x1' },
  progress: { type: 'progress', id: 'm3', taskId: 't1', data: { percent: 50 } },
  result: { type: 'result', id: 'm4', taskId: 't1', output: { ok: true } },
  'result (null output)': { type: 'result', id: 'm4', taskId: 't1', output: null },
  'task-error': { type: 'task-error', id: 'm5', taskId: 't1', error: taskError },
  abort: { type: 'abort', id: 'm6', taskId: 't1', reason: 'refused', payload: { refund: true } },
  'compensation-result': { type: 'compensation-result', id: 'm7', compensationId: 'c1', ok: true },
  'compensation-result (failed)': {
    type: 'compensation-result',
    id: 'm7',
    compensationId: 'c1',
    ok: false,
    error: { message: 'gone', retryable: false },
  },
  drain: { type: 'drain', id: 'm8' },
  heartbeat: { type: 'heartbeat', id: 'm9', at: 1_700_000_000_000 },
};

const task = {
  type: 'task',
  id: 's3',
  taskId: 't1',
  orchestrationId: 'o1',
  stepId: 'charge',
  attempt: 1,
  idempotencyKey: 'o1:charge',
  input: { amount: 3 },
  deadline: null,
};

const validServerMessages = {
  welcome: {
    type: 'welcome',
    id: 's1',
    protocol: PROTOCOL_VERSION,
    instanceId: 'i1',
    serviceId: 'svc1',
    version: 1,
    heartbeatMs: 10_000,
    maxMessageBytes: MAX_MESSAGE_BYTES,
  },
  ack: { type: 'ack', id: 's2', of: 'm4' },
  task,
  'task (deadline)': { ...task, deadline: 1_700_000_000_000 },
  'task (the latest deadline, the longest key)': {
    ...task,
    deadline: MAX_TIMESTAMP,
    idempotencyKey: 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH),
  },
  compensate: {
    type: 'compensate',
    id: 's4',
    compensationId: 'c1',
    orchestrationId: 'o1',
    stepId: 'charge',
    input: { amount: 3 },
    output: { chargeId: 'ch_1' },
    reason: { code: 'run-aborted', message: 'a later step aborted' },
    payload: null,
    attempt: 1,
    idempotencyKey: 'o1:charge:compensate',
    deadline: null,
  },
  cancel: { type: 'cancel', id: 's5', taskId: 't1', reason: 'the run was cancelled' },
  heartbeat: { type: 'heartbeat', id: 's6', at: 0 },
  'protocol-error': { type: 'protocol-error', id: 's7', of: 'm4', code: 'invalid-message', message: 'bad' },
};

describe('parseServiceMessage / parseServerMessage: valid messages', () => {
  it.each(Object.entries(validServiceMessages))('service → server %s parses', (_name, message) => {
    const parsed = parseServiceMessage(JSON.stringify(message));
    expect(parsed).toMatchObject({ ok: true, value: message });
  });

  it.each(Object.entries(validServerMessages))('server → service %s parses', (_name, message) => {
    const parsed = parseServerMessage(JSON.stringify(message));
    expect(parsed).toMatchObject({ ok: true, value: message });
  });

  it('fills the defaults a hello may leave out', () => {
    const parsed = parseServiceMessage(JSON.stringify(validServiceMessages.hello));
    expect(parsed.ok && parsed.value).toMatchObject({
      maxConcurrency: 64,
      service: { kind: 'service', revertible: false, effectFree: false },
    });
  });
});

type Case = [name: string, frame: string, code: string, mentions: RegExp, of?: string];

const json = (value: unknown) => JSON.stringify(value);
const huge = 'x'.repeat(1_000_000);
const { result, hello, heartbeat } = validServiceMessages;

const malformedServiceFrames: Case[] = [
  ['empty frame', '', 'invalid-json', /not JSON/],
  ['whitespace', '   ', 'invalid-json', /not JSON/],
  ['truncated object', '{"type":"ack","id":"a"', 'invalid-json', /not JSON/],
  ['single quotes', "{'type':'ack'}", 'invalid-json', /not JSON/],
  ['trailing comma', '{"type":"drain","id":"a",}', 'invalid-json', /not JSON/],
  ['bare word', 'hello', 'invalid-json', /not JSON: hello/],
  ['NaN', 'NaN', 'invalid-json', /not JSON/],
  ['huge invalid JSON is clipped', `{${huge}`, 'invalid-json', /1000001 characters/],
  ['null', 'null', 'not-an-object', /JSON object, got null/],
  ['number', '42', 'not-an-object', /JSON object, got 42/],
  ['string', '"ack"', 'not-an-object', /JSON object/],
  ['boolean', 'true', 'not-an-object', /JSON object/],
  ['empty array', '[]', 'not-an-object', /JSON object, got \[\]/],
  ['array of a message', json([result]), 'not-an-object', /JSON object/],
  ['huge array is clipped', json([huge]), 'not-an-object', /characters\)/],
  ['empty object', '{}', 'unknown-type', /a message needs a "type": one of hello/],
  ['type missing', json({ id: 'a', taskId: 't' }), 'unknown-type', /needs a "type": one of hello/, 'a'],
  ['type a number', json({ type: 7, id: 'a' }), 'unknown-type', /unknown message type 7/, 'a'],
  ['type null', json({ type: null, id: 'a' }), 'unknown-type', /type null/, 'a'],
  ['type an object', json({ type: { name: 'ack' }, id: 'a' }), 'unknown-type', /unknown message type/, 'a'],
  ['unknown type', json({ type: 'explode', id: 'a' }), 'unknown-type', /"explode"/, 'a'],
  ['type in the wrong case', json({ type: 'Result', id: 'a' }), 'unknown-type', /"Result"/, 'a'],
  ['server-only type', json({ type: 'task', id: 'a' }), 'unknown-type', /"task"/, 'a'],
  ['welcome from a service', json({ ...validServerMessages.welcome }), 'unknown-type', /"welcome"/, 's1'],
  ['huge type is clipped', json({ type: huge, id: 'a' }), 'unknown-type', /characters\)/, 'a'],
  ['id missing', json({ type: 'drain' }), 'invalid-message', /drain: id: is required/],
  [
    'progress without data',
    json({ type: 'progress', id: 'a', taskId: 't' }),
    'invalid-message',
    /^progress: data: is required$/,
    'a',
  ],
  [
    'abort without payload',
    json({ type: 'abort', id: 'a', taskId: 't' }),
    'invalid-message',
    /payload: is required/,
    'a',
  ],
  ['id empty', json({ type: 'drain', id: '' }), 'invalid-message', /id: /],
  ['id a number', json({ type: 'drain', id: 5 }), 'invalid-message', /id: must be a string, got 5/],
  ['id too long', json({ type: 'drain', id: huge.slice(0, 201) }), 'invalid-message', /id: /],
  ['extra field', json({ type: 'drain', id: 'a', extra: 1 }), 'invalid-message', /extra/, 'a'],
  ['ack without of', json({ type: 'ack', id: 'a' }), 'invalid-message', /ack: of: /, 'a'],
  ['ack of a number', json({ type: 'ack', id: 'a', of: 3 }), 'invalid-message', /of: /, 'a'],
  ['result without taskId', json({ type: 'result', id: 'a', output: 1 }), 'invalid-message', /taskId/, 'a'],
  ['result with taskId null', json({ ...result, taskId: null }), 'invalid-message', /taskId/, 'm4'],
  ['result with extra', json({ ...result, error: {} }), 'invalid-message', /error/, 'm4'],
  ['task-error without error', json({ type: 'task-error', id: 'a', taskId: 't' }), 'invalid-message', /error/, 'a'],
  [
    'task-error without retryable',
    json({ type: 'task-error', id: 'a', taskId: 't', error: { message: 'x' } }),
    'invalid-message',
    /error\.retryable/,
    'a',
  ],
  [
    'task-error with retryable a string',
    json({ type: 'task-error', id: 'a', taskId: 't', error: { message: 'x', retryable: 'yes' } }),
    'invalid-message',
    /error\.retryable/,
    'a',
  ],
  [
    'task-error with a negative retryAfterMs',
    json({ type: 'task-error', id: 'a', taskId: 't', error: { ...taskError, retryAfterMs: -1 } }),
    'invalid-message',
    /error\.retryAfterMs/,
    'a',
  ],
  [
    'task-error with a huge message',
    json({ type: 'task-error', id: 'a', taskId: 't', error: { message: huge, retryable: true } }),
    'invalid-message',
    /error\.message/,
    'a',
  ],
  [
    'task-error with an unknown error field',
    json({ type: 'task-error', id: 'a', taskId: 't', error: { ...taskError, stack: 'x' } }),
    'invalid-message',
    /stack/,
    'a',
  ],
  [
    'abort with a huge reason',
    json({ type: 'abort', id: 'a', taskId: 't', reason: huge }),
    'invalid-message',
    /reason/,
  ],
  [
    'compensation-result without ok',
    json({ type: 'compensation-result', id: 'a', compensationId: 'c' }),
    'invalid-message',
    /ok/,
    'a',
  ],
  [
    'compensation-result without compensationId',
    json({ type: 'compensation-result', id: 'a', ok: true }),
    'invalid-message',
    /compensationId/,
    'a',
  ],
  ['hello without protocol', json({ ...hello, protocol: undefined }), 'invalid-message', /protocol/, 'm1'],
  ['hello with protocol 2', json({ ...hello, protocol: 2 }), 'invalid-message', /protocol/, 'm1'],
  ['hello without service', json({ type: 'hello', id: 'a', protocol: 1 }), 'invalid-message', /service/, 'a'],
  [
    'hello with an uppercase name',
    json({ ...hello, service: { ...service, name: 'Send Invoice' } }),
    'invalid-message',
    /service\.name: lowercase/,
    'm1',
  ],
  [
    'hello with a name ending in a dash',
    json({ ...hello, service: { ...service, name: 'send-' } }),
    'invalid-message',
    /service\.name/,
    'm1',
  ],
  [
    'hello with an empty description',
    json({ ...hello, service: { ...service, description: '' } }),
    'invalid-message',
    /service\.description/,
    'm1',
  ],
  [
    'hello with an unknown kind',
    json({ ...hello, service: { ...service, kind: 'robot' } }),
    'invalid-message',
    /service\.kind/,
    'm1',
  ],
  [
    'hello with input schema an array',
    json({ ...hello, service: { ...service, input: [] } }),
    'invalid-message',
    /service\.input/,
    'm1',
  ],
  ['hello with maxConcurrency 0', json({ ...hello, maxConcurrency: 0 }), 'invalid-message', /maxConcurrency/, 'm1'],
  ['hello with maxConcurrency 1.5', json({ ...hello, maxConcurrency: 1.5 }), 'invalid-message', /maxConcurrency/],
  [
    'hello with an unknown service field',
    json({ ...hello, service: { ...service, owner: 'me' } }),
    'invalid-message',
    /owner/,
    'm1',
  ],
  ['heartbeat without at', json({ type: 'heartbeat', id: 'a' }), 'invalid-message', /at/, 'a'],
  ['heartbeat with at negative', json({ ...heartbeat, at: -1 }), 'invalid-message', /at/, 'm9'],
  ['heartbeat with at a string', json({ ...heartbeat, at: '2026-01-01' }), 'invalid-message', /at/, 'm9'],
  ['heartbeat with at fractional', json({ ...heartbeat, at: 1.5 }), 'invalid-message', /at/, 'm9'],
  ['progress without taskId', json({ type: 'progress', id: 'a', data: 1 }), 'invalid-message', /taskId/, 'a'],
];

const malformedServerFrames: Case[] = [
  ['hello from the server', json(validServiceMessages.hello), 'unknown-type', /"hello"/, 'm1'],
  ['result from the server', json(result), 'unknown-type', /"result"/, 'm4'],
  [
    'welcome without heartbeatMs',
    json({ ...validServerMessages.welcome, heartbeatMs: undefined }),
    'invalid-message',
    /heartbeatMs/,
  ],
  [
    'welcome with heartbeatMs 0',
    json({ ...validServerMessages.welcome, heartbeatMs: 0 }),
    'invalid-message',
    /heartbeatMs/,
  ],
  ['welcome with version 0', json({ ...validServerMessages.welcome, version: 0 }), 'invalid-message', /version/],
  ['task with attempt 0', json({ ...task, attempt: 0 }), 'invalid-message', /attempt/, 's3'],
  ['task without deadline', json({ ...task, deadline: undefined }), 'invalid-message', /deadline/, 's3'],
  ['task with deadline a date string', json({ ...task, deadline: '2026-01-01' }), 'invalid-message', /deadline/],
  ['task with deadline past the latest', json({ ...task, deadline: MAX_TIMESTAMP + 1 }), 'invalid-message', /deadline/],
  ['task with a fractional deadline', json({ ...task, deadline: 1_700_000_000_000.5 }), 'invalid-message', /deadline/],
  [
    'task with an idempotencyKey one too long',
    json({ ...task, idempotencyKey: 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1) }),
    'invalid-message',
    /idempotencyKey/,
  ],
  ['task with a huge stepId', json({ ...task, stepId: huge }), 'invalid-message', /stepId/, 's3'],
  ['task with a huge idempotencyKey', json({ ...task, idempotencyKey: huge }), 'invalid-message', /idempotencyKey/],
  ['task without orchestrationId', json({ ...task, orchestrationId: undefined }), 'invalid-message', /orchestrationId/],
  ['cancel without reason', json({ type: 'cancel', id: 'a', taskId: 't' }), 'invalid-message', /reason/, 'a'],
  [
    'compensate with reason a string',
    json({ ...validServerMessages.compensate, reason: 'aborted' }),
    'invalid-message',
    /reason/,
    's4',
  ],
  ['protocol-error without code', json({ type: 'protocol-error', id: 'a', message: 'x' }), 'invalid-message', /code/],
];

describe('parseServiceMessage: malformed frames', () => {
  it.each(malformedServiceFrames)('%s → problem', (_name, frame, code, mentions, of) => {
    const parsed = parseServiceMessage(frame);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem.code).toBe(code);
    expect(parsed.problem.message).toMatch(mentions);
    if (of !== undefined) expect(parsed.problem.of).toBe(of);
    expect(parsed.problem.message.length).toBeLessThan(5_000);
  });
});

describe('parseServerMessage: malformed frames', () => {
  it.each(malformedServerFrames)('%s → problem', (_name, frame, code, mentions, of) => {
    const parsed = parseServerMessage(frame);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem.code).toBe(code);
    expect(parsed.problem.message).toMatch(mentions);
    if (of !== undefined) expect(parsed.problem.of).toBe(of);
  });
});

describe('parse problems', () => {
  it('has more than fifty malformed cases', () => {
    expect(malformedServiceFrames.length + malformedServerFrames.length).toBeGreaterThanOrEqual(50);
  });

  it('names the message by id only when the id is usable', () => {
    const long = parseServiceMessage(json({ type: 'drain', id: 'x'.repeat(201) }));
    expect(!long.ok && long.problem.of).toBeUndefined();
    const numeric = parseServiceMessage(json({ type: 'explode', id: 3 }));
    expect(!numeric.ok && numeric.problem).not.toHaveProperty('of');
  });

  it('never throws, whatever the frame', () => {
    const frames = [
      '\u0000',
      '{"__proto__":{"type":"ack"}}',
      '{"type":"ack","id":"a","of":"b","constructor":1}',
      '1e999',
    ];
    for (const frame of frames) {
      expect(() => parseServiceMessage(frame)).not.toThrow();
      expect(() => parseServerMessage(frame)).not.toThrow();
    }
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseServiceMessage(nested)).toMatchObject({ ok: false });
  });
});
