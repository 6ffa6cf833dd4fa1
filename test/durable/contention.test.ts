/**
 * Contention with real processes: three worker processes (three engines) share one PostgreSQL schema and claim the
 * 300 short runs the test submits. Every run must complete exactly once — one `run-finish`, one `step-finish` per
 * step, each side effect once — the engines must share the work, and no step may run in two places at the same time.
 */
import { createEngine, createRegistry, openStore, type RunStore } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEffects, checkRuns, type SubmittedRun } from './durable-checks.js';
import { plans, registerTargets } from './durable-fixture.js';
import { type EffectLog, openEffectLog } from './effect-log.js';
import { delay, killWorkers, postgresDatabase, startWorker, type TestDatabase } from './worker-process.js';

const RUNS = 300;
const ENGINES = 3;

describe('three engine processes on one PostgreSQL database', () => {
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

  it(`complete ${RUNS} runs exactly once between them`, async () => {
    db = postgresDatabase();
    store = await openStore({ url: db.storeUrl, schema: db.schema });
    effects = await openEffectLog(db.effects);
    const workers = Array.from({ length: ENGINES }, (_, i) =>
      startWorker({
        storeUrl: db!.storeUrl,
        schema: db!.schema,
        effects: db!.effects,
        engineId: `engine-${i}`,
        // Long leases: with no crash, no run may change hands, so every step runs exactly once.
        leaseMs: 10_000,
        maxActiveRuns: 16,
        stepMs: [1, 6],
      }),
    );
    await Promise.all(workers.map((worker) => worker.waitFor('ready')));

    const registry = createRegistry();
    registerTargets(registry, { effects, engineId: 'submitter', stepMs: [0, 0] });
    const submitter = createEngine({ registry, store, onError: () => {} });
    const runs: SubmittedRun[] = [];
    for (let batch = 0; batch < RUNS; batch += 30) {
      const ids = await Promise.all(
        Array.from({ length: 30 }, (_, i) => submitter.submit(plans.short, { x: batch + i })),
      );
      runs.push(...ids.map((id, i) => ({ id, plan: 'short' as const, x: batch + i })));
    }

    const until = Date.now() + 60_000;
    let finished = 0;
    while (finished < RUNS && Date.now() < until) {
      await delay(200);
      finished = (await store.listRuns({ status: ['succeeded', 'failed', 'cancelled'] })).length;
    }
    expect(finished, workers.map((worker) => worker.stderr()).join('\n')).toBe(RUNS);
    for (const worker of workers) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual(workers.map(() => 0));

    await checkRuns(store, runs);
    const byKey = await checkEffects(effects, runs);
    const stepsByEngine = new Map<string, number>();
    const enginesByRun = new Map<string, Set<string>>();
    for (const [key, calls] of byKey) {
      expect(calls, `calls of ${key}`).toHaveLength(1);
      const ordered = [...calls].sort((a, b) => a.startedAt - b.startedAt);
      for (let i = 1; i < ordered.length; i++) {
        expect(ordered[i]!.startedAt, `two calls of ${key} at once`).toBeGreaterThanOrEqual(ordered[i - 1]!.endedAt!);
      }
      for (const call of calls) {
        expect(call.endedAt, `the call of ${key} ended`).not.toBeNull();
        stepsByEngine.set(call.engine, (stepsByEngine.get(call.engine) ?? 0) + 1);
        enginesByRun.set(call.runId, (enginesByRun.get(call.runId) ?? new Set()).add(call.engine));
      }
    }
    // A run stays with the engine that claimed it.
    for (const [runId, engines] of enginesByRun) expect(engines.size, `engines of run ${runId}`).toBe(1);
    expect(stepsByEngine.size, 'engines that did some work').toBeGreaterThanOrEqual(2);
    console.info(`steps by engine: ${JSON.stringify(Object.fromEntries([...stepsByEngine].sort()))}`);
  }, 120_000);
});
