/**
 * A durable run's deadline and time budget wake it like a timer: parked on a long wait, it is stored with the
 * earlier of the two as its wake time, and whichever engine claims it then fails it with the deadline's error — and
 * undoes the steps of every earlier life, as every way a failed run ends must.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { Plan } from '../plan/plan.js';
import type { RunStore } from '../storage/run-store.js';
import { durableKit, eventually, KIT_BACKENDS, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

const DAY = 86_400_000;

/** A step to undo, then a wait of a day: the run parks right after `a`. */
const longWait: Plan = {
  steps: [
    { id: 'a', target: 'add', input: { x: 1 } },
    { id: 'w', wait: { durationMs: DAY }, dependsOn: ['a'] },
  ],
};

const parked = (store: RunStore, runId: string) => async () => (await store.getRun(runId))?.status === 'waiting';

async function journalOf(store: RunStore, runId: string): Promise<string[]> {
  return (await store.readJournal(runId)).map((e) => `${e.type}${e.stepKey ? `:${e.stepKey}` : ''}`);
}

describe.each(KIT_BACKENDS)('the deadline of a parked run on %s', (backend) => {
  it('is its wake time when it comes before its timers; the engine then fails it and compensates', async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine();
    await engine.start();
    const run = engine.run(longWait, {}, { deadline: 400 });
    const store = kit.stores[0]!;
    await eventually(parked(store, run.runId));
    const stored = await store.getRun(run.runId);
    const deadlineAt = (stored!.options as { deadline: { at: number } }).deadline.at;
    expect(stored?.wakeAt).toBe(deadlineAt);
    const error = await run.result().catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ scope: 'run', timeoutMs: 400 });
    expect(kit.undone).toEqual([{ step: 'a', payload: undefined, reason: 'timeout' }]);
    expect(await journalOf(store, run.runId)).toEqual([
      'run-start',
      'step-finish:a',
      'timer-set:w',
      'run-park',
      'run-fail',
      'compensation-finish:a',
    ]);
    expect(await store.getRun(run.runId)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
  });

  it('is kept when the engine that parked it is gone: another engine claims it at the deadline', async () => {
    kit = await durableKit(backend);
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run(longWait, {}, { deadline: 400 });
    const store = kit.stores[0]!;
    await eventually(parked(store, run.runId));
    await first.close();
    const second = await kit.engine({ engineId: 'second' });
    await second.start();
    await eventually(async () => (await store.getRun(run.runId))?.status === 'failed');
    expect(kit.undone.map((undo) => undo.step)).toEqual(['a']);
    expect(await journalOf(store, run.runId)).toContain('compensation-finish:a');
    expect(await kit.engines[1]!.failedCompensations({ runId: run.runId })).toEqual([]);
  });

  it("is the run's time budget too, when that ends first", async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine();
    await engine.start();
    const run = engine.run(longWait, {}, { budget: { timeMs: 400 } });
    const store = kit.stores[0]!;
    await eventually(parked(store, run.runId));
    const stored = await store.getRun(run.runId);
    expect(stored?.wakeAt).toBe(stored!.createdAt + 400);
    const error = await run.result().catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ budget: 'timeMs', scope: 'run' });
    expect(kit.undone.map((undo) => undo.step)).toEqual(['a']);
  });
});

describe.each(KIT_BACKENDS)(
  'every failure of a run resumed from the store compensates its earlier steps on %s',
  (backend) => {
    /** `a`, then an approval beside a long wait: the approval's outcome ends the run after it was parked. */
    const approvalBeside: Plan = {
      steps: [
        { id: 'a', target: 'add', input: { x: 1 } },
        { id: 'ok', approval: { prompt: 'Go?', expiresInMs: 300 }, dependsOn: ['a'] },
        { id: 'w', wait: { durationMs: DAY }, dependsOn: ['a'] },
      ],
    };

    async function parkedRun(plan: Plan) {
      kit = await durableKit(backend);
      const first = await kit.engine({ engineId: 'first' });
      const run = first.run(plan);
      const store = kit.stores[0]!;
      await eventually(parked(store, run.runId));
      await first.close();
      const second = await kit.engine({ engineId: 'second' });
      return { runId: run.runId, store, second };
    }

    async function expectUndone(store: RunStore, runId: string, status: 'failed' | 'cancelled', code: string) {
      await eventually(async () => (await store.getRun(runId))?.status === status);
      expect((await store.getRun(runId))?.error).toMatchObject({ code });
      expect(kit.undone.map((undo) => undo.step)).toEqual(['a']);
      expect(await journalOf(store, runId)).toContain('compensation-finish:a');
    }

    it('when its approval expired while it was parked', async () => {
      const { runId, store, second } = await parkedRun(approvalBeside);
      await second.start();
      await expectUndone(store, runId, 'failed', 'approval-expired');
    });

    it('when its approval was rejected while it was parked', async () => {
      const { runId, store, second } = await parkedRun(approvalBeside);
      const [approval] = await second.approvals({ runId });
      await second.reject(approval!.id, 'not now');
      await second.start();
      await expectUndone(store, runId, 'failed', 'approval-rejected');
    });

    it('when it was cancelled while it was parked', async () => {
      const { runId, store, second } = await parkedRun(longWait);
      await second.cancel(runId, 'changed my mind');
      await second.start();
      await expectUndone(store, runId, 'cancelled', 'cancelled');
    });
  },
);
