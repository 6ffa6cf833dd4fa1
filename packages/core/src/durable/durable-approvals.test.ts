import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalError } from '../errors/approval-error.js';
import type { Plan } from '../plan/plan.js';
import { ApprovalExpiredError } from '../storage/index.js';
import { LeaseLostError } from '../storage/storage-errors.js';
import { approvalIdFor } from './durable-pauses.js';
import { delay, durableKit, eventually, intercept, KIT_BACKENDS, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

const expiring = (approval: Record<string, unknown>): Plan => ({
  steps: [
    { id: 'a', target: 'add', input: { x: 1 } },
    { id: 'ok', approval: { prompt: 'Ship?', ...approval }, dependsOn: ['a'] },
  ],
  output: { $ref: 'steps.ok.output' },
});

/** Starts `plan` on an engine that then stops, leaving the run parked on its approval with nobody to expire it. */
async function parkedThenStopped(plan: Plan): Promise<string> {
  const first = await kit.engine({ engineId: 'first' });
  const run = first.run(plan);
  await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'waiting');
  await first.close();
  return run.runId;
}

describe.each(KIT_BACKENDS)('approval expiry on %s', (backend) => {
  it("fails the run with a typed error and compensates when onExpire is 'fail' (the default)", async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine();
    await engine.start();
    const run = engine.run(expiring({ expiresInMs: 150 }));
    const error = await run.result().catch((caught) => caught);
    expect(ApprovalError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'approval-expired', outcome: 'expired', stepId: 'ok' });
    expect(kit.undone.map((undo) => undo.step)).toEqual(['a']);
    const store = kit.stores[0]!;
    expect(await store.getRun(run.runId)).toMatchObject({ status: 'failed', error: { code: 'approval-expired' } });
    expect((await engine.approvals({ runId: run.runId }))[0]?.status).toBe('expired');
  });

  it('refuses a decision made after the expiry, and the run takes its onExpire path (fail)', async () => {
    kit = await durableKit(backend);
    const runId = await parkedThenStopped(expiring({ expiresInMs: 200 }));
    await delay(300);
    const approver = await kit.engine({ engineId: 'approver' });
    const [approval] = await approver.approvals({ runId });
    expect(approval?.status).toBe('pending');
    const refused = await approver.approve(approval!.id, { late: true }).catch((caught) => caught);
    expect(ApprovalExpiredError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ approvalId: approval!.id, expiredAt: approval!.expiresAt });
    expect((await approver.approvals({ runId }))[0]?.status).toBe('expired');
    await expect(approver.reject(approval!.id, 'no')).rejects.toMatchObject({ code: 'approval-decision-expired' });
    await approver.start();
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(runId))?.status === 'failed');
    expect((await store.getRun(runId))?.error).toMatchObject({ code: 'approval-expired' });
    expect(kit.undone.map((undo) => undo.step)).toEqual(['a']);
  });

  it("refuses a late decision and takes the declared default when onExpire is 'default'", async () => {
    kit = await durableKit(backend);
    const runId = await parkedThenStopped(
      expiring({ expiresInMs: 200, onExpire: 'default', default: { ship: false } }),
    );
    await delay(300);
    const approver = await kit.engine({ engineId: 'approver' });
    const [approval] = await approver.approvals({ runId });
    await expect(approver.approve(approval!.id, { ship: true })).rejects.toSatisfy(ApprovalExpiredError.isInstance);
    await approver.start();
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(runId))?.status === 'succeeded');
    expect((await store.getRun(runId))?.output).toEqual({ decision: 'expired', data: { ship: false } });
    expect(kit.undone).toEqual([]);
  });
});

