/**
 * Contention and takeover with real processes: three worker processes (three engines, short leases) share one
 * PostgreSQL schema and claim the short runs the test submits; a quarter of the way through, one of them is
 * SIGKILLed and the other two take over its runs once its leases expire. Every run must complete exactly once — one
 * `run-finish`, one `step-finish` per step, each side effect once — no step may run in two places at the same time
 * (a killed call counts as running until its process is gone), and only the killed engine's runs may change hands.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, createRegistry, openStore, type RunStore } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEffects, checkRuns, expectNoOverlap, type SubmittedRun } from './durable-checks.js';
import { plans, registerTargets } from './durable-fixture.js';
import { type EffectLog, type Invocation, openEffectLog } from './effect-log.js';
import {
  delay,
  postgresDatabase,
  releaseTestResources,
  startWorker,
  type TestDatabase,
  type WorkerProcess,
} from './worker-process.js';

const RUNS = 240;
const ENGINES = 3;
/** Short, so the killed engine's runs come back soon; long enough that a live engine on a loaded machine keeps its. */
const LEASE_MS = 1500;

describe('three engine processes on one PostgreSQL database', () => {
  let db: TestDatabase | undefined;
  let store: RunStore | undefined;
  let effects: EffectLog | undefined;
  let holdDir: string | undefined;

  afterEach(async () => {
    await releaseTestResources({ store, effects, db, holdDir });
    db = store = effects = holdDir = undefined;
  });

  it(`complete ${RUNS} runs exactly once between them, taking over the runs of one that is SIGKILLed`, async () => {
    db = postgresDatabase();
    holdDir = mkdtempSync(join(tmpdir(), 'baton-hold-'));
    const holdFile = join(holdDir, 'hold');
    store = await openStore({ url: db.storeUrl, schema: db.schema });
    effects = await openEffectLog(db.effects);
    const workers = Array.from({ length: ENGINES }, (_, i) =>
      startWorker({
        storeUrl: db!.storeUrl,
        schema: db!.schema,
        effects: db!.effects,
        engineId: `engine-${i}`,
        leaseMs: LEASE_MS,
        maxActiveRuns: 16,
        stepMs: i === 0 ? [20, 60] : [1, 6],
        // The one to be killed holds its calls open once the hold file exists, so the kill finds calls in flight.
        ...(i === 0 ? { holdFile } : {}),
      }),
    );
    await Promise.all(workers.map((worker) => worker.waitFor('ready', 30_000)));

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

    const finishedCount = async () => (await store!.listRuns({ status: ['succeeded', 'failed', 'cancelled'] })).length;
    const until = Date.now() + 90_000;
    let finished = 0;
    const [victim, ...survivors] = workers as [WorkerProcess, ...WorkerProcess[]];
    // A call the hold will keep open: one that began after the hold file was written (a call that looked for the file
    // just before may still end before the kill).
    let heldFrom = Number.POSITIVE_INFINITY;
    const busy = async () =>
      (await effects!.invocations()).some(
        (call) => call.engine === victim.engineId && call.endedAt === null && call.startedAt > heldFrom,
      );
    while (finished < RUNS / 4 && Date.now() < until) {
      await delay(20);
      finished = await finishedCount();
    }
    // From now on the victim's calls stay open: wait until one of them has started, then kill.
    heldFrom = Date.now();
    writeFileSync(holdFile, '');
    while (!(await busy()) && Date.now() < until) await delay(20);
    // Mid-way, with calls in flight on it: the others must take its runs over once its leases expire.
    await victim.kill();
    const diedAt = new Map([[victim.engineId, victim.killedAt!]]);
    while (finished < RUNS && Date.now() < until) {
      await delay(200);
      finished = await finishedCount();
    }
    expect(finished, survivors.map((worker) => worker.stderr()).join('\n')).toBe(RUNS);
    for (const worker of survivors) worker.child.kill('SIGTERM');
    expect(await Promise.all(survivors.map((worker) => worker.exited))).toEqual(survivors.map(() => 0));

    await checkRuns(store, runs);
    const byKey = await checkEffects(effects, runs);
    expectNoOverlap(byKey, diedAt);
    const killedAt = victim.killedAt!;
    const stepsByEngine = new Map<string, number>();
    const callsByRun = new Map<string, Invocation[]>();
    let cutShort = 0;
    for (const [key, calls] of byKey) {
      const ordered = [...calls].sort((a, b) => a.startedAt - b.startedAt);
      // A step runs twice only when the killed engine ran it and died before journaling it; the second call comes
      // from another engine, after the death (`expectNoOverlap`).
      expect(ordered.length, `calls of ${key}`).toBeLessThanOrEqual(2);
      if (ordered.length === 2) {
        expect(ordered[0]!.engine, `the first call of ${key}`).toBe(victim.engineId);
        expect(ordered[1]!.engine, `the second call of ${key}`).not.toBe(victim.engineId);
      }
      for (const call of ordered) {
        if (call.endedAt === null) {
          expect(call.engine, `an unfinished call of ${key}`).toBe(victim.engineId);
          cutShort++;
        }
        stepsByEngine.set(call.engine, (stepsByEngine.get(call.engine) ?? 0) + 1);
        callsByRun.set(call.runId, [...(callsByRun.get(call.runId) ?? []), call]);
      }
    }
    let takenOver = 0;
    for (const [runId, calls] of callsByRun) {
      const engines = new Set(calls.map((call) => call.engine));
      if (engines.size === 1) continue;
      // Only the killed engine's runs change hands, once, to one engine, and only after it died.
      expect(engines.size, `engines of run ${runId}`).toBe(2);
      expect(engines.has(victim.engineId), `run ${runId} changed hands between live engines`).toBe(true);
      for (const call of calls) {
        if (call.engine === victim.engineId) expect(call.startedAt).toBeLessThanOrEqual(killedAt);
        else expect(call.startedAt, `a call of run ${runId} before its engine died`).toBeGreaterThanOrEqual(killedAt);
      }
      takenOver++;
    }
    expect(cutShort, 'calls the kill cut short').toBeGreaterThan(0);
    expect(takenOver, 'runs taken over from the killed engine').toBeGreaterThan(0);
    expect(stepsByEngine.size, 'engines that did some work').toBe(ENGINES);
    console.info(
      `steps by engine: ${JSON.stringify(Object.fromEntries([...stepsByEngine].sort()))}; ` +
        `${takenOver} runs taken over, ${cutShort} calls cut short`,
    );
  }, 150_000);
});
