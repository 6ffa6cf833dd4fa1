import { describe, expect, it } from 'vitest';
import { connectTestService, recordEvents } from './service-test-kit.js';
import { NonRetryableError } from './task-failed-error.js';

describe('createService: compensation', () => {
  it('runs revert once per compensation id and answers a repeat with the stored answer', async () => {
    const reverts: unknown[] = [];
    const { server, service } = await connectTestService({
      handler: () => null,
      revert: (ctx) => {
        reverts.push({ ...ctx, signal: ctx.signal instanceof AbortSignal });
      },
    });
    const events = recordEvents(service);
    const compensationId = server.sendCompensate({ input: { n: 1 }, output: { id: 'a' }, payload: { why: 1 } });
    await server.waitFor((message) => message.type === 'compensation-result');
    server.sendCompensate({ compensationId });
    const answers = () => server.received.filter(({ message }) => message.type === 'compensation-result');
    await server.waitFor(() => answers().length === 2);
    expect(answers().map(({ message }) => message)).toEqual([
      expect.objectContaining({ compensationId, ok: true }),
      expect.objectContaining({ compensationId, ok: true }),
    ]);
    expect(reverts).toEqual([
      expect.objectContaining({
        compensationId,
        input: { n: 1 },
        output: { id: 'a' },
        payload: { why: 1 },
        reason: { code: 'run-aborted', message: 'a later step aborted the run' },
        signal: true,
      }),
    ]);
    expect(events.count('compensation-start')).toBe(1);
  });

  it('stops a revert when the server cancels its compensation, and answers that it was cancelled', async () => {
    const reasons: unknown[] = [];
    const { server } = await connectTestService({
      handler: () => null,
      revert: (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reasons.push(ctx.signal.reason);
            reject(ctx.signal.reason);
          });
          server.send({ type: 'cancel', id: 'cancel-1', taskId: ctx.compensationId, reason: 'the run moved on' });
        }),
    });
    const compensationId = server.sendCompensate({});
    const answer = await server.waitFor((message) => message.type === 'compensation-result');
    expect(answer).toMatchObject({ compensationId, ok: false, error: { code: 'cancelled', retryable: false } });
    expect(reasons).toEqual([
      expect.objectContaining({ name: 'TaskCancelledError', taskId: compensationId, detail: 'the run moved on' }),
    ]);
  });

  it('runs an undo sent again under a new id (a restarted server) once, by its idempotency key', async () => {
    let reverts = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { server } = await connectTestService({
      handler: () => null,
      revert: async () => {
        reverts += 1;
        await gate;
      },
    });
    const answers = () => server.received.filter(({ message }) => message.type === 'compensation-result');
    // The same undo twice while the first still runs, then once more after it is done: one revert, three answers.
    const first = server.sendCompensate({ idempotencyKey: 'orc-1:book' });
    const second = server.sendCompensate({ idempotencyKey: 'orc-1:book' });
    release();
    await server.waitFor(() => answers().length === 2);
    const third = server.sendCompensate({ idempotencyKey: 'orc-1:book' });
    await server.waitFor(() => answers().length === 3);
    expect(answers().map(({ message }) => message)).toEqual(
      [first, second, third].map((compensationId) => expect.objectContaining({ compensationId, ok: true })),
    );
    expect(reverts).toBe(1);
    // Another key is another undo.
    server.sendCompensate({ idempotencyKey: 'orc-2:book' });
    await server.waitFor(() => answers().length === 4);
    expect(reverts).toBe(2);
  });

  it('runs a revert that failed again when it is sent again', async () => {
    let reverts = 0;
    const { server } = await connectTestService({
      handler: () => null,
      revert: () => {
        reverts += 1;
        if (reverts === 1) throw new Error('the bank is down');
      },
    });
    const answers = () => server.received.filter(({ message }) => message.type === 'compensation-result');
    server.sendCompensate({ idempotencyKey: 'orc-3:pay' });
    await server.waitFor(() => answers().length === 1);
    server.sendCompensate({ idempotencyKey: 'orc-3:pay' });
    await server.waitFor(() => answers().length === 2);
    expect(answers().map(({ message }) => (message as { ok: boolean }).ok)).toEqual([false, true]);
    expect(reverts).toBe(2);
  });

  it('answers ok: false when revert throws, or when the service has no revert', async () => {
    const { server } = await connectTestService({
      handler: () => null,
      revert: () => {
        throw new NonRetryableError('the invoice was already paid', { code: 'already-paid' });
      },
    });
    server.sendCompensate();
    expect(await server.waitFor((message) => message.type === 'compensation-result')).toMatchObject({
      ok: false,
      error: { code: 'already-paid', retryable: false, message: 'the invoice was already paid' },
    });

    const plain = await connectTestService({ handler: () => null });
    plain.server.sendCompensate();
    expect(await plain.server.waitFor((message) => message.type === 'compensation-result')).toMatchObject({
      ok: false,
      error: { code: 'not-revertible', retryable: false },
    });
  });
});
