import { afterEach, describe, expect, it } from 'vitest';
import { AbortRunError } from '../errors/abort-run-error.js';
import { ApprovalError } from '../errors/approval-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import type { RunEvent } from '../events/run-event.js';
import type { Plan } from '../plan/plan.js';
import { delay, durableKit, eventually, KIT_BACKENDS, type Kit, stubbornTarget } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

const chain: Plan = {
  steps: [
    { id: 'one', target: 'add', input: { x: { $ref: 'request.x' } } },
    { id: 'two', target: 'hold', input: { x: { $ref: 'steps.one.output.x' } } },
    { id: 'three', target: 'add', input: { x: { $ref: 'steps.two.output.x' } } },
  ],
  output: { $ref: 'steps.three.output.x' },
};

describe.each(KIT_BACKENDS)('durable runs on %s', (backend) => {
  it('journals every step, finishes in the store, and keeps a journal whose hash chain verifies', async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine();
    kit.release();
    const run = engine.run(chain, { x: 1 });
    const result = await run.result();
    expect(result.output).toBe(103);
    const store = kit.stores[0]!;
    const stored = await store.getRun(run.runId);
    expect(stored?.status).toBe('succeeded');
    expect(stored?.output).toBe(103);
    const journal = await store.readJournal(run.runId);
    expect(journal.map((e) => `${e.type}${e.stepKey ? `:${e.stepKey}` : ''}`)).toEqual([
      'run-start',
      'step-finish:one',
      'step-finish:two',
      'step-finish:three',
      'run-finish',
    ]);
    expect(await engine.verifyJournal(run.runId)).toEqual({ ok: true, entries: 5 });
    // A mistyped id is not a clean journal.
    await expect(engine.verifyJournal(`${run.runId}x`)).rejects.toSatisfy(
      (error) => NotFoundError.isInstance(error) && (error as Error).message.includes(`${run.runId}x`),
    );
    expect(kit.calls).toEqual([
      `add:one:${run.runId}:one`,
      `hold:two:${run.runId}:two`,
      `add:three:${run.runId}:three`,
    ]);
  });

  it('hands a run to another engine when its engine closes, which never re-runs a finished step', async () => {
    kit = await durableKit(backend);
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run(chain, { x: 1 });
    await eventually(() => kit.calls.length === 2);
    await first.close();
    const events: RunEvent[] = [];
    const second = await kit.engine({ engineId: 'second', onEvent: (e) => events.push(e) });
    kit.release();
    await second.start();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'succeeded');
    expect((await kit.stores[0]!.getRun(run.runId))?.output).toBe(103);
    expect(events.filter((e) => e.runId === run.runId).map((e) => e.type)).toEqual([
      'run-resume',
      'step-start',
      'step-finish',
      'step-start',
      'step-finish',
      'run-finish',
    ]);
    // `one` ran once; `two` was in flight and ran again with the same idempotency key; `three` once.
    expect(kit.calls).toEqual([
      `add:one:${run.runId}:one`,
      `hold:two:${run.runId}:two`,
      `hold:two:${run.runId}:two`,
      `add:three:${run.runId}:three`,
    ]);
    const finishes = (await kit.stores[0]!.readJournal(run.runId)).filter((e) => e.type === 'step-finish');
    expect(finishes.map((e) => e.stepKey)).toEqual(['one', 'two', 'three']);
  });

  it('parks a run at an approval, resumes it when another process approves, and passes the approved data on', async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine();
    await engine.start();
    const plan: Plan = {
      steps: [
        { id: 'one', target: 'add', input: { x: 1 } },
        {
          id: 'ok',
          approval: { prompt: 'Refund {{steps.one.output.x}}?', data: { amount: { $ref: 'steps.one.output.x' } } },
        },
        { id: 'three', target: 'add', input: { x: { $ref: 'steps.ok.output.data.amount' } } },
      ],
      output: { $ref: 'steps.three.output.x' },
    };
    const run = engine.run(plan);
    const events: RunEvent[] = [];
    void (async () => {
      for await (const event of run) events.push(event);
    })();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'waiting');
    const [approval] = await engine.approvals({ runId: run.runId });
    expect(approval).toMatchObject({ prompt: 'Refund 2?', data: { amount: 2 }, status: 'pending', stepKey: 'ok' });
    const other = await kit.engine({ engineId: 'approver' });
    await other.approve(approval!.id, { amount: 40 });
    expect((await run.result()).output).toBe(41);
    await eventually(() => events.some((e) => e.type === 'run-finish'));
    const types = events.map((e) => e.type);
    for (const type of ['approval-request', 'run-park', 'run-resume', 'approval-decision', 'run-finish'] as const) {
      expect(types).toContain(type);
    }
    await expect(other.approve(approval!.id)).rejects.toThrow(/approved already/);
    expect(kit.calls.filter((c) => c.startsWith('add:one'))).toHaveLength(1);
  });

  it('fails a rejected approval and compensates the finished steps in reverse order', async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine();
    await engine.start();
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'add', input: { x: 1 } },
        { id: 'b', target: 'add', input: { x: { $ref: 'steps.a.output.x' } } },
        { id: 'c', target: 'add', input: { x: 5 } },
        { id: 'ok', approval: { prompt: 'Go?' }, dependsOn: ['b', 'c'] },
      ],
    };
    const run = engine.run(plan);
    await eventually(async () => (await engine.approvals({ runId: run.runId, status: 'pending' })).length === 1);
    const [approval] = await engine.approvals({ runId: run.runId });
    await engine.reject(approval!.id, 'too expensive');
    const error = await run.result().catch((e) => e);
    expect(ApprovalError.isInstance(error)).toBe(true);
    expect(error.message).toContain('too expensive');
    // b depends on a, so b is undone before a; c is independent.
    const order = kit.undone.map((u) => u.step);
    expect(order.sort()).toEqual(['a', 'b', 'c']);
    expect(kit.undone.findIndex((u) => u.step === 'b')).toBeLessThan(kit.undone.findIndex((u) => u.step === 'a'));
    const journal = await kit.stores[0]!.readJournal(run.runId);
    expect(
      journal
        .filter((e) => e.type === 'compensation-finish')
        .map((e) => e.stepKey)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect((await kit.stores[0]!.getRun(run.runId))?.status).toBe('failed');
  });

  it('takes the declared default when an approval expires', async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine();
    await engine.start();
    const run = engine.run({
      steps: [
        { id: 'ok', approval: { prompt: 'Ship?', expiresInMs: 100, onExpire: 'default', default: { ship: false } } },
      ],
      output: { $ref: 'steps.ok.output' },
    });
    expect((await run.result()).output).toEqual({ decision: 'expired', data: { ship: false } });
  });

  it('fires a durable timer after the engine that set it is gone', async () => {
    kit = await durableKit(backend);
    const first = await kit.engine({ engineId: 'first' });
    await first.start();
    const run = first.run({
      steps: [
        { id: 'pause', wait: { durationMs: 400 } },
        { id: 'after', target: 'add', input: { x: 1 }, dependsOn: ['pause'] },
      ],
      output: { $ref: 'steps.pause.output.firedAt' },
    });
    const startedAt = Date.now();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'waiting');
    await first.close();
    const second = await kit.engine({ engineId: 'second' });
    await second.start();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'succeeded');
    const firedAt = (await kit.stores[0]!.getRun(run.runId))?.output as number;
    expect(firedAt - startedAt).toBeGreaterThanOrEqual(390);
    const journal = await kit.stores[0]!.readJournal(run.runId);
    const timers = journal.filter((e) => e.type === 'timer-set');
    expect(timers).toHaveLength(1);
    // The wait step is timed from when its timer was set, in the first engine's life, not from its second life.
    const pause = journal.find((e) => e.type === 'step-finish' && e.stepKey === 'pause');
    expect(pause?.data).toMatchObject({ startedAt: timers[0]!.createdAt });
  });

  it('passes an abort payload to compensations and records a compensation that keeps failing', async () => {
    kit = await durableKit(backend);
    kit.registry.register(stubbornTarget);
    kit.registry.register({
      name: 'stop',
      description: 'Aborts the run',
      handler: () => {
        throw new AbortRunError({ why: 'fraud' }, 'fraud suspected');
      },
    });
    const engine = await kit.engine({ compensationTtlMs: 150, defaults: { retry: { initialDelayMs: 10 } } });
    const run = engine.run({
      steps: [
        { id: 'a', target: 'add', input: { x: 1 } },
        { id: 's', target: 'stubborn' },
        { id: 'x', target: 'stop', dependsOn: ['a', 's'] },
      ],
    });
    const error = await run.result().catch((e) => e);
    expect(AbortRunError.isInstance(error)).toBe(true);
    expect(kit.undone).toEqual([{ step: 'a', payload: { why: 'fraud' }, reason: 'run-aborted' }]);
    const failed = await engine.failedCompensations({ runId: run.runId });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ stepKey: 's', status: 'open', target: 'stubborn@1.0.0' });
    await engine.closeFailedCompensation(failed[0]!.id, 'resolved', 'reversed by hand');
    expect((await engine.failedCompensations({ runId: run.runId, status: 'resolved' }))[0]?.reason).toBe(
      'reversed by hand',
    );
    await expect(engine.closeFailedCompensation(failed[0]!.id, 'ignored', 'again')).rejects.toThrow(
      /no open failed compensation/,
    );
    await delay(0);
  });

  it('resumes the compensation of a run that died between failing and being marked compensating', async () => {
    kit = await durableKit(backend);
    kit.registry.register({
      name: 'decline',
      description: 'Always fails',
      handler: (_input: unknown, ctx) => {
        kit.calls.push(`decline:${ctx.stepId}`);
        throw new Error('card declined');
      },
    });
    // The first engine "dies" right after journaling the failure: its store refuses to mark the run compensating.
    const dying = await kit.engine(
      { engineId: 'dying', defaults: { retry: false } },
      (store) =>
        new Proxy(store, {
          get: (target, name) => {
            if (name === 'setRunStatus') {
              return async () => {
                throw new Error('process killed');
              };
            }
            const value = Reflect.get(target, name);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
    );
    const run = dying.run({
      steps: [
        { id: 'a', target: 'add', input: { x: 1 } },
        { id: 'pay', target: 'decline', dependsOn: ['a'] },
      ],
    });
    const store = kit.stores[0]!;
    await eventually(async () => (await store.readJournal(run.runId)).some((e) => e.type === 'run-fail'));
    expect(kit.undone).toEqual([]);
    const heir = await kit.engine({ engineId: 'heir' });
    await heir.start();
    await eventually(async () => (await store.getRun(run.runId))?.status === 'failed');
    expect(kit.undone.map((u) => u.step)).toEqual(['a']);
    expect(kit.calls.filter((c) => c.startsWith('decline'))).toHaveLength(1);
    const types = (await store.readJournal(run.runId)).map((e) => e.type);
    expect(types.filter((t) => t === 'run-fail')).toHaveLength(1);
    expect(types.at(-1)).toBe('compensation-finish');
  });
});
