/**
 * Small reproductions of two bugs the process tests found, kept so they stay fixed: an engine holding `maxActiveRuns`
 * runs while more were claimable spun in its claim loop and starved its own timers (on SQLite, forever — so that case
 * runs in a worker process the test can kill); and a crash between journaling `run-finish` and recording it on the
 * run made the next engine journal a second `run-finish`.
 */
import { createEngine, createRegistry, type Engine, openStore, type Plan, type RunStore } from '@baton/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { plans } from './durable-fixture.js';
import { delay, killWorkers, sqliteDatabase, startWorker, type TestDatabase } from './worker-process.js';

const registry = createRegistry();
registry.register({
  name: 'nap',
  description: 'Sleeps a little, on a timer',
  handler: () => delay(10).then(() => 1),
});
// Submitting only validates plans here; the worker process has the real `effect` target.
registry.register({ name: 'effect', description: 'Stands in for the worker target', handler: () => ({ x: 0 }) });
const plan: Plan = { steps: [{ id: 'a', target: 'nap' }] };

describe('durable engine regressions', () => {
  let db: TestDatabase | undefined;
  const stores: RunStore[] = [];
  const engines: Engine[] = [];

  afterEach(async () => {
    await killWorkers();
    for (const engine of engines.splice(0)) await engine.close();
    for (const store of stores.splice(0)) await store.close();
    await db?.dispose();
    db = undefined;
  });

  async function engineOn(url: string, options: { engineId: string; maxActiveRuns?: number }) {
    const store = await openStore({ url });
    stores.push(store);
    const engine = createEngine({ registry, store, leaseMs: 300, onError: () => {}, ...options });
    engines.push(engine);
    return { store, engine };
  }

  it('keeps finishing runs when it holds as many as maxActiveRuns and more are waiting', async () => {
    db = sqliteDatabase();
    const { engine } = await engineOn(db.storeUrl, { engineId: 'submitter' });
    for (let x = 0; x < 4; x++) await engine.submit(plans.chain, { x });
    const worker = startWorker({
      storeUrl: db.storeUrl,
      effects: db.effects,
      engineId: 'full',
      leaseMs: 1000,
      maxActiveRuns: 1,
      stepMs: [1, 3],
      exitWhenDone: true,
    });
    const code = await Promise.race([worker.exited, delay(15_000).then(() => 'still running')]);
    expect(code, worker.stderr()).toBe(0);
  });

  it('journals run-finish once when the process died after journaling it but before the run was marked finished', async () => {
    db = sqliteDatabase();
    const first = await engineOn(db.storeUrl, { engineId: 'first' });
    const run = first.engine.run(plan);
    await run.result();
    // What SIGKILL right after the run-finish append leaves behind: the entry is there, the run still looks owned.
    const raw = new Database(db.storeUrl);
    raw.prepare("UPDATE baton_runs SET status = 'running', lease_expires_at = 0, finished_at = NULL").run();
    raw.close();
    const second = await engineOn(db.storeUrl, { engineId: 'second' });
    await second.engine.start();
    const until = Date.now() + 5000;
    while ((await second.store.getRun(run.runId))?.status !== 'succeeded' && Date.now() < until) await delay(20);
    expect((await second.store.getRun(run.runId))?.output).toEqual({ a: 1 });
    const journal = await second.store.readJournal(run.runId);
    expect(journal.map((entry) => entry.type)).toEqual(['run-start', 'step-finish', 'run-finish']);
    expect(await second.store.verifyJournal(run.runId)).toEqual({ ok: true, entries: 3 });
  });
});
