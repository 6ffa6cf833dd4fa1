/**
 * A `task` or `compensate` the SDK cannot accept but that names its id is answered as failed, not retryable, so the
 * server's step fails instead of waiting forever; one without a usable id is only reported, as before.
 */
import { randomUUID } from 'node:crypto';
import { MAX_TIMESTAMP } from '@baton/protocol';
import { describe, expect, it } from 'vitest';
import { connectTestService, recordEvents } from './service-test-kit.js';

function taskFrame(fields: Record<string, unknown>): { frame: string; id: string; taskId: string } {
  const id = randomUUID();
  const taskId = `task-${randomUUID()}`;
  const task = {
    type: 'task',
    id,
    taskId,
    orchestrationId: 'orchestration-1',
    stepId: 'step-1',
    attempt: 1,
    idempotencyKey: `key-${taskId}`,
    input: null,
    deadline: null,
    ...fields,
  };
  return { frame: JSON.stringify(task), id, taskId: String(task.taskId) };
}

describe('a task the SDK cannot accept', () => {
  it.each([
    ['a deadline past what the protocol allows', { deadline: MAX_TIMESTAMP + 1 }, /deadline: Too big/],
    ['a fractional deadline', { deadline: Date.now() + 2000.5 }, /deadline: .*int/],
    ['an idempotency key too long', { idempotencyKey: 'k'.repeat(100_000) }, /idempotencyKey: Too big/],
  ])('is answered with a non-retryable task-error for %s, and acknowledged', async (_case, fields, problem) => {
    let calls = 0;
    const { server, service } = await connectTestService({ handler: () => ++calls });
    const events = recordEvents(service);
    const { frame, id, taskId } = taskFrame(fields);
    server.sendRaw(frame);
    const outcome = await server.waitForOutcome(taskId);
    expect(outcome).toMatchObject({ type: 'task-error', taskId, error: { code: 'invalid-task', retryable: false } });
    const message = outcome.type === 'task-error' ? outcome.error.message : '';
    expect(message).toMatch(/^the server sent a task this service cannot accept, so it did not run it: task: /);
    expect(message).toMatch(problem);
    expect(await server.waitFor((received) => received.type === 'ack' && received.of === id)).toBeDefined();
    expect(events.events).toContainEqual(expect.objectContaining({ type: 'message-invalid', code: 'invalid-message' }));
    expect(await events.waitFor('task-finish', (event) => event.taskId === taskId)).toMatchObject({
      outcome: 'task-error',
      reused: false,
      error: { code: 'invalid-task', retryable: false },
    });
    expect(calls).toBe(0);
    expect(await server.waitForOutcome(server.sendTask())).toMatchObject({ type: 'result', output: 1 });
  });

  it('answers the same task sent again with the same error, and leaves a running task of that id alone', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { server, service } = await connectTestService({
      handler: async () => {
        await released;
        return 'ran';
      },
    });
    const events = recordEvents(service);
    const refused = taskFrame({ deadline: 0.5 });
    server.sendRaw(refused.frame);
    const first = await server.waitForOutcome(refused.taskId);
    const firstCount = server.received.filter(({ message }) => message.type === 'task-error').length;
    server.sendRaw(refused.frame);
    await events.waitFor('task-repeat', (event) => event.taskId === refused.taskId && event.state === 'finished');
    await server.waitFor(
      (message) => message.type === 'task-error' && message.taskId === refused.taskId && message.id !== first.id,
    );
    expect(server.received.filter(({ message }) => message.type === 'task-error')).toHaveLength(firstCount + 1);

    const running = server.sendTask();
    await events.waitFor('task-start', (event) => event.taskId === running);
    server.sendRaw(taskFrame({ taskId: running, deadline: 0.5 }).frame);
    await events.waitFor('task-repeat', (event) => event.taskId === running && event.state === 'running');
    release();
    expect(await server.waitForOutcome(running)).toMatchObject({ type: 'result', output: 'ran' });
  });

  it('is only reported when it names no usable task id', async () => {
    const { server, service } = await connectTestService({ handler: () => 'ok' });
    const events = recordEvents(service);
    const { frame, id } = taskFrame({ taskId: 't'.repeat(201), deadline: 0.5 });
    server.sendRaw(frame);
    await events.waitFor('message-invalid', (event) => /taskId/.test(event.message));
    expect(await server.waitForOutcome(server.sendTask())).toMatchObject({ type: 'result', output: 'ok' });
    expect(server.received.some(({ message }) => message.type === 'task-error')).toBe(false);
    expect(server.received.some(({ message }) => message.type === 'ack' && message.of === id)).toBe(false);
  });
});

describe('a compensation the SDK cannot accept', () => {
  it('is answered ok: false with a non-retryable error, without calling revert', async () => {
    let reverts = 0;
    const revert = () => {
      reverts += 1;
    };
    const { server } = await connectTestService({ handler: () => null, revert });
    const id = randomUUID();
    const compensationId = `compensation-${randomUUID()}`;
    server.sendRaw(
      JSON.stringify({
        type: 'compensate',
        id,
        compensationId,
        orchestrationId: 'orchestration-1',
        stepId: 'step-1',
        input: null,
        output: null,
        reason: { code: 'run-aborted', message: 'a later step aborted the run' },
        payload: null,
        attempt: 1,
        idempotencyKey: 'k'.repeat(2001),
        deadline: null,
      }),
    );
    const answer = await server.waitFor(
      (message) => message.type === 'compensation-result' && message.compensationId === compensationId,
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-compensation', retryable: false } });
    expect(answer.type === 'compensation-result' && answer.error?.message).toMatch(/idempotencyKey/);
    expect(await server.waitFor((message) => message.type === 'ack' && message.of === id)).toBeDefined();
    expect(reverts).toBe(0);
  });
});
