import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhooks } from './create-webhooks.js';
import { runWebhookDeliveryCases } from './webhook-delivery-contract-test-kit.js';
import { runWebhookStoreCases } from './webhook-store-contract-test-kit.js';
import {
  type Receiver,
  sqliteTestDatabase,
  startReceiver,
  TEST_MASTER_KEY,
  type TestDatabase,
} from './webhooks-test-kit.js';

runWebhookStoreCases('SQLite', async () => sqliteTestDatabase());
runWebhookDeliveryCases('SQLite', async () => sqliteTestDatabase());

describe('webhook secrets in the SQLite file', () => {
  let database: TestDatabase | undefined;
  let target: Receiver | undefined;

  afterEach(async () => {
    await target?.close();
    await database?.cleanup();
  });

  it('stores neither the secret, its key bytes nor the master key', async () => {
    database = sqliteTestDatabase();
    target = await startReceiver();
    const { db, dialect } = await database.open();
    const webhooks = createWebhooks({ db, dialect, masterKey: TEST_MASTER_KEY, allowPrivate: true, workerId: 'w' });
    const { webhook, secret } = await webhooks.register('p1', { url: `${target.origin}/hook` });
    webhooks.start();
    await webhooks.enqueue('p1', { id: 'e1', type: 'orchestration.completed', timestamp: Date.now(), data: {} });
    await vi.waitFor(async () => {
      const { items } = await webhooks.deliveries('p1', webhook.id, { limit: 1 });
      expect(items[0]?.status).toBe('delivered');
    }, 15_000);
    await webhooks.close();
    const directory = dirname(database.path!);
    const files = readdirSync(directory).map((name) => readFileSync(join(directory, name)));
    expect(files.length).toBeGreaterThan(0);
    const keyBase64 = secret.slice('whsec_'.length);
    const needles = [
      Buffer.from(secret),
      Buffer.from(keyBase64),
      Buffer.from(keyBase64, 'base64'),
      Buffer.from(TEST_MASTER_KEY),
      Buffer.from(Buffer.from(TEST_MASTER_KEY).toString('base64')),
      Buffer.from(Buffer.from(TEST_MASTER_KEY).toString('hex')),
    ];
    expect(Buffer.concat(files).includes(Buffer.from(webhook.id))).toBe(true);
    for (const bytes of files) {
      for (const needle of needles) expect(bytes.includes(needle)).toBe(false);
    }
  });
});
