import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../errors/cancelled-error.js';
import type { RunEvent } from '../events/run-event.js';
import type { Plan } from '../plan/plan.js';
import { durableKit, eventually, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

const parksAtApproval: Plan = {
  steps: [
    { id: 'a', target: 'add', input: { x: 1 } },
    { id: 'b', target: 'add', input: { x: { $ref: 'steps.a.output.x' } } },
    { id: 'ok', approval: { prompt: 'Go?' }, dependsOn: ['b'] },
  ],
};

const holds: Plan = {
  steps: [
    { id: 'one', target: 'add', input: { x: 1 } },
    { id: 'two', target: 'hold', input: { x: { $ref: 'steps.one.output.x' } } },
  ],
};

describe('cancelling a durable run that is not executing here', () => {
  it('cancels a parked run from its handle: the engine that claims it compensates and ends it cancelled', async () => {
    kit = await durableKit();
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run(parksAtApproval);
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(run.runId))?.status === 'waiting');
    // Parked, its handle shows the step it waits on as running, not as cancelled.
    await eventually(async () => run.snapshot().steps.ok?.startedAt !== undefined);
    expect(run.snapshot().steps.ok?.status).toBe('running');
    const events: RunEvent[] = [];
    const second = await kit.engine({ engineId: 'second', onEvent: (event) => events.push(event) });
    await second.start();
    run.cancel('the customer left');
    const error = await run.result().catch((caught) => caught);
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(error.message).toContain('the customer left');
    expect(await store.getRun(run.runId)).toMatchObject({ status: 'cancelled', cancelRequested: 'the customer left' });
    expect(kit.undone.map((undo) => [undo.step, undo.reason])).toEqual([
      ['b', 'cancelled'],
      ['a', 'cancelled'],
    ]);
    const journal = await store.readJournal(run.runId);
    expect(journal.filter((entry) => entry.type === 'run-fail').map((entry) => entry.data)).toMatchObject([
      { status: 'cancelled', error: { code: 'cancelled' } },
    ]);
    expect(journal.filter((entry) => entry.type === 'compensation-finish').map((entry) => entry.stepKey)).toEqual([
      'b',
      'a',
    ]);
    expect(await second.verifyJournal(run.runId)).toEqual({ ok: true, entries: journal.length });
    expect(events.filter((event) => event.runId === run.runId).map((event) => event.type)).toContain('run-cancel');
    // The steps that finished before the cancel never ran again.
    expect(kit.calls.filter((call) => call.startsWith('add:'))).toHaveLength(2);
    // Nobody waits for its approval any more: it is withdrawn, and a late decision is refused.
    const [approval] = await store.listApprovals({ runId: run.runId });
    expect(approval).toMatchObject({ status: 'withdrawn', decidedAt: expect.any(Number) });
    expect(await store.listApprovals({ status: 'pending' })).toEqual([]);
    await expect(second.approve(approval!.id)).rejects.toMatchObject({
      problems: [{ path: 'approvalId', code: 'already-decided', message: 'it is withdrawn already' }],
    });
  });

  it('cancels from its handle a run told of as waiting for approval, while it parks', async () => {
    kit = await durableKit();
    const engine = await kit.engine({ engineId: 'only' });
    await engine.start();
    const run = engine.run(parksAtApproval);
    // The cancel comes as the run is told of its approval: the step has asked and the run is on its way to park.
    for await (const event of run) {
      if (event.type === 'approval-request') {
        run.cancel('changed my mind');
        break;
      }
    }
    const error = await run.result().catch((caught) => caught);
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(error.message).toContain('changed my mind');
    const store = kit.stores[0]!;
    expect(await store.getRun(run.runId)).toMatchObject({ status: 'cancelled' });
    expect(kit.undone.map((undo) => undo.step)).toEqual(['b', 'a']);
    expect((await store.listApprovals({ runId: run.runId })).map((approval) => approval.status)).toEqual(['withdrawn']);
  });

  it('refuses a decision on an approval whose run ended before it could be withdrawn', async () => {
    kit = await durableKit();
    const engine = await kit.engine();
    const run = engine.run(parksAtApproval);
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(run.runId))?.status === 'waiting');
    const [approval] = await store.listApprovals({ runId: run.runId });
    // As if an engine died between finishing the run and withdrawing its approvals.
    const raw = new Database(kit.url);
    raw
      .prepare("UPDATE baton_runs SET status = 'failed', owner = NULL, finished_at = ? WHERE id = ?")
      .run(Date.now(), run.runId);
    raw.close();
    expect((await store.getApproval(approval!.id))?.status).toBe('pending');
    await expect(engine.approve(approval!.id)).rejects.toMatchObject({
      problems: [{ path: 'approvalId', code: 'run-finished', message: expect.stringContaining('failed') }],
    });
    expect((await store.getApproval(approval!.id))?.status).toBe('pending');
  });

  it('cancels a run by id from an engine that never had its handle, and refuses unknown and finished runs', async () => {
    kit = await durableKit();
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run(parksAtApproval);
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(run.runId))?.status === 'waiting');
    const operator = await kit.engine({ engineId: 'operator' });
    expect(operator.getRun(run.runId)).toBeUndefined();
    await operator.cancel(run.runId, 'by id');
    await operator.start();
    const error = await run.result().catch((caught) => caught);
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(await store.getRun(run.runId)).toMatchObject({ status: 'cancelled', cancelRequested: 'by id' });
    expect(kit.undone.map((undo) => undo.step)).toEqual(['b', 'a']);
    await expect(operator.cancel(run.runId)).rejects.toMatchObject({
      problems: [{ path: 'runId', code: 'run-finished', message: 'it is cancelled already' }],
    });
    await expect(operator.cancel('no-such-run')).rejects.toMatchObject({ code: 'not-found' });
    await expect(operator.cancel('')).rejects.toMatchObject({ problems: [{ path: 'runId', code: 'type' }] });
  });

  it('cancels a parked run from another store instance (another process) while no engine is running', async () => {
    kit = await durableKit();
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run(parksAtApproval);
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(run.runId))?.status === 'waiting');
    await first.close();
    const elsewhere = await kit.store();
    expect(await elsewhere.requestCancel(run.runId, 'operator')).toBe(true);
    expect((await store.getRun(run.runId))?.status).toBe('ready');
    const heir = await kit.engine({ engineId: 'heir' });
    await heir.start();
    await eventually(async () => (await store.getRun(run.runId))?.status === 'cancelled');
    expect(kit.undone.map((undo) => undo.step).sort()).toEqual(['a', 'b']);
    expect(await elsewhere.requestCancel(run.runId, 'again')).toBe(false);
  });

  it('stops a run executing in another engine at its next heartbeat', async () => {
    kit = await durableKit();
    const events: RunEvent[] = [];
    let journaledFirst: string[] = [];
    const worker = await kit.engine({
      engineId: 'worker',
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'step-cancel')
          void kit.stores[0]!.readJournal(event.runId).then((journal) => {
            journaledFirst = journal.map((entry) => entry.type);
          });
      },
    });
    const run = worker.run(holds);
    await eventually(() => kit.calls.some((call) => call.startsWith('hold:')));
    const elsewhere = await kit.store();
    const requestedAt = Date.now();
    expect(await elsewhere.requestCancel(run.runId, 'no longer needed')).toBe(true);
    const error = await run.result().catch((caught) => caught);
    // The lease is 300 ms, renewed every 100 ms: the worker notices within a heartbeat or two.
    expect(Date.now() - requestedAt).toBeLessThan(1500);
    expect(CancelledError.isInstance(error)).toBe(true);
    expect((await elsewhere.getRun(run.runId))?.status).toBe('cancelled');
    expect(kit.undone.map((undo) => [undo.step, undo.reason])).toEqual([['one', 'cancelled']]);
    // The step it cut short is told it ended, once its end is stored, and before the run's compensation and end.
    const told = events.filter((event) => event.runId === run.runId).map((event) => event.type);
    expect(told.slice(told.indexOf('step-cancel'))).toEqual([
      'step-cancel',
      'compensation-start',
      'compensation-finish',
      'run-cancel',
    ]);
    expect(events.find((event) => event.type === 'step-cancel')).toMatchObject({
      stepId: 'two',
      reason: 'no longer needed',
    });
    await eventually(() => journaledFirst.length > 0);
    expect(journaledFirst).toContain('run-fail');
  });
});
