/**
 * Approvals and durable timers across a real restart. A worker process starts two runs that each park on an approval
 * and a 1.5 s timer; it is SIGKILLed while they wait. Run A is approved from the test process while no engine is
 * alive; a fresh worker then resumes both, keeps the timers the dead process set, and finishes run B once the test
 * approves it while the new worker holds it parked.
 */
import { createEngine, createRegistry, type JournalEntry, openStore, type RunStore } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { registerTargets, type WorkerConfig } from './durable-fixture.js';
import { type EffectLog, openEffectLog } from './effect-log.js';
import {
  delay,
  postgresDatabase,
  releaseTestResources,
  sqliteDatabase,
  startWorker,
  type TestDatabase,
  type WorkerProcess,
} from './worker-process.js';

const ofType = (journal: JournalEntry[], type: string, stepKey?: string) =>
  journal.filter((entry) => entry.type === type && (stepKey === undefined || entry.stepKey === stepKey));

/** Waits until `check` holds; on timeout the error says `what`, and what `state` tells of the runs and the worker. */
async function eventually(
  check: () => Promise<boolean>,
  what: string,
  state: () => Promise<string>,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}\n${await state()}`);
    await delay(50);
  }
}

function pausesSuite(name: string, database: () => TestDatabase): void {
  describe(`approvals and timers after a restart on ${name}`, () => {
    let db: TestDatabase | undefined;
    let store: RunStore | undefined;
    let effects: EffectLog | undefined;

    afterEach(async () => {
      await releaseTestResources({ store, effects, db });
      db = store = effects = undefined;
    });

    it('resumes approved runs in a new process and fires timers the dead process set, not before their time', async () => {
      db = database();
      store = await openStore({ url: db.storeUrl, schema: db.schema });
      effects = await openEffectLog(db.effects);
      const registry = createRegistry();
      registerTargets(registry, { effects, engineId: 'approver', stepMs: [0, 0] });
      // Not started: it only decides approvals, as another process would.
      const approver = createEngine({ registry, store, onError: () => {} });
      const config = (engineId: string): WorkerConfig => ({
        storeUrl: db!.storeUrl,
        schema: db!.schema,
        effects: db!.effects,
        engineId,
        leaseMs: 400,
        parkAfterMs: 200,
        stepMs: [5, 15],
      });
      const [a, b] = ['run-a', 'run-b'];
      const first = startWorker({
        ...config('first'),
        runs: [
          { plan: 'pauses', runId: a, request: { x: 1 } },
          { plan: 'pauses', runId: b, request: { x: 10 } },
        ],
      });
      await first.waitFor('ready');
      const parked = async (runId: string) => {
        const journal = await store!.readJournal(runId);
        const run = await store!.getRun(runId);
        return run?.status === 'waiting' && ofType(journal, 'timer-set').length === 1;
      };
      let worker: WorkerProcess = first;
      const state = async () => {
        const told: string[] = [];
        for (const runId of [a, b]) {
          const run = await store!.getRun(runId);
          const types = (await store!.readJournal(runId)).map((entry) => `${entry.type}:${entry.stepKey ?? ''}`);
          told.push(`${runId}: ${run?.status} owner ${run?.owner} wakeAt ${run?.wakeAt}; journal ${types.join(' ')}`);
        }
        return `${told.join('\n')}\n${worker.name} (alive: ${worker.alive}) wrote to stderr:\n${worker.stderr()}`;
      };
      await eventually(async () => (await parked(a)) && (await parked(b)), 'both runs are parked', state);
      await first.kill();
      const killedAt = Date.now();

      const [approvalA] = await approver.approvals({ runId: a, status: 'pending' });
      expect(approvalA).toMatchObject({ stepKey: 'ok', prompt: 'Go on with 2?', data: { x: 2 } });
      await approver.approve(approvalA!.id, { x: 100 });

      const second = startWorker(config('second'));
      worker = second;
      await second.waitFor('ready');
      await eventually(async () => (await store!.getRun(a))?.status === 'succeeded', 'run A succeeds', state);
      // Run B's timer fires in the new process; then it parks on its approval until the test decides it.
      await eventually(
        async () => ofType(await store!.readJournal(b), 'step-finish', 'nap').length === 1,
        "run B's timer fires",
        state,
      );
      const [approvalB] = await approver.approvals({ runId: b, status: 'pending' });
      await approver.approve(approvalB!.id, { x: 20 });
      await eventually(async () => (await store!.getRun(b))?.status === 'succeeded', 'run B succeeds', state);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      for (const [runId, approved] of [
        [a, 100],
        [b, 20],
      ] as const) {
        const run = await store.getRun(runId);
        const journal = await store.readJournal(runId);
        const [timer, ...moreTimers] = ofType(journal, 'timer-set', 'nap');
        expect(moreTimers, `timers set by run ${runId}`).toEqual([]);
        expect(timer!.createdAt, 'the timer was set by the killed process').toBeLessThan(killedAt);
        const fireAt = (timer!.data as { fireAt: number }).fireAt;
        const output = run!.output as { x: number; firedAt: number };
        expect(output).toEqual({ x: approved + 1, firedAt: expect.any(Number) });
        expect(output.firedAt, 'fired no earlier than set').toBeGreaterThanOrEqual(fireAt);
        expect(ofType(journal, 'approval-request'), `approval requests of ${runId}`).toHaveLength(1);
        expect(
          ofType(journal, 'step-finish')
            .map((entry) => entry.stepKey)
            .sort(),
        ).toEqual(['after', 'before', 'nap', 'ok']);
        expect(ofType(journal, 'run-finish')).toHaveLength(1);
        expect(await store.verifyJournal(runId)).toEqual({ ok: true, entries: journal.length });
      }
      const calls = (await effects.invocations()).map((call) => `${call.runId}:${call.stepKey}:${call.engine}`).sort();
      // `before` finished before the kill and never ran again; `after` ran once, in the new process.
      expect(calls).toEqual([`${a}:after:second`, `${a}:before:first`, `${b}:after:second`, `${b}:before:first`]);
      expect((await effects.effects()).map((effect) => effect.key)).toHaveLength(4);
    }, 60_000);
  });
}

pausesSuite('SQLite', sqliteDatabase);
pausesSuite('PostgreSQL', postgresDatabase);
