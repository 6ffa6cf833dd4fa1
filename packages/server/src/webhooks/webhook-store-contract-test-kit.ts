/**
 * The cases every database runs for registration, the event filter, the outbox's leases and the delivery log
 * (no worker started: nothing here depends on sends).
 */
import { ValidationError } from '@baton/core';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../db/invalid-cursor-error.js';
import { createWebhooks, type Webhooks, type WebhooksOptions } from './create-webhooks.js';
import { deriveWebhookSecret } from './webhook-secret.js';
import { createWebhookStore, deliveryId, type WebhookStore } from './webhook-store.js';
import { WebhookUrlError } from './webhook-url-error.js';
import { TEST_MASTER_KEY, type TestDatabase } from './webhooks-test-kit.js';

const URL_A = 'http://127.0.0.1:9/a';

export function runWebhookStoreCases(name: string, createDatabase: () => Promise<TestDatabase>): void {
  describe(`webhook store on ${name}`, () => {
    let database: TestDatabase;
    let webhooks: Webhooks;
    let store: WebhookStore;
    const instances: Webhooks[] = [];

    async function open(overrides: Partial<WebhooksOptions> = {}): Promise<Webhooks> {
      const { db, dialect } = await database.open();
      const created = createWebhooks({
        db,
        dialect,
        masterKey: TEST_MASTER_KEY,
        allowPrivate: true,
        workerId: 'worker-a',
        ...overrides,
      });
      instances.push(created);
      return created;
    }

    const event = (id: string, type = 'orchestration.completed') => ({ id, type, timestamp: Date.now(), data: { id } });

    beforeEach(async () => {
      database = await createDatabase();
      webhooks = await open();
      const { db, dialect } = await database.open();
      store = createWebhookStore(db, dialect);
    });

    afterEach(async () => {
      for (const instance of instances.splice(0)) await instance.close();
      await database.cleanup();
    });

    it('registers a webhook, shows its secret once, and keeps it to its project', async () => {
      const { webhook, secret } = await webhooks.register('p1', { url: URL_A });
      expect(webhook).toMatchObject({ url: URL_A, events: null });
      expect(webhook.id).toMatch(/^wh_/);
      expect(new Date(webhook.createdAt).toISOString()).toBe(webhook.createdAt);
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(secret).toBe(deriveWebhookSecret(TEST_MASTER_KEY, webhook.id));
      expect(() => new Webhook(secret)).not.toThrow();
      expect(await webhooks.list('p1')).toEqual([webhook]);
      expect(await webhooks.get('p1', webhook.id)).toEqual(webhook);
      expect(await webhooks.list('p2')).toEqual([]);
      expect(await webhooks.get('p2', webhook.id)).toBeUndefined();
      expect(await webhooks.remove('p2', webhook.id)).toBe(false);
      expect(await webhooks.enqueue('p2', event('e1'))).toBe(0);
      expect(await webhooks.deliveries('p2', webhook.id, { limit: 10 })).toEqual({ items: [], nextCursor: null });
      expect(await webhooks.get('p1', webhook.id)).toEqual(webhook);
    });

    it('removes a webhook: gone from list and get, its pending deliveries failed, a second remove false', async () => {
      const { webhook } = await webhooks.register('p1', { url: URL_A, events: ['orchestration.*'] });
      expect(await webhooks.enqueue('p1', event('e1'))).toBe(1);
      expect(await webhooks.remove('p1', webhook.id)).toBe(true);
      expect(await webhooks.get('p1', webhook.id)).toBeUndefined();
      expect(await webhooks.list('p1')).toEqual([]);
      expect(await webhooks.remove('p1', webhook.id)).toBe(false);
      expect(await webhooks.enqueue('p1', event('e2'))).toBe(0);
      const { items } = await webhooks.deliveries('p1', webhook.id, { limit: 10 });
      expect(items).toMatchObject([{ status: 'failed', lastError: 'webhook removed', nextAttemptAt: null }]);
    });

    it('refuses bad URLs and bad event lists at registration, with typed errors', async () => {
      await expect(webhooks.register('p1', { url: 'ftp://example.com/' })).rejects.toSatisfy(
        (error) => WebhookUrlError.isInstance(error) && error.reason === 'scheme',
      );
      const strict = await open({ allowPrivate: false });
      await expect(strict.register('p1', { url: 'http://169.254.169.254/' })).rejects.toSatisfy(
        (error) => WebhookUrlError.isInstance(error) && error.reason === 'private-address',
      );
      for (const events of [[], ['bad type!'], ['a.*.b'], 'orchestration.*']) {
        await expect(webhooks.register('p1', { url: URL_A, events: events as string[] })).rejects.toSatisfy((error) =>
          ValidationError.isInstance(error),
        );
      }
      expect(await webhooks.list('p1')).toEqual([]);
    });

    it('enqueues to the webhooks whose filter matches, exact or wildcard, or only to the ones named', async () => {
      const all = (await webhooks.register('p1', { url: URL_A })).webhook;
      const wildcard = (await webhooks.register('p1', { url: URL_A, events: ['orchestration.*'] })).webhook;
      const exact = (await webhooks.register('p1', { url: URL_A, events: ['orchestration.failed'] })).webhook;
      const star = (await webhooks.register('p1', { url: URL_A, events: ['*'] })).webhook;
      await webhooks.register('p1', { url: URL_A, events: ['service.registered', 'service.removed'] });
      await webhooks.register('p2', { url: URL_A });
      expect(await webhooks.enqueue('p1', event('e1', 'orchestration.completed'))).toBe(3);
      expect(await webhooks.enqueue('p1', event('e2', 'orchestration.failed'))).toBe(4);
      expect(await webhooks.enqueue('p1', event('e3', 'service.removed'))).toBe(3);
      expect(await webhooks.enqueue('p1', event('e4', 'orchestrationx.completed'))).toBe(2);
      expect(await webhooks.enqueue('p1', event('e5', 'orchestration'))).toBe(2);
      expect(await webhooks.enqueue('p1', event('e6'), { webhookIds: [exact.id, wildcard.id] })).toBe(1);
      expect(await webhooks.enqueue('p1', event('e7'), { webhookIds: [] })).toBe(0);
      const wildcardLog = await webhooks.deliveries('p1', wildcard.id, { limit: 10 });
      expect(wildcardLog.items.map((item) => item.eventType).sort()).toEqual([
        'orchestration.completed',
        'orchestration.completed',
        'orchestration.failed',
      ]);
      expect((await webhooks.deliveries('p1', all.id, { limit: 10 })).items).toHaveLength(5);
      expect((await webhooks.deliveries('p1', star.id, { limit: 10 })).items).toHaveLength(5);
    });

    it('gives a repeated event the same delivery id and ignores the repeat', async () => {
      const { webhook } = await webhooks.register('p1', { url: URL_A });
      const again = await open({ workerId: 'worker-b' });
      expect(await webhooks.enqueue('p1', event('evt-1'))).toBe(1);
      expect(await again.enqueue('p1', event('evt-1'))).toBe(0);
      const { items } = await webhooks.deliveries('p1', webhook.id, { limit: 10 });
      expect(items.map((item) => item.id)).toEqual([deliveryId('evt-1', webhook.id)]);
      expect(items[0]).toMatchObject({ status: 'pending', attempts: 0, lastStatusCode: null, deliveredAt: null });
    });

    it('refuses a bad event', async () => {
      await webhooks.register('p1', { url: URL_A });
      for (const bad of [
        { id: '', type: 'a.b', timestamp: 1, data: null },
        { id: 'e', type: 'a b', timestamp: 1, data: null },
        { id: 'e', type: 'a.b', timestamp: Number.NaN, data: null },
        { id: 'e', type: 'a.b', timestamp: 1, data: { big: 1n } },
      ]) {
        await expect(webhooks.enqueue('p1', bad)).rejects.toSatisfy((error) => ValidationError.isInstance(error));
      }
    });

    it('pages the delivery log newest first with an opaque cursor, and refuses a bad cursor or limit', async () => {
      const { webhook } = await webhooks.register('p1', { url: URL_A });
      for (let index = 0; index < 5; index += 1) await webhooks.enqueue('p1', event(`e${index}`));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (const size of [2, 2, 1]) {
        const page = await webhooks.deliveries(
          'p1',
          webhook.id,
          cursor === undefined ? { limit: 2 } : { limit: 2, cursor },
        );
        expect(page.items).toHaveLength(size);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      }
      expect(cursor).toBeUndefined();
      expect(new Set(seen).size).toBe(5);
      const times = (await webhooks.deliveries('p1', webhook.id, { limit: 5 })).items.map((item) => item.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
      for (const bad of [
        'nope!',
        Buffer.from('{"a":1}').toString('base64url'),
        Buffer.from('[1]').toString('base64url'),
      ]) {
        await expect(webhooks.deliveries('p1', webhook.id, { limit: 2, cursor: bad })).rejects.toSatisfy(
          (error) => InvalidCursorError.isInstance(error) && error.cursor === bad,
        );
      }
      for (const limit of [0, 101, 1.5]) {
        await expect(webhooks.deliveries('p1', webhook.id, { limit })).rejects.toSatisfy((error) =>
          ValidationError.isInstance(error),
        );
      }
    });

    it('leases a due delivery to one worker until its lease ends, and drops the attempt of a lost lease', async () => {
      const { webhook } = await webhooks.register('p1', { url: URL_A });
      await webhooks.enqueue('p1', event('e1'));
      const now = Date.now() + 1;
      const first = await store.claimDue('dead', now, 1_000, 10);
      expect(first).toMatchObject([{ webhookId: webhook.id, projectId: 'p1', attempts: 0 }]);
      expect(JSON.parse(first[0]!.payload)).toMatchObject({ type: 'orchestration.completed', data: { id: 'e1' } });
      expect(await store.claimDue('b', now + 999, 1_000, 10)).toEqual([]);
      expect((await store.claimDue('b', now + 1_000, 1_000, 10)).map((row) => row.id)).toEqual([first[0]!.id]);
      expect(
        await store.recordAttempt(first[0]!.id, 'dead', now + 1_001, { result: 'delivered', statusCode: 200 }),
      ).toBe(false);
      const error = 'x'.repeat(2_000);
      const retry = { result: 'retry', nextAttemptAt: now + 5_000, statusCode: 500, error } as const;
      expect(await store.recordAttempt(first[0]!.id, 'b', now + 1_001, retry)).toBe(true);
      const [row] = (await webhooks.deliveries('p1', webhook.id, { limit: 1 })).items;
      expect(row).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
      expect(row!.lastError!.length).toBeLessThanOrEqual(500);
      expect(row!.nextAttemptAt).toBe(new Date(now + 5_000).toISOString());
      expect(await store.claimDue('c', now + 4_999, 1_000, 10)).toEqual([]);
      expect(await store.claimDue('c', now + 5_000, 1_000, 10)).toHaveLength(1);
    });

    it('claims no more than the limit', async () => {
      await webhooks.register('p1', { url: URL_A });
      for (let index = 0; index < 5; index += 1) await webhooks.enqueue('p1', event(`e${index}`));
      const now = Date.now() + 1;
      expect(await store.claimDue('a', now, 60_000, 2)).toHaveLength(2);
      expect(await store.claimDue('b', now, 60_000, 2)).toHaveLength(2);
      expect(await store.claimDue('c', now, 60_000, 2)).toHaveLength(1);
      expect(await store.claimDue('d', now, 60_000, 2)).toHaveLength(0);
    });

    it('hands each due delivery to exactly one of several concurrent claimers', async () => {
      await webhooks.register('p1', { url: URL_A });
      for (let index = 0; index < 20; index += 1) await webhooks.enqueue('p1', event(`e${index}`));
      const stores = [store];
      for (let index = 0; index < 3; index += 1) {
        const { db, dialect } = await database.open();
        stores.push(createWebhookStore(db, dialect));
      }
      const now = Date.now() + 1;
      const claims = await Promise.all(stores.map((each, index) => each.claimDue(`w${index}`, now, 60_000, 8)));
      for (const claim of claims) expect(claim.length).toBeLessThanOrEqual(8);
      const ids = claims.flat().map((row) => row.id);
      expect(new Set(ids).size).toBe(ids.length);
      const rest = await store.claimDue('late', now, 60_000, 100);
      expect(ids.length + rest.length).toBe(20);
    });
  });
}
