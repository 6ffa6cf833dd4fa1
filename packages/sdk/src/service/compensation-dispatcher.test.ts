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
