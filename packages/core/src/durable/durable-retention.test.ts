import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_DEFAULTS } from '../storage/open-store.js';
import { durableKit, eventually, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

const count = (url: string, sql: string) => {
  const database = new Database(url, { readonly: true });
  try {
    return Number((database.prepare(sql).get() as { n: number }).n);
  } finally {
    database.close();
  }
};

describe('retention', () => {
  it('keeps finished runs 30 days by default', () => {
    expect(STORE_DEFAULTS.retentionMs).toBe(30 * 24 * 60 * 60 * 1000);
  });

  it('a started engine purges finished runs past retentionMs — journal, blobs, approvals — and keeps unfinished ones', async () => {
    kit = await durableKit();
    kit.registry.register({
      name: 'big',
      description: 'Returns more than the blob threshold',
      handler: () => ({ text: 'x'.repeat(2000) }),
    });
    const engine = await kit.engine({ purgeIntervalMs: 100 }, undefined, {
      retentionMs: 1000,
      blobThresholdBytes: 1000,
    });
    await engine.start();
    const finished = engine.run({ steps: [{ id: 'b', target: 'big' }] });
    const rejected = engine.run({ steps: [{ id: 'ok', approval: { prompt: 'Go?' } }] });
    const parked = engine.run({ steps: [{ id: 'ok', approval: { prompt: 'Later?' } }] });
    await finished.result();
    expect(count(kit.url, 'SELECT count(*) AS n FROM baton_blobs')).toBeGreaterThan(0);
    await eventually(async () => (await engine.approvals({ status: 'pending' })).length === 2);
    const [toReject] = await engine.approvals({ runId: rejected.runId });
    await engine.reject(toReject!.id, 'no');
    await rejected.result().catch(() => {});
    const store = kit.stores[0]!;
    await eventually(async () => (await store.getRun(finished.runId)) === undefined, 5000);
    await eventually(async () => (await store.getRun(rejected.runId)) === undefined, 5000);
    for (const runId of [finished.runId, rejected.runId]) {
      expect(await store.readJournal(runId)).toEqual([]);
      expect(await store.listApprovals({ runId })).toEqual([]);
    }
    // The blob outlives the run by the grace period (the retention, when shorter than an hour), then goes too.
    await eventually(() => count(kit.url, 'SELECT count(*) AS n FROM baton_blobs') === 0, 5000);
    expect((await store.getRun(parked.runId))?.status).toBe('waiting');
    expect(await store.listApprovals({ runId: parked.runId })).toHaveLength(1);
    expect((await store.readJournal(parked.runId)).length).toBeGreaterThan(0);
  });

  it('purges with the 30-day default when no retention is set', async () => {
    kit = await durableKit();
    const first = await kit.engine({ engineId: 'first' });
    const store = kit.stores[0]!;
    const ids: string[] = [];
    for (let index = 0; index < 2; index++) {
      const run = first.run({ steps: [{ id: 'a', target: 'add', input: { x: index } }] });
      await run.result();
      ids.push(run.runId);
    }
    const day = 24 * 60 * 60 * 1000;
    const raw = new Database(kit.url);
    const age = raw.prepare('UPDATE baton_runs SET finished_at = ? WHERE id = ?');
    age.run(Date.now() - 29 * day, ids[0]);
    age.run(Date.now() - 31 * day, ids[1]);
    raw.close();
    const purger = await kit.engine({ engineId: 'purger' });
    await purger.start();
    await eventually(async () => (await store.getRun(ids[1]!)) === undefined);
    expect((await store.getRun(ids[0]!))?.status).toBe('succeeded');
  });
});
