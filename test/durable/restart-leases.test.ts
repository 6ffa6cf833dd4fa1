/**
 * Restarts that used to leave runs waiting, with real processes killed by SIGKILL: a run parked on a day-long timer
 * with a short deadline, whose engine is killed, is failed at its deadline by the next engine and its finished step
 * undone; and a process restarted under the engine id of a killed one resumes that id's runs at once, not after the
 * minute-long leases the dead process held.
 */
import { type JournalEntry, openStore, type RunStore } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerConfig } from './durable-fixture.js';
import { type EffectLog, openEffectLog } from './effect-log.js';
import {
  delay,
  postgresDatabase,
  releaseTestResources,
  sqliteDatabase,
  startWorker,
  type TestDatabase,
} from './worker-process.js';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await delay(50);
  }
}

const typesOf = (journal: JournalEntry[]) => journal.map((e) => `${e.type}${e.stepKey ? `:${e.stepKey}` : ''}`);

function restartSuite(name: string, database: () => TestDatabase): void {
  describe(`restarts on ${name}`, () => {
    let db: TestDatabase | undefined;
    let store: RunStore | undefined;
    let effects: EffectLog | undefined;

    afterEach(async () => {
      await releaseTestResources({ store, effects, db });
      db = store = effects = undefined;
    });

    async function setUp() {
      db = database();
      store = await openStore({ url: db.storeUrl, schema: db.schema });
      effects = await openEffectLog(db.effects);
      const config = (engineId: string, leaseMs: number): WorkerConfig => ({
        storeUrl: db!.storeUrl,
        schema: db!.schema,
        effects: db!.effects,
        engineId,
        leaseMs,
        parkAfterMs: 100,
        stepMs: [5, 15],
      });
      return { store, effects, config };
    }

    it('fails a parked run at its deadline after its engine was killed, and undoes its finished step', async () => {
      const { store, effects, config } = await setUp();
      const first = startWorker({
        ...config('first', 1000),
        runs: [{ plan: 'longWait', runId: 'late', request: { x: 1 }, deadlineMs: 1500 }],
      });
      await first.waitFor('ready');
      await eventually(async () => (await store.getRun('late'))?.status === 'waiting', 'the run is parked');
      await first.kill();
      const second = startWorker({ ...config('second', 1000), exitWhenDone: true });
      // Without the deadline as its wake time the run would wait a day for its timer.
      expect(await second.exited, second.stderr()).toBe(0);
      const run = await store.getRun('late');
      expect(run).toMatchObject({ status: 'failed', error: { code: 'timeout', scope: 'run', timeoutMs: 1500 } });
      expect(typesOf(await store.readJournal('late'))).toEqual([
        'run-start',
        'step-finish:before',
        'timer-set:nap',
        'run-park',
        'run-fail',
        'compensation-finish:before',
      ]);
      const calls = (await effects.invocations()).map((call) => `${call.stepKey}@${call.engine}`);
      expect(calls).toEqual(['before@first', 'before:compensate@second']);
    }, 30_000);

    it('resumes at once the runs of a killed process restarted under the same engine id', async () => {
      const { store, config } = await setUp();
      // A minute-long lease: waiting it out would outlast the test.
      const first = startWorker({
        ...config('same', 60_000),
        stepMs: [100, 200],
        runs: [{ plan: 'chain', runId: 'mine', request: { x: 1 } }],
      });
      await first.waitFor('step-finish');
      await first.kill();
      expect((await store.getRun('mine'))?.status).toBe('running');
      const again = startWorker({ ...config('same', 60_000), exitWhenDone: true });
      expect(await again.exited, again.stderr()).toBe(0);
      expect(await store.getRun('mine')).toMatchObject({ status: 'succeeded', output: 6 });
    }, 30_000);
  });
}

restartSuite('SQLite', sqliteDatabase);
restartSuite('PostgreSQL', postgresDatabase);