describe('approval ids', () => {
  it('times an approval step from its request, not from the life that resumed it once decided', async () => {
    kit = await durableKit();
    const runId = await parkedThenStopped(expiring({}));
    const approver = await kit.engine({ engineId: 'approver' });
    const [approval] = await approver.approvals({ runId });
    await delay(50);
    await approver.approve(approval!.id, { ship: true });
    const finished: number[] = [];
    const second = await kit.engine({
      engineId: 'second',
      onEvent: (event) => {
        if (event.type === 'step-finish' && event.stepId === 'ok') finished.push(event.durationMs);
      },
    });
    await second.start();
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(runId))?.status === 'succeeded');
    const createdAt = (await store.getApproval(approval!.id))!.createdAt;
    const entry = (await store.readJournal(runId)).find((e) => e.type === 'step-finish' && e.stepKey === 'ok');
    expect(entry?.data).toMatchObject({ startedAt: createdAt });
    expect(finished[0]).toBeGreaterThanOrEqual(50);
  });

  it('finds the same approval after a crash between creating it and journaling it', async () => {
    kit = await durableKit();
    // The first engine "dies" at the approval-request write: its approval exists, the journal does not know it.
    const dying = await kit.engine({ engineId: 'dying' }, (store) =>
      intercept(store, 'appendJournal', (append) => async (runId, owner, entries) => {
        if (entries.some((entry) => entry.type === 'approval-request')) {
          throw new LeaseLostError(runId, owner, 'a successor');
        }
        return append(runId, owner, entries);
      }),
    );
    const run = dying.run(expiring({}));
    const store = kit.stores[0]!;
    await eventually(async () => (await store.listApprovals({ runId: run.runId })).length === 1);
    const [orphan] = await store.listApprovals({ runId: run.runId });
    expect(orphan?.id).toBe(approvalIdFor(run.runId, 'ok'));
    const heir = await kit.engine({ engineId: 'heir' });
    await heir.start();
    await eventually(async () =>
      (await store.readJournal(run.runId)).some((entry) => entry.type === 'approval-request'),
    );
    const approvals = await store.listApprovals({ runId: run.runId });
    expect(approvals.map((approval) => approval.id)).toEqual([orphan!.id]);
    const request = (await store.readJournal(run.runId)).find((entry) => entry.type === 'approval-request');
    expect(request?.data).toMatchObject({ approvalId: orphan!.id });
    await heir.approve(orphan!.id, { go: true });
    await eventually(async () => (await store.getRun(run.runId))?.status === 'succeeded');
    expect((await store.getRun(run.runId))?.output).toEqual({ decision: 'approved', data: { go: true } });
  });

  it('derives a UUID-shaped id from run id and step key, distinct per loop iteration', () => {
    const id = approvalIdFor('run-1', 'refine/iteration-1/ok');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(approvalIdFor('run-1', 'refine/iteration-1/ok')).toBe(id);
    expect(approvalIdFor('run-1', 'refine/iteration-2/ok')).not.toBe(id);
    expect(approvalIdFor('run-2', 'refine/iteration-1/ok')).not.toBe(id);
  });
});

describe.each(KIT_BACKENDS)('an approval decided as soon as it is asked, on %s', (backend) => {
  it('lets the run go on at once, not after its lease (the wake-up came while the run still held it)', async () => {
    kit = await durableKit(backend);
    // A lease far past the test's timeout: a run left to its lease would fail the test, whatever the machine's speed.
    const engine = await kit.engine({ leaseMs: 600_000 });
    await engine.start();
    const plan: Plan = {
      steps: [
        { id: 'ok', approval: { prompt: 'Ship?' } },
        { id: 'a', target: 'add', input: { x: { $ref: 'steps.ok.output.data.x' } } },
      ],
      output: { $ref: 'steps.a.output' },
    };
    for (let i = 0; i < 5; i++) {
      const run = engine.run(plan);
      const attempts: [string, number][] = [];
      for await (const event of run) {
        if (event.type === 'approval-request') await engine.approve(event.approvalId, { x: i });
        if ((event.type === 'step-start' || event.type === 'step-finish') && event.stepId === 'ok') {
          attempts.push([event.type, event.attempt]);
        }
      }
      expect((await run.result()).output).toEqual({ x: i + 1 });
      // An approval step is one attempt, from its start to its finish.
      expect(attempts).toEqual([
        ['step-start', 1],
        ['step-finish', 1],
      ]);
    }
  });
});

