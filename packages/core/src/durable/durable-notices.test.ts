/**
 * What a durable engine says about itself: why it left a run (with the typed error behind it, on `onNotice` and
 * `onError`), which runs wait for another engine's lease and until when, and that an engine restarted under the same
 * id takes its own runs back at once instead of waiting for its old leases to expire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan.js';
import type { RunStore } from '../storage/run-store.js';
import { durableKit, eventually, intercept, type Kit } from './durable-test-kit.js';
import type { EngineNotice } from './engine-notice.js';
import { RunLeftError } from './engine-notice.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

function listening() {
  const notices: EngineNotice[] = [];
  const errors: unknown[] = [];
  return { notices, errors, onNotice: (n: EngineNotice) => notices.push(n), onError: (e: unknown) => errors.push(e) };
}

const oneStep: Plan = { steps: [{ id: 'a', target: 'add', input: { x: 1 } }], output: { $ref: 'steps.a.output.x' } };

describe('a durable engine reports why it left a run', () => {
  it('when its journal kept failing', async () => {
    kit = await durableKit();
    kit.registry.register({ name: 'pure', description: 'Adds one', effects: 'none', handler: () => ({ x: 2 }) });
    const heard = listening();
    const failing = (store: RunStore) =>
      intercept(store, 'appendJournal', (append) => async (runId, owner, entries) => {
        if (entries.some((entry) => entry.stepKey === 'p')) throw new Error('the disk is full');
        return append(runId, owner, entries);
      });
    const engine = await kit.engine({ leaseMs: 60_000, onNotice: heard.onNotice, onError: heard.onError }, failing);
    engine.run({
      steps: [
        { id: 'p', target: 'pure' },
        { id: 'a', target: 'add', input: { x: 1 }, dependsOn: ['p'] },
      ],
    });
    await eventually(() => heard.notices.some((n) => n.type === 'run-detach'), 15_000);
    const detach = heard.notices.find((n) => n.type === 'run-detach');
    expect(detach).toMatchObject({ reason: 'its journal kept failing', error: { message: 'the disk is full' } });
    const left = heard.errors.find(RunLeftError.isInstance);
    expect(left).toMatchObject({ reason: 'its journal kept failing', runId: (detach as { runId: string }).runId });
    expect((left as RunLeftError).cause).toMatchObject({ message: 'the disk is full' });
  });

  it('when the store refused a write', async () => {
    kit = await durableKit();
    const heard = listening();
    const refusing = (store: RunStore) =>
      intercept(store, 'parkRun', () => async () => {
        throw new Error('read-only file system');
      });
    const engine = await kit.engine({ onNotice: heard.onNotice, onError: heard.onError }, refusing);
    const run = engine.run({ steps: [{ id: 'w', wait: { durationMs: 60_000 } }] });
    await eventually(() => heard.notices.some((n) => n.type === 'run-detach'));
    expect(heard.notices.find((n) => n.type === 'run-detach')).toMatchObject({
      runId: run.runId,
      reason: 'the store refused a write',
      error: { message: 'read-only file system' },
    });
    expect(heard.errors.find(RunLeftError.isInstance)).toMatchObject({ runId: run.runId });
  });

  it('when a run it claimed could not be resumed, which it then takes again once the lease lapses', async () => {
    kit = await durableKit();
    const heard = listening();
    let failures = 1;
    const flaky = (store: RunStore) =>
      intercept(store, 'readJournal', (read) => async (runId) => {
        if (failures-- > 0) throw new Error('connection reset');
        return read(runId);
      });
    const submitter = await kit.engine({ engineId: 'submitter' });
    const runId = await submitter.submit(oneStep);
    const engine = await kit.engine({ engineId: 'worker', onNotice: heard.onNotice, onError: heard.onError }, flaky);
    await engine.start();
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(runId))?.status === 'succeeded');
    expect(heard.notices.find((n) => n.type === 'run-detach')).toMatchObject({
      runId,
      reason: 'it could not be resumed here',
      error: { message: 'connection reset' },
    });
    expect(heard.errors.find(RunLeftError.isInstance)).toMatchObject({ runId });
  });

  it('but not when it closes', async () => {
    kit = await durableKit();
    const heard = listening();
    const engine = await kit.engine({ onNotice: heard.onNotice, onError: heard.onError });
    engine.run({ steps: [{ id: 'h', target: 'hold', input: { x: 1 } }] });
    await eventually(() => kit.calls.length === 1);
    await engine.close();
    expect(heard.notices.filter((n) => n.type === 'run-detach')).toMatchObject([{ reason: 'the engine is closing' }]);
    expect(heard.errors).toEqual([]);
  });
});

describe('leases on start', () => {
  it('an engine restarted under the same id resumes the runs its id holds at once', async () => {
    kit = await durableKit();
    const store = await kit.store();
    // What a killed process with this id leaves behind: a run it owns, with a lease a minute long.
    await store.createRun({ id: 'mine', plan: oneStep, request: {}, options: {}, owner: 'same', leaseMs: 60_000 });
    await store.appendJournal('mine', 'same', [{ type: 'run-start', data: { engine: 'same' } }]);
    const engine = await kit.engine({ engineId: 'same', leaseMs: 60_000 });
    await engine.start();
    await eventually(async () => (await store.getRun('mine'))?.status === 'succeeded');
    expect((await store.getRun('mine'))?.output).toBe(2);
  });

  it("says which runs wait for another engine's lease, the holder and when it expires", async () => {
    kit = await durableKit();
    const store = await kit.store();
    const held = await store.createRun({
      id: 'theirs',
      plan: oneStep,
      request: {},
      options: {},
      owner: 'other',
      leaseMs: 60_000,
    });
    const heard = listening();
    const engine = await kit.engine({ engineId: 'me', onNotice: heard.onNotice });
    await engine.start();
    await eventually(() => heard.notices.some((n) => n.type === 'run-lease-wait'));
    expect(heard.notices.filter((n) => n.type === 'run-lease-wait')).toEqual([
      {
        type: 'run-lease-wait',
        runId: 'theirs',
        holder: 'other',
        leaseExpiresAt: held.leaseExpiresAt,
        timestamp: expect.any(Number),
      },
    ]);
    expect((await store.getRun('theirs'))?.status).toBe('running');
  });
});
