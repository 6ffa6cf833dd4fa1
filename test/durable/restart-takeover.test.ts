/**
 * A restarted process takes up at once the runs its earlier life held: a worker under the default engine name is
 * SIGKILLed with calls in flight and a lease of a minute; a new worker on the same SQLite file (another pid, so
 * another name) sees that the process behind the lease is gone and finishes the runs long before the lease lapses,
 * each effect once. A lease held by a live process of this machine is still waited for.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, createRegistry, openStore, type RunStore } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEffects, checkRuns, type SubmittedRun } from './durable-checks.js';
import { plans, registerTargets, type WorkerConfig } from './durable-fixture.js';
import { type EffectLog, openEffectLog } from './effect-log.js';
import { delay, releaseTestResources, sqliteDatabase, startWorker, type TestDatabase } from './worker-process.js';

/** Far longer than the test may take: only the takeover of a gone process's runs can finish them in time. */
const LEASE_MS = 120_000;
const RUNS = 6;

describe('a restart on the same machine', () => {
  let db: TestDatabase | undefined;
  let store: RunStore | undefined;
  let effects: EffectLog | undefined;
  let holdDir: string | undefined;

  afterEach(async () => {
    await releaseTestResources({ store, effects, db, holdDir });
    db = store = effects = holdDir = undefined;
  });

  it("takes up at once the runs of a process that is gone, while a live process's lease is waited for", async () => {
    db = sqliteDatabase();
    holdDir = mkdtempSync(join(tmpdir(), 'baton-hold-'));
    const holdFile = join(holdDir, 'hold');
    writeFileSync(holdFile, '');
    store = await openStore({ url: db.storeUrl });
    effects = await openEffectLog(db.effects);
    const registry = createRegistry();
    registerTargets(registry, { effects, engineId: 'submitter', stepMs: [0, 0] });
    const submitter = createEngine({ registry, store, onError: () => {} });
    const runs: SubmittedRun[] = [];
    for (let x = 0; x < RUNS; x++) runs.push({ id: await submitter.submit(plans.chain, { x }), plan: 'chain', x });

    const config = (engineId: string): WorkerConfig => ({
      storeUrl: db!.storeUrl,
      effects: db!.effects,
      engineId,
      defaultEngineId: true,
      leaseMs: LEASE_MS,
      stepMs: [1, 5],
    });
    const first = startWorker({ ...config('first'), holdFile });
    await first.waitFor('call', 30_000);
    const held = async () =>
      (await store!.listRuns({ status: ['running'] })).filter((run) => run.owner !== null).map((run) => run.owner);
    const [owner] = await held();
    expect(owner).toMatch(/-\d+-[0-9a-f]{8}$/);

    // A second live process does not take the runs: their holder is alive.
    const bystander = startWorker({ ...config('bystander'), holdFile });
    await bystander.waitFor('ready', 30_000);
    bystander.child.kill('SIGTERM');
    expect(await bystander.exited).toBe(0);
    // Had it taken a run, its clean close would have handed it back (no owner).
    expect(new Set(await held())).toEqual(new Set([owner]));
    expect((await store.listRuns({ status: ['running'] })).length).toBeGreaterThan(0);

    await first.kill();
    rmSync(holdFile);
    const second = startWorker({ ...config('second'), exitWhenDone: true });
    const ended = await Promise.race([second.exited, delay(60_000).then(() => 'still running after 60 s')]);
    expect(ended, second.stderr()).toBe(0);

    await checkRuns(store, runs);
    await checkEffects(effects, runs);
    const calls = await effects.invocations();
    expect(calls.some((call) => call.engine === 'first' && call.endedAt === null)).toBe(true);
    expect(calls.some((call) => call.engine === 'second')).toBe(true);
  }, 120_000);
});