describe.each(KIT_BACKENDS)('a pause beside steps that still have work, on %s', (backend) => {
  // Each plan holds one pause that nobody ends during the test and, beside it, steps that must all run meanwhile: the
  // run parks only once they are done. A step's journal write takes longer than a turn of the event loop, and a loop
  // goes from one iteration to the next through several promises; the run must not look idle in either gap.
  const beside: [string, Plan['steps'][number]][] = [
    ['an approval', { id: 'pause', approval: { prompt: 'Ship?' } }],
    ['a timer', { id: 'pause', wait: { durationMs: 600_000 } }],
  ];
  it.each(beside)('runs the dependents of a finished step while %s waits', async (_, pause) => {
    kit = await durableKit(backend);
    const engine = await kit.engine({ leaseMs: 600_000 });
    await engine.start();
    const run = engine.run({
      steps: [
        pause,
        { id: 'a', target: 'add', input: { x: 1 } },
        { id: 'b', target: 'add', input: { x: { $ref: 'steps.a.output.x' } }, dependsOn: ['a'] },
        { id: 'c', target: 'add', input: { x: { $ref: 'steps.b.output.x' } }, dependsOn: ['b'] },
        {
          id: 'again',
          loop: {
            steps: [{ id: 'd', target: 'add', input: { x: 0 } }],
            until: 'loop.iteration >= 3',
            maxIterations: 5,
          },
          dependsOn: ['c'],
        },
      ],
    });
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'waiting');
    expect(kit.calls.map((call) => call.split(':')[1])).toEqual(['a', 'b', 'c', 'd', 'd', 'd']);
    const steps = (await kit.stores[0]!.readJournal(run.runId)).filter((entry) => entry.type === 'step-finish');
    expect(steps.map((entry) => entry.stepKey)).toEqual([
      'a',
      'b',
      'c',
      'again/iteration-1/d',
      'again/iteration-2/d',
      'again/iteration-3/d',
      'again',
    ]);
  });

  it('still parks on an approval inside a loop, each iteration, and goes on once it is decided', async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine({ leaseMs: 600_000 });
    await engine.start();
    const run = engine.run({
      steps: [
        {
          id: 'again',
          loop: {
            steps: [
              { id: 'ok', approval: { prompt: 'Once more?' } },
              { id: 'd', target: 'add', input: { x: 0 }, dependsOn: ['ok'] },
            ],
            until: 'loop.iteration >= 2',
            maxIterations: 3,
          },
        },
      ],
      output: { $ref: 'steps.again.output.iterations' },
    });
    for (const iteration of [1, 2]) {
      await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'waiting');
      const pending = await engine.approvals({ runId: run.runId, status: 'pending' });
      expect(pending).toHaveLength(1);
      expect(kit.calls).toHaveLength(iteration - 1);
      await engine.approve(pending[0]!.id);
      await eventually(() => kit.calls.length === iteration);
    }
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'succeeded');
    expect((await kit.stores[0]!.getRun(run.runId))?.output).toBe(2);
  });

  it('fails the run when a step beside a pending approval fails, and withdraws the approval', async () => {
    kit = await durableKit(backend);
    kit.registry.register({
      name: 'broken',
      description: 'Always fails',
      handler: () => {
        throw new Error('out of paper');
      },
    });
    const engine = await kit.engine({ leaseMs: 600_000 });
    await engine.start();
    const run = engine.run({
      steps: [
        { id: 'ok', approval: { prompt: 'Ship?' } },
        { id: 'a', target: 'add', input: { x: 1 } },
        { id: 'b', target: 'broken', dependsOn: ['a'], policy: { retry: { maxAttempts: 1 } } },
      ],
    });
    await expect(run.result()).rejects.toMatchObject({ stepId: 'b' });
    expect(kit.undone.map((undone) => undone.step)).toEqual(['a']);
    expect((await engine.approvals({ runId: run.runId })).map((approval) => approval.status)).toEqual(['withdrawn']);
  });
});
