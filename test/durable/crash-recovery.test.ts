/**
 * Crash recovery with real processes. Runs (five-step chains and diamonds) are submitted to a SQLite file or a
 * PostgreSQL schema; a worker process works on them and is SIGKILLed at a random moment — mostly mid-step, sometimes
 * during start-up, the recovery sweep or a claim — and a fresh worker (a new engine) takes over, again and again.
 * Finally one worker runs everything to the end. Every run must succeed, no finished step may run again, and every
 * side effect must happen once, even for steps that were in flight when their process died.
 */
import { createEngine, createRegistry, openStore, type RunStore } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEffects, checkRuns, type SubmittedRun } from './durable-checks.js';
import { plans, registerTargets, type WorkerConfig } from './durable-fixture.js';
import { type EffectLog, openEffectLog } from './effect-log.js';
import {
  delay,
  killWorkers,
  postgresDatabase,
  randomBetween,
  sqliteDatabase,
  startWorker,
  type TestDatabase,
} from './worker-process.js';

const RUNS = 24;
const KILLS = 22;
const LEASE_MS = 300;

function crashSuite(name: string, database: () => TestDatabase): void {
  describe(`crash recovery on ${name}`, () => {
    let db: TestDatabase | undefined;
    let store: RunStore | undefined;
    let effects: EffectLog | undefined;

    afterEach(async () => {
      await killWorkers();
      await store?.close();
      await effects?.close();
      await db?.dispose();
      db = store = effects = undefined;
    });

    it(`finishes every run, never re-runs a finished step and applies each effect once across ${KILLS} SIGKILLs`, async () => {
      db = database();
      store = await openStore({ url: db.storeUrl, schema: db.schema });
      effects = await openEffectLog(db.effects);
      const registry = createRegistry();
      registerTargets(registry, { effects, engineId: 'submitter', stepMs: [0, 0] });
      const submitter = createEngine({ registry, store, onError: () => {} });
      const runs: SubmittedRun[] = [];
      const submit = async (count: number) => {
        for (let i = 0; i < count; i++) {
          const x = runs.length;
          const plan = x % 3 === 2 ? 'diamond' : 'chain';
          runs.push({ id: await submitter.submit(plans[plan], { x }), plan, x });
        }
      };
      const config = (engineId: string): WorkerConfig => ({
        storeUrl: db!.storeUrl,
        schema: db!.schema,
        effects: db!.effects,
        engineId,
        leaseMs: LEASE_MS,
        maxActiveRuns: 6,
        stepMs: [10, 40],
      });
      await submit(RUNS);

      const killed = new Set<string>();
      let anywhere = 0;
      for (let k = 0; k < KILLS; k++) {
        // Keeps work in the store so that every kill can land on a busy worker.
        if ((await store.listRuns({ status: ['ready', 'running'], limit: 1 })).length === 0) await submit(4);
        const worker = startWorker(config(`crash-${k}`));
        if (k % 4 === 3) {
          anywhere++;
          await delay(randomBetween(0, 1600));
        } else {
          await worker.waitFor('call');
          await delay(randomBetween(0, 150));
        }
        await worker.kill();
        killed.add(worker.engineId);
      }
      const finisher = startWorker({ ...config('finisher'), exitWhenDone: true });
      const code = await Promise.race([finisher.exited, delay(30_000).then(() => 'timeout')]);
      expect(code, finisher.stderr()).toBe(0);

      const finishedAt = await checkRuns(store, runs);
      const byKey = await checkEffects(effects, runs);
      let inFlight = 0;
      for (const [key, calls] of byKey) {
        expect(calls.length, `calls of ${key}`).toBeLessThanOrEqual(1 + killed.size);
        expect(new Set(calls.map((call) => call.engine)).size, `engines that called ${key}`).toBe(calls.length);
        // A step runs again only when the process running it died before its step-finish was written.
        for (const call of calls.slice(0, -1))
          expect(killed.has(call.engine), `${call.engine} re-ran ${key}`).toBe(true);
        for (const call of calls) {
          expect(call.startedAt, `a call of ${key} started after it finished`).toBeLessThanOrEqual(
            finishedAt.get(key)!,
          );
          if (call.endedAt === null) inFlight++;
        }
      }
      const calls = [...byKey.values()].reduce((sum, list) => sum + list.length, 0);
      expect(killed.size).toBeGreaterThanOrEqual(20);
      expect(inFlight, 'kills that landed while a step was running').toBeGreaterThan(0);
      console.info(
        `${name}: ${runs.length} runs, ${killed.size} kills (${anywhere} at any moment), ${byKey.size} steps, ` +
          `${calls} calls, ${calls - byKey.size} re-runs, ${inFlight} calls cut short by a kill`,
      );
    }, 120_000);
  });
}

crashSuite('SQLite', sqliteDatabase);
crashSuite('PostgreSQL', postgresDatabase);
