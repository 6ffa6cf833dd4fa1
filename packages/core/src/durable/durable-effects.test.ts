/**
 * Effect-free steps in durable runs: their dependents go on while their journal entries are written, so what piles up
 * shares one write; yet nothing is reported and no call with effects is made before the journal holds everything it
 * could rest on, and a lost entry sends the run back to its journal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NonRetryableError } from '../errors/retryable-error.js';
import type { RunEvent } from '../events/run-event.js';
import type { Plan } from '../plan/plan.js';
import type { NewJournalEntry, RunStore } from '../storage/run-store.js';
import { delay, durableKit, intercept, KIT_BACKENDS, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

function chainOf(target: string, length: number): Plan {
  return {
    steps: Array.from({ length }, (_, i) => ({
      id: `s${i}`,
      target,
      input: { x: i === 0 ? { $ref: 'request.x' } : { $ref: `steps.s${i - 1}.output.x` } },
    })),
    output: { $ref: `steps.s${length - 1}.output.x` },
  };
}

/** `pure-add`: an effect-free step that adds one (and notes its step id in `calls`, if given). */
function registerPureAdd(into: Kit, calls?: string[]): void {
  into.registry.register({
    name: 'pure-add',
    description: 'Adds one',
    effects: 'none',
    handler: (i: { x: number }, ctx) => {
      calls?.push(ctx.stepId);
      return { x: i.x + 1 };
    },
  });
}

/** Two effect-free steps, then one with effects that needs both. */
const pureThenPay: Plan = {
  steps: [
    { id: 'a', target: 'pure-add', input: { x: { $ref: 'request.x' } } },
    { id: 'b', target: 'pure-add', input: { x: { $ref: 'steps.a.output.x' } } },
    { id: 'pay', target: 'charge', input: { x: { $ref: 'steps.b.output.x' } } },
  ],
  output: { $ref: 'steps.pay.output.x' },
};

/** Counts journal writes and records which step keys are stored, after a delay that makes the write window wide. */
function watchedAppends(delayMs: number) {
  const watch = {
    writes: 0,
    stored: new Set<string>(),
    failNext: undefined as ((keys: string[]) => boolean) | undefined,
  };
  const keysOf = (entries: readonly NewJournalEntry[]) =>
    entries.flatMap((entry) => (entry.stepKey ? [entry.stepKey] : []));
  const wrap = (store: RunStore) => {
    const appending = intercept(store, 'appendJournal', (original) => async (runId, owner, entries) => {
      watch.writes++;
      if (delayMs > 0) await delay(delayMs);
      const keys = keysOf(entries);
      if (watch.failNext?.(keys)) {
        watch.failNext = undefined;
        throw new Error('the disk hiccuped');
      }
      const written = await original(runId, owner, entries);
      for (const key of keys) watch.stored.add(key);
      return written;
    });
    // The run's last step is stored with its finish.
    return intercept(appending, 'finishRun', (original) => async (runId, owner, result, lastEntries) => {
      const finished = await original(runId, owner, result, lastEntries);
      if (finished) for (const key of keysOf(lastEntries ?? [])) watch.stored.add(key);
      return finished;
    });
  };
  return { watch, wrap };
}

