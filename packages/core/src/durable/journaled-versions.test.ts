import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan.js';
import type { JournalEntry } from '../storage/run-store.js';
import { durableKit, eventually, KIT_BACKENDS, type Kit } from './durable-test-kit.js';
import { locksFromJournal, VERSION_LOCK_ENTRY } from './journaled-versions.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

/** Registers `writer@version`, which records its calls in the kit's list. */
function writer(k: Kit, version: string): void {
  k.registry.register({
    name: 'writer',
    description: 'Writes with its version',
    version,
    handler: (input: { x: number }, ctx) => {
      k.calls.push(`writer@${version}:${ctx.stepId}`);
      return { x: input.x, version };
    },
  });
}

const plan: Plan = {
  steps: [
    { id: 'one', target: 'add', input: { x: { $ref: 'request.x' } } },
    { id: 'two', target: 'hold', input: { x: { $ref: 'steps.one.output.x' } } },
    { id: 'three', target: 'writer@^1', input: { x: { $ref: 'steps.two.output.x' } } },
  ],
  output: { $ref: 'steps.three.output.version' },
};

const shape = (journal: readonly JournalEntry[]) => journal.map((e) => `${e.type}${e.stepKey ? `:${e.stepKey}` : ''}`);

describe.each(KIT_BACKENDS)('version locks of durable runs on %s', (backend) => {
  it('resumes a stopped run on a new engine at the versions it locked, though a newer one is registered', async () => {
    kit = await durableKit(backend);
    writer(kit, '1.0.0');
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run(plan, { x: 1 });
    await eventually(() => kit.calls.length === 2);
    await first.close();
    writer(kit, '1.1.0');
    const second = await kit.engine({ engineId: 'second' });
    kit.release();
    await second.start();
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(run.runId))?.status === 'succeeded');
    expect((await store.getRun(run.runId))?.output).toBe('1.0.0');
    expect(kit.calls.filter((c) => c.startsWith('writer'))).toEqual(['writer@1.0.0:three']);
    const journal = await store.readJournal(run.runId);
    expect(journal[0]?.data).toMatchObject({
      engine: 'first',
      versions: { three: { ref: 'writer@^1', target: 'writer@1.0.0' } },
    });
    expect(locksFromJournal(journal).three?.target).toBe('writer@1.0.0');
    // A run started now locks the newer version.
    expect((await second.run(plan, { x: 1 }).result()).output).toBe('1.1.0');
  });

  it('journals a fallback lock before the fallback is called', async () => {
    kit = await durableKit(backend);
    writer(kit, '1.0.0');
    kit.registry.register({
      name: 'broken',
      description: 'Always fails',
      handler: () => {
        throw new Error('down for good');
      },
    });
    const engine = await kit.engine();
    const fallbackPlan: Plan = {
      steps: [{ id: 'write', target: 'broken', input: { x: 1 }, policy: { retry: false, fallback: 'writer@^1' } }],
    };
    const run = engine.run(fallbackPlan);
    expect((await run.result()).versions?.['write#fallback-1']?.target).toBe('writer@1.0.0');
    const journal = await kit.stores[0]!.readJournal(run.runId);
    expect(shape(journal)).toEqual(['run-start', VERSION_LOCK_ENTRY, 'step-finish:write', 'run-finish']);
    expect(journal[1]?.data).toEqual({
      versions: { 'write#fallback-1': { ref: 'writer@^1', target: 'writer@1.0.0' } },
    });
  });

  it('reads a journal written before locks existed, and locks what is left when it resumes it', async () => {
    kit = await durableKit(backend);
    writer(kit, '1.0.0');
    const store = await kit.store();
    const runId = 'written-before-locks';
    await store.createRun({ id: runId, plan, request: { x: 1 }, options: {}, owner: 'gone', leaseMs: 1 });
    await store.appendJournal(runId, 'gone', [{ type: 'run-start', data: { engine: 'gone' } }]);
    expect(locksFromJournal(await store.readJournal(runId))).toEqual({});
    const engine = await kit.engine({ engineId: 'heir' });
    kit.release();
    await engine.start();
    await eventually(async () => (await store.getRun(runId))?.status === 'succeeded');
    const journal = await store.readJournal(runId);
    expect(shape(journal).slice(0, 2)).toEqual(['run-start', VERSION_LOCK_ENTRY]);
    expect(locksFromJournal(journal).three).toEqual({ ref: 'writer@^1', target: 'writer@1.0.0' });
    expect((await store.getRun(runId))?.output).toBe('1.0.0');
  });
});
