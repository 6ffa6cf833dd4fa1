import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine/engine.js';
import { ApprovalError } from '../errors/approval-error.js';
import type { RunEvent } from '../events/run-event.js';
import type { Plan } from '../plan/plan.js';
import { createRegistry } from '../registry/registry.js';
import { createMemoryStore, type MemoryRunStore } from '../storage/index.js';
import { eventually, intercept } from './durable-test-kit.js';

const engines: Engine[] = [];
let store: MemoryRunStore;

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
  await store?.close();
});

function setUp() {
  store = createMemoryStore();
  const calls: string[] = [];
  const undone: string[] = [];
  const registry = createRegistry();
  registry.register({
    name: 'add',
    description: 'Adds one, and can undo it',
    handler: (input: { x: number }, ctx) => {
      calls.push(ctx.stepId);
      return { x: input.x + 1 };
    },
    compensate: (ctx) => {
      undone.push(ctx.stepId);
    },
  });
  const engineOn = (
    runStore: typeof store | ReturnType<typeof intercept>,
    engineId: string,
    onEvent: (event: RunEvent) => void = () => {},
  ) => {
    const engine = createEngine({
      registry,
      store: runStore,
      engineId,
      leaseMs: 300,
      parkAfterMs: 50,
      onError: () => {},
      onNotice: () => {},
      onEvent,
    });
    engines.push(engine);
    return engine;
  };
  return { calls, undone, engineOn };
}

/** Charge, wait on a durable timer, ask a person, then ship. */
const order: Plan = {
  steps: [
    { id: 'charge', target: 'add', input: { x: { $ref: 'request.x' } } },
    { id: 'pause', wait: { durationMs: 150 }, dependsOn: ['charge'] },
    { id: 'review', approval: { prompt: 'Ship {{steps.charge.output.x}}?' }, dependsOn: ['pause'] },
    { id: 'ship', target: 'add', input: { x: { $ref: 'steps.charge.output.x' } }, dependsOn: ['review'] },
  ],
  output: { $ref: 'steps.ship.output.x' },
};

const statusOf = async (runId: string) => (await store.getRun(runId))?.status;

describe('durable engine on a memory store', () => {
  it('parks on a timer and an approval, resumes, finishes, and keeps a journal that verifies', async () => {
    const { calls, engineOn } = setUp();
    const events: RunEvent[] = [];
    const engine = engineOn(store, 'engine-a', (event) => events.push(event));
    await engine.start();
    const run = engine.run(order, { x: 1 });
    await eventually(async () => (await engine.approvals({ runId: run.runId, status: 'pending' })).length === 1);
    await eventually(async () => (await statusOf(run.runId)) === 'waiting');
    const [approval] = await engine.approvals({ runId: run.runId });
    expect(approval).toMatchObject({ prompt: 'Ship 2?', stepKey: 'review', status: 'pending' });
    await engine.approve(approval!.id, { by: 'ops' });
    expect((await run.result()).output).toBe(3);
    expect(calls).toEqual(['charge', 'ship']);
    // Parked twice, on the timer and on the approval, and resumed from the store each time.
    expect(events.filter((event) => event.type === 'run-park')).toHaveLength(2);
    expect(events.filter((event) => event.type === 'run-resume')).toHaveLength(2);
    // Each step is told started once, though the lives after the parks start the steps they waited on again.
    const told = (list: RunEvent[], type: string) =>
      list.filter((event) => event.type === type).map((event) => (event as { stepId?: string }).stepId);
    const onHandle: RunEvent[] = [];
    for await (const event of run.events()) onHandle.push(event);
    for (const list of [events, onHandle]) {
      expect(told(list, 'step-start')).toEqual(['charge', 'pause', 'review', 'ship']);
      expect(told(list, 'timer-set')).toEqual(['pause']);
      expect(told(list, 'approval-request')).toEqual(['review']);
    }
    const journal = await store.readJournal(run.runId);
    const types = journal.map((entry) => entry.type);
    for (const type of ['run-start', 'timer-set', 'approval-request', 'run-finish']) expect(types).toContain(type);
    expect(journal.map((entry) => entry.seq)).toEqual(journal.map((_, index) => index));
    expect(await engine.verifyJournal(run.runId)).toEqual({ ok: true, entries: journal.length });
    expect(await store.getRun(run.runId)).toMatchObject({ status: 'succeeded', output: 3, owner: null });
  });

  it('compensates the finished steps when the approval is rejected', async () => {
    const { undone, engineOn } = setUp();
    const engine = engineOn(store, 'engine-a');
    await engine.start();
    const run = engine.run(order, { x: 1 });
    await eventually(async () => (await engine.approvals({ runId: run.runId, status: 'pending' })).length === 1);
    const [approval] = await engine.approvals({ runId: run.runId });
    await engine.reject(approval!.id, 'out of stock');
    const error = await run.result().catch((caught) => caught);
    expect(ApprovalError.isInstance(error)).toBe(true);
    expect(undone).toEqual(['charge']);
    expect(await statusOf(run.runId)).toBe('failed');
    expect(await store.verifyJournal(run.runId)).toMatchObject({ ok: true });
  });

  it('hands a submitted run to another engine on the same store, woken by the submit rather than a poll', async () => {
    const { calls, engineOn } = setUp();
    let waiting = 0;
    // The worker's idle waits last ten minutes: only the submit's wake-up can get the run claimed within the test.
    const patient = intercept(store, 'waitForWork', (original) => (_timeoutMs, signal) => {
      waiting++;
      return original(600_000, signal).finally(() => waiting--);
    });
    const seenByWorker: string[] = [];
    const worker = engineOn(patient, 'worker', (event) => seenByWorker.push(`${event.type}:${event.runId}`));
    await worker.start();
    await eventually(() => waiting > 0);
    const submitter = engineOn(store, 'submitter');
    const runId = await submitter.submit(
      {
        steps: [{ id: 'only', target: 'add', input: { x: { $ref: 'request.x' } } }],
        output: { $ref: 'steps.only.output.x' },
      },
      { x: 41 },
    );
    await eventually(async () => (await statusOf(runId)) === 'succeeded');
    expect(await store.getRun(runId)).toMatchObject({ output: 42 });
    expect(calls).toEqual(['only']);
    expect(seenByWorker).toContain(`run-finish:${runId}`);
    expect(await submitter.verifyJournal(runId)).toMatchObject({ ok: true });
  });

  it('answers a submit under a key already given with the run that key started, and stores no second run', async () => {
    const { engineOn } = setUp();
    const submitter = engineOn(store, 'submitter');
    const plan = { steps: [{ id: 'only', target: 'add', input: { x: 1 } }] };
    const first = await submitter.submit(plan, {}, { idempotencyKey: 'order-7' });
    const again = await submitter.submit(plan, {}, { idempotencyKey: 'order-7' });
    expect(again).toBe(first);
    expect((await store.listRuns({})).map((run) => run.id)).toEqual([first]);
    // The same run id given twice is still a mistake the caller made.
    await expect(submitter.submit(plan, {}, { runId: first })).rejects.toMatchObject({ code: 'run-duplicate' });
  });
});