describe.each(KIT_BACKENDS)('effect-free steps in durable runs on %s', (backend) => {
  it('journal every step in order, sharing writes, where steps with effects write one each', async () => {
    kit = await durableKit(backend);
    registerPureAdd(kit);
    const { watch, wrap } = watchedAppends(0);
    const engine = await kit.engine({}, wrap);
    const pure = engine.run(chainOf('pure-add', 30), { x: 0 });
    expect((await pure.result()).output).toBe(30);
    const pureWrites = watch.writes;
    watch.writes = 0;
    const effectful = engine.run(chainOf('add', 30), { x: 0 });
    expect((await effectful.result()).output).toBe(30);
    // One append per step with effects but the last, stored with run-finish and the run's end (as run-start is with
    // the run's creation).
    expect(watch.writes).toBe(29);
    expect(pureWrites).toBeLessThanOrEqual(4);
    const store = kit.stores[0] as RunStore;
    const journal = await store.readJournal(pure.runId);
    expect(journal.map((entry) => entry.stepKey ?? entry.type)).toEqual([
      'run-start',
      ...Array.from({ length: 30 }, (_, i) => `s${i}`),
      'run-finish',
    ]);
    expect(journal[5]?.data).toMatchObject({ output: { x: 5 }, target: 'pure-add@1.0.0' });
    expect(await store.verifyJournal(pure.runId)).toEqual({ ok: true, entries: 32 });
  });

  it('call a step with effects only once every step before it is journaled', async () => {
    kit = await durableKit(backend);
    const { watch, wrap } = watchedAppends(40);
    const seenAtCall: string[][] = [];
    registerPureAdd(kit);
    kit.registry.register({
      name: 'charge',
      description: 'Charges a card',
      handler: (i: { x: number }) => {
        seenAtCall.push([...watch.stored].sort());
        return { x: i.x * 10 };
      },
    });
    const engine = await kit.engine({}, wrap);
    expect((await engine.run(pureThenPay, { x: 1 }).result()).output).toBe(30);
    expect(seenAtCall).toEqual([['a', 'b']]);
  });

  it('deliver no event before the entries written before it are stored, and keep their order', async () => {
    kit = await durableKit(backend);
    const { watch, wrap } = watchedAppends(20);
    registerPureAdd(kit);
    const early: string[] = [];
    const events: RunEvent[] = [];
    const engine = await kit.engine(
      {
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'step-finish' && !watch.stored.has(event.stepId)) early.push(event.stepId);
        },
      },
      wrap,
    );
    const run = engine.run(chainOf('pure-add', 10), { x: 0 });
    await run.result();
    expect(early).toEqual([]);
    const order = events
      .filter((event) => event.type === 'step-start' || event.type === 'step-finish')
      .map((event) => `${event.type}:${'stepId' in event ? event.stepId : ''}`);
    expect(order).toEqual(Array.from({ length: 10 }, (_, i) => [`step-start:s${i}`, `step-finish:s${i}`]).flat());
    expect(events.filter((event) => event.type === 'step-finish')).toHaveLength(10);
  });

  it('restart the run here from its journal when an entry is lost, and finish it once', async () => {
    kit = await durableKit(backend);
    const { watch, wrap } = watchedAppends(0);
    const calls: string[] = [];
    registerPureAdd(kit, calls);
    kit.registry.register({
      name: 'charge',
      description: 'Charges a card',
      handler: (i: { x: number }, ctx) => {
        calls.push(ctx.stepId);
        return { x: i.x * 10 };
      },
    });
    // A long lease and no claim loop: only a restart here, from the journal, can finish the run in time.
    const engine = await kit.engine({ leaseMs: 60_000 }, wrap);
    watch.failNext = (keys) => keys.includes('b');
    const run = engine.run(pureThenPay, { x: 1 });
    expect((await run.result()).output).toBe(30);
    // The batch that held "b" failed: "b" (and "a", if it shared the batch) ran again; "pay" waited and ran once.
    expect(calls.filter((id) => id === 'pay')).toEqual(['pay']);
    expect(calls.filter((id) => id === 'b')).toEqual(['b', 'b']);
    const store = kit.stores[0] as RunStore;
    const journal = await store.readJournal(run.runId);
    const keys = journal.flatMap((entry) => (entry.stepKey ? [entry.stepKey] : []));
    expect(keys).toEqual(['a', 'b', 'pay']);
    expect(await store.verifyJournal(run.runId)).toMatchObject({ ok: true });
    expect((await store.getRun(run.runId))?.status).toBe('succeeded');
  });

  it('fail the step, not the writer, when its output cannot be stored', async () => {
    kit = await durableKit(backend);
    const calls: string[] = [];
    kit.registry.register({
      name: 'ratio',
      description: 'Divides by zero',
      effects: 'none',
      handler: (_input: unknown, ctx) => {
        calls.push(ctx.stepId);
        return { ratio: 0 / 0 };
      },
    });
    kit.registry.register({ name: 'fine', description: 'Answers', effects: 'none', handler: () => ({ ok: 1 }) });
    const engine = await kit.engine({ leaseMs: 60_000 });
    const run = engine.run({
      steps: [
        { id: 'r', target: 'ratio', input: {} },
        { id: 'beside', target: 'fine', input: {} },
      ],
    });
    const error = await run.result().catch((caught) => caught);
    expect(error.message).toContain('cannot be stored as JSON');
    // It names the step and the place in its output.
    expect(error.message).toContain('steps.r.output.ratio: NaN cannot be stored as JSON');
    expect(calls).toEqual(['r']);
    expect((await kit.stores[0]!.getRun(run.runId))?.status).toBe('failed');
    // The step that finished beside it, whose entry would have shared the refused write, is journaled.
    const finished = (await kit.stores[0]!.readJournal(run.runId)).filter((entry) => entry.type === 'step-finish');
    expect(finished.map((entry) => entry.stepKey)).toEqual(['beside']);
  });

  it('hold the dependents of a step that called a target with effects, even if an effect-free fallback answered', async () => {
    kit = await durableKit(backend);
    const { watch, wrap } = watchedAppends(40);
    registerPureAdd(kit);
    kit.registry.register({
      name: 'flaky-charge',
      description: 'Charges a card, then fails',
      handler: () => {
        throw new NonRetryableError('gateway down after charging');
      },
    });
    const seenByNext: boolean[] = [];
    kit.registry.register({
      name: 'look',
      description: 'Reads what is stored',
      effects: 'none',
      handler: () => {
        seenByNext.push(watch.stored.has('first'));
        return {};
      },
    });
    const engine = await kit.engine({}, wrap);
    const plan: Plan = {
      steps: [
        { id: 'first', target: 'flaky-charge', policy: { fallback: ['pure-add'] }, input: { x: 1 } },
        { id: 'next', target: 'look', input: {}, dependsOn: ['first'] },
      ],
    };
    await engine.run(plan).result();
    expect(seenByNext).toEqual([true]);
  });

  it('fail the run when a listener throws on an event held behind the last entries', async () => {
    kit = await durableKit(backend);
    registerPureAdd(kit);
    const engine = await kit.engine({
      onEvent: (event) => {
        if (event.type === 'step-finish' && event.stepId === 's1') throw new Error('dashboard broke');
      },
    });
    const run = engine.run(chainOf('pure-add', 3), { x: 0 });
    const error = await run.result().catch((caught) => caught);
    expect(String(error?.message)).toContain('dashboard broke');
    expect((await kit.stores[0]!.getRun(run.runId))?.status).toBe('failed');
  });

  it("store the last step with the run's finish, and report a listener that throws on it instead of failing the run", async () => {
    kit = await durableKit(backend);
    registerPureAdd(kit);
    const { watch, wrap } = watchedAppends(0);
    const errors: unknown[] = [];
    const events: string[] = [];
    const engine = await kit.engine(
      {
        onError: (error) => errors.push(error),
        onEvent: (event) => {
          events.push(event.type === 'step-finish' ? `step-finish:${event.stepId}` : event.type);
          if (event.type === 'step-finish' && event.stepId === 'charge') throw new Error('dashboard broke');
        },
      },
      wrap,
    );
    const run = engine.run(
      {
        steps: [
          { id: 'a', target: 'pure-add', input: { x: { $ref: 'request.x' } } },
          { id: 'charge', target: 'add', input: { x: { $ref: 'steps.a.output.x' } } },
        ],
        output: { $ref: 'steps.charge.output.x' },
      },
      { x: 0 },
    );
    expect((await run.result()).output).toBe(2);
    // One append (the effect-free step); the step with effects went with the run's finish, told after it.
    expect(watch.writes).toBe(1);
    expect(events.slice(-2)).toEqual(['step-finish:charge', 'run-finish']);
    expect(String((errors[0] as Error | undefined)?.message)).toContain('dashboard broke');
    const store = kit.stores[0] as RunStore;
    expect((await store.getRun(run.runId))?.status).toBe('succeeded');
    const journal = await store.readJournal(run.runId);
    expect(journal.map((entry) => entry.stepKey ?? entry.type)).toEqual(['run-start', 'a', 'charge', 'run-finish']);
    expect(await store.verifyJournal(run.runId)).toEqual({ ok: true, entries: 4 });
  });
});
