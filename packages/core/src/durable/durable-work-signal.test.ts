/**
 * A durable engine on PostgreSQL whose LISTEN connection is cut: it says so (a `work-signal-lost` notice, the typed
 * error on `onError`), keeps polling, retries, and says when the channel is back.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine/engine.js';
import { createRegistry } from '../registry/registry.js';
import { openStore } from '../storage/open-store.js';
import type { RunStore } from '../storage/run-store.js';
import { StorageUnreachableError } from '../storage/storage-errors.js';
import { type CuttableProxy, cuttableProxy, POSTGRES_TEST_URL } from '../storage/tcp-proxy-kit.js';
import { eventually } from './durable-test-kit.js';
import type { EngineNotice } from './engine-notice.js';

describe('the wake-up channel of a durable engine on PostgreSQL', () => {
  const schema = `baton_w_${randomBytes(6).toString('hex')}`;
  let proxy: CuttableProxy | undefined;
  let store: RunStore | undefined;
  let engine: Engine | undefined;

  afterEach(async () => {
    await engine?.close();
    await store?.close();
    await proxy?.close();
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
  });

  it('is reported when lost, retried, and reported when back', async () => {
    proxy = await cuttableProxy();
    store = await openStore({ url: proxy.url, schema, poolSize: 2 });
    const notices: EngineNotice[] = [];
    const errors: unknown[] = [];
    engine = createEngine({
      registry: createRegistry(),
      store,
      onNotice: (notice) => notices.push(notice),
      onError: (error) => errors.push(error),
    });
    await engine.start();
    // Listening: the claim loop's first wait opened the channel.
    await eventually(async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await admin.connect();
      const listening = await admin
        .query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND query LIKE $1", [`%${schema}%`])
        .finally(() => admin.end());
      return listening.rowCount === 1;
    });
    proxy.cut();
    await eventually(() => notices.some((n) => n.type === 'work-signal-lost'));
    expect(notices.find((n) => n.type === 'work-signal-lost')).toMatchObject({
      attempt: 1,
      retryInMs: 250,
      error: { code: 'storage-unreachable' },
    });
    expect(errors.some(StorageUnreachableError.isInstance)).toBe(true);
    proxy.restore();
    await eventually(() => notices.some((n) => n.type === 'work-signal-recovered'), 15_000);
    expect(notices.find((n) => n.type === 'work-signal-recovered')).toMatchObject({
      downMs: expect.any(Number),
      attempts: expect.any(Number),
    });
  }, 30_000);
});
