/**
 * Crash recovery with real processes. Runs (five-step chains, diamonds, and sagas that fail and compensate) are
 * submitted to a SQLite file or a PostgreSQL schema; worker processes (two at a time) work on them and are SIGKILLed
 * at moments spread over a run's life — before they claim anything, mid-step, right after a step was journaled, and
 * while compensating — and fresh workers (new engines) take over, again and again. Finally one worker runs everything
 * to the end. Every run must end as it should, no finished step or compensation may run again, every side effect must
 * happen once, and at least 20 kills must have cut a call short (the effect log shows a call that never ended).
 */
import { createEngine, createRegistry, openStore, type RunStore } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEffects, checkRuns, expectNoOverlap, type SubmittedRun, stepKeyOf } from './durable-checks.js';
import { plans, registerTargets, type WorkerConfig } from './durable-fixture.js';
import { type EffectLog, openEffectLog } from './effect-log.js';
import {
  delay,
  postgresDatabase,
  randomBetween,
  releaseTestResources,
  sqliteDatabase,
  startWorker,
  type TestDatabase,
} from './worker-process.js';

const RUNS = 24;
/** Long enough that a live worker on a loaded machine keeps its runs; a killed one's come back after it. */
const LEASE_MS = 1000;
/** Where in a worker's life each kill lands, in this proportion; shuffled, and split between two lanes. */
const KILL_POINTS = [
  ...Array<'before-claim'>(4).fill('before-claim'),
  ...Array<'mid-step'>(18).fill('mid-step'),
  ...Array<'after-journal'>(5).fill('after-journal'),
  ...Array<'compensating'>(5).fill('compensating'),
];
type KillPoint = (typeof KILL_POINTS)[number];
const LANES = 2;

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomBetween(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function crashSuite(name: string, database: () => TestDatabase): void {
  describe(`crash recovery on ${name}`, () => {
    let db: TestDatabase | undefined;
    let store: RunStore | undefined;
    let effects: EffectLog | undefined;

    afterEach(async () => {
      await releaseTestResources({ store, effects, db });
      db = store = effects = undefined;
    });

    it(`finishes every run, never re-runs finished work and applies each effect once across ${KILL_POINTS.length} SIGKILLs`, async () => {
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
          const plan = (['chain', 'diamond', 'saga', 'mixed'] as const)[x % 4]!;
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

      const diedAt = new Map<string, number>();
      const pointOf = new Map<string, KillPoint>();
      /** Kills a fresh worker at `point`; a moment that never comes (no saga claimed) kills it after a while anyway. */
      const killAt = async (point: KillPoint, engineId: string) => {
        // Keeps work in the store so that every kill can land on a busy worker.
        if ((await store!.listRuns({ status: ['ready', 'running'], limit: 3 })).length < 3) await submit(6);
        const worker = startWorker(config(engineId));
        const line = { 'mid-step': 'call', 'after-journal': 'step-finish', compensating: 'compensation' } as const;
        if (point === 'before-claim') await delay(randomBetween(0, 600));
        else {
          await worker.waitFor(line[point], 20_000).catch(() => {});
          if (point === 'mid-step') await delay(randomBetween(0, 30));
          if (point === 'compensating') await delay(randomBetween(0, 15));
        }
        await worker.kill();
        diedAt.set(engineId, worker.killedAt!);
        pointOf.set(engineId, point);
      };
      const points = shuffled(KILL_POINTS);
      await Promise.all(
        Array.from({ length: LANES }, async (_, lane) => {
          for (let k = lane; k < points.length; k += LANES) await killAt(points[k]!, `crash-${k}`);
        }),
      );
      const finisher = startWorker({ ...config('finisher'), exitWhenDone: true });
      const code = await Promise.race([finisher.exited, delay(45_000).then(() => 'timeout')]);
      expect(code, finisher.stderr()).toBe(0);

      const finishedAt = await checkRuns(store, runs);
      const byKey = await checkEffects(effects, runs);
      expectNoOverlap(byKey, diedAt);
      const cutShort = new Map<string, number>();
      const compensationCutShort = new Set<string>();
      for (const [key, calls] of byKey) {
        expect(new Set(calls.map((call) => call.engine)).size, `engines that called ${key}`).toBe(calls.length);
        // A step (or compensation) runs again only when the process running it died before it was journaled.
        for (const call of calls.slice(0, -1))
          expect(diedAt.has(call.engine), `${call.engine} re-ran ${key}`).toBe(true);
        for (const call of calls) {
          expect(call.startedAt, `a call of ${key} started after it was journaled`).toBeLessThanOrEqual(
            finishedAt.get(key)!,
          );
          if (call.endedAt === null) {
            expect(diedAt.has(call.engine), `an unfinished call of ${key} by a live engine`).toBe(true);
            cutShort.set(call.engine, (cutShort.get(call.engine) ?? 0) + 1);
            if (call.stepKey.endsWith(':compensate')) compensationCutShort.add(call.engine);
          }
        }
      }
      // An effect after effect-free steps is called only once they are journaled, in whichever life it ran.
      for (const run of runs.filter((submitted) => submitted.plan === 'mixed')) {
        for (const call of byKey.get(stepKeyOf(run.id, 'm4')) ?? []) {
          expect(call.startedAt, `m4 of ${run.id} before m3 was journaled`).toBeGreaterThanOrEqual(
            finishedAt.get(stepKeyOf(run.id, 'm3'))!,
          );
        }
      }
      const byPoint = (point: KillPoint) => [...pointOf].filter(([, at]) => at === point).map(([id]) => id);
      const landed = byPoint('mid-step').filter((id) => cutShort.has(id)).length;
      // Evidence, not a count of attempts: kills after which the log holds a call the killed process never ended.
      expect(cutShort.size, 'kills that landed while a step was in flight').toBeGreaterThanOrEqual(20);
      expect(
        byPoint('compensating').filter((id) => compensationCutShort.has(id)).length,
        'kills that cut a compensation short',
      ).toBeGreaterThan(0);
      const calls = [...byKey.values()].reduce((sum, list) => sum + list.length, 0);
      console.info(
        `${name}: ${runs.length} runs, ${diedAt.size} kills (${cutShort.size} mid-call, ${landed} of ` +
          `${byPoint('mid-step').length} aimed mid-step), ${byKey.size} keys, ${calls} calls, ` +
          `${calls - byKey.size} re-runs`,
      );
    }, 150_000);
  });
}

crashSuite('SQLite', sqliteDatabase);
crashSuite('PostgreSQL', postgresDatabase);
