import { afterEach, describe, expect, it } from 'vitest';
import { NonRetryableError } from '../errors/retryable-error.js';
import type { Plan } from '../plan/plan.js';
import type { Registry } from '../registry/registry.js';
import { durableKit, eventually, intercept, KIT_BACKENDS, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

/**
 * `reserve` (counted, and undone with the life it was undone in), `order` (reserves a and b, undone itself) and `pay`
 * (reserves c, then, while `state.hold` is set, waits for its engine to close, else fails).
 */
function registerSaga(registry: Registry) {
  const reserved: string[] = [];
  const undone: string[] = [];
  const state = { hold: false, holding: false, life: 'first' };
  registry.register({
    name: 'reserve',
    description: 'Reserves an item; undone by releasing it',
    handler: (input: { item: string }) => {
      reserved.push(input.item);
      return { reserved: input.item };
    },
    compensate: (ctx) => void undone.push(`${state.life}:${ctx.stepId}:${(ctx.input as { item: string }).item}`),
  });
  registry.register({
    name: 'order',
    description: 'Reserves two items',
    handler: async (_input, ctx) => {
      await ctx.call('reserve', { item: 'a' });
      await ctx.call('reserve', { item: 'b' });
      return { ordered: true };
    },
    compensate: (ctx) => void undone.push(`${state.life}:${ctx.stepId}`),
  });
  registry.register({
    name: 'pay',
    description: 'Reserves c, then fails',
    handler: async (_input, ctx) => {
      await ctx.call('reserve', { item: 'c' });
      if (state.hold) {
        state.holding = true;
        await new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
        );
      }
      throw new NonRetryableError('card declined');
    },
  });
  return { reserved, undone, state };
}

const plan: Plan = {
  steps: [
    { id: 'order', target: 'order' },
    { id: 'pay', target: 'pay', dependsOn: ['order'] },
  ],
};

const UNDONE_IN_ORDER = ['pay#call-1', 'order#call-2', 'order#call-1', 'order'];

async function compensationsOf(kit: Kit, runId: string, type: 'compensation-finish' | 'compensation-fail') {
  const journal = await kit.stores[0]!.readJournal(runId);
  return journal.filter((entry) => entry.type === type).map((entry) => entry.stepKey);
}

describe.each(KIT_BACKENDS)('durable compensation of sub-calls on %s', (backend) => {
  it('journals the compensation of each sub-call under its sub-step key, before its step', async () => {
    kit = await durableKit(backend);
    const { undone } = registerSaga(kit.registry);
    const engine = await kit.engine({ defaults: { retry: false } });
    const run = engine.run(plan);
    await expect(run.result()).rejects.toThrow(/card declined/);
    expect(undone).toEqual(['first:pay#call-1:c', 'first:order#call-2:b', 'first:order#call-1:a', 'first:order']);
    expect(await compensationsOf(kit, run.runId, 'compensation-finish')).toEqual(UNDONE_IN_ORDER);
    const journal = await kit.stores[0]!.readJournal(run.runId);
    const finished = journal.find((entry) => entry.type === 'sub-call-finish' && entry.stepKey === 'order');
    expect(finished?.data).toMatchObject({
      id: 'call-1',
      compensable: { stepId: 'order#call-1', input: { item: 'a' }, within: 'order', after: [] },
    });
  });

  it('undoes, once each, the sub-calls of an earlier life when the resumed run fails', async () => {
    kit = await durableKit(backend);
    const { reserved, undone, state } = registerSaga(kit.registry);
    state.hold = true;
    const first = await kit.engine({ engineId: 'first', defaults: { retry: false } });
    const run = first.run(plan);
    await eventually(() => state.holding);
    await first.close();
    state.hold = false;
    state.life = 'second';
    const second = await kit.engine({ engineId: 'second', defaults: { retry: false } });
    await second.start();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'failed');
    // c was replayed when pay ran again: reserved once, undone once.
    expect(reserved).toEqual(['a', 'b', 'c']);
    expect(undone).toEqual(['second:pay#call-1:c', 'second:order#call-2:b', 'second:order#call-1:a', 'second:order']);
    expect(await compensationsOf(kit, run.runId, 'compensation-finish')).toEqual(UNDONE_IN_ORDER);
  });

  it('goes on after a crash mid-compensation without undoing again what was journaled as undone', async () => {
    kit = await durableKit(backend);
    const { undone, state } = registerSaga(kit.registry);
    // The first engine "dies" as it journals the compensation of order#call-1: nothing it writes from then on is kept.
    let dead = false;
    let left = false;
    const dying = await kit.engine(
      {
        engineId: 'dying',
        compensationTtlMs: 50,
        defaults: { retry: false },
        onNotice: (notice) => {
          left ||= notice.type === 'run-detach';
        },
      },
      (store) => {
        const deadly = intercept(store, 'appendJournal', (append) => async (runId, owner, entries) => {
          dead ||= entries.some((entry) => entry.type === 'compensation-finish' && entry.stepKey === 'order#call-1');
          if (dead) throw new Error('process killed');
          return append(runId, owner, entries);
        });
        return intercept(deadly, 'addFailedCompensation', (add) => async (compensation) => {
          if (dead) throw new Error('process killed');
          return add(compensation);
        });
      },
    );
    const run = dying.run(plan);
    // It tries order#call-1 again until its TTL, fails to record that, and leaves the run to its lease.
    await eventually(() => left);
    expect(await compensationsOf(kit, run.runId, 'compensation-finish')).toEqual(['pay#call-1', 'order#call-2']);
    state.life = 'heir';
    const heir = await kit.engine({ engineId: 'heir', defaults: { retry: false } });
    await heir.start();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'failed');
    expect(undone.filter((entry) => entry.startsWith('heir:'))).toEqual(['heir:order#call-1:a', 'heir:order']);
    expect(undone.filter((entry) => entry.includes('order#call-2') || entry.includes('pay#call-1'))).toHaveLength(2);
    expect(await compensationsOf(kit, run.runId, 'compensation-finish')).toEqual(UNDONE_IN_ORDER);
    expect(await kit.stores[0]!.listFailedCompensations({ runId: run.runId })).toEqual([]);
  });

  it('records a sub-call whose compensation failed for good under its sub-step key', async () => {
    kit = await durableKit(backend);
    registerSaga(kit.registry);
    kit.registry.register({
      name: 'reserve',
      version: '2.0.0',
      description: 'Reserves an item that cannot be released',
      handler: (input: { item: string }) => ({ reserved: input.item }),
      compensate: () => {
        throw new NonRetryableError('the warehouse lost the booking');
      },
    });
    const engine = await kit.engine({ compensationTtlMs: 50, defaults: { retry: false } });
    const run = engine.run(plan);
    await expect(run.result()).rejects.toThrow(/card declined/);
    const failed = await engine.failedCompensations({ runId: run.runId });
    expect(failed.map((entry) => [entry.stepKey, entry.target]).sort()).toEqual([
      ['order#call-1', 'reserve@2.0.0'],
      ['order#call-2', 'reserve@2.0.0'],
      ['pay#call-1', 'reserve@2.0.0'],
    ]);
    expect((await compensationsOf(kit, run.runId, 'compensation-fail')).sort()).toEqual([
      'order#call-1',
      'order#call-2',
      'pay#call-1',
    ]);
    expect(await compensationsOf(kit, run.runId, 'compensation-finish')).toEqual(['order']);
  });
});
