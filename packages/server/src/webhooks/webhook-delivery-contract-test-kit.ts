/**
 * The cases every database runs for the delivery worker, against a local receiver (so `allowPrivate` is on unless a
 * case is about refusing). Waits are on conditions, never on elapsed time.
 */
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebhooks, type Webhooks, type WebhooksOptions } from './create-webhooks.js';
import type { DeliveryOutcome } from './delivery-worker.js';
import { createWebhookStore } from './webhook-store.js';
import type { DeliveryView } from './webhook-views.js';
import {
  type Receiver,
  type ReceiverReply,
  startReceiver,
  TEST_MASTER_KEY,
  type TestDatabase,
} from './webhooks-test-kit.js';

const WAIT = { timeout: 15_000, interval: 10 };

export function runWebhookDeliveryCases(name: string, createDatabase: () => Promise<TestDatabase>): void {
  describe(`webhook delivery on ${name}`, () => {
    let database: TestDatabase;
    const instances: Webhooks[] = [];
    const receivers: Receiver[] = [];

    beforeEach(async () => {
      database = await createDatabase();
    });

    afterEach(async () => {
      for (const instance of instances.splice(0)) await instance.close();
      for (const receiver of receivers.splice(0)) await receiver.close();
      await database.cleanup();
    });

    async function open(overrides: Partial<WebhooksOptions> = {}): Promise<Webhooks> {
      const { db, dialect } = await database.open();
      const created = createWebhooks({
        db,
        dialect,
        masterKey: TEST_MASTER_KEY,
        allowPrivate: true,
        workerId: 'worker-a',
        retryDelaysMs: [0, 0],
        pollIntervalMs: 20,
        timeoutMs: 5_000,
        ...overrides,
      });
      instances.push(created);
      return created;
    }

    async function receiver(reply?: (request: Receiver['requests'][number], index: number) => ReceiverReply) {
      const started = await startReceiver(reply);
      receivers.push(started);
      return started;
    }

    const event = (id: string, type = 'orchestration.completed') => ({
      id,
      type,
      timestamp: Date.UTC(2026, 0, 2, 3, 4, 5),
      data: { orchestrationId: id },
    });

    async function settled(webhooks: Webhooks, projectId: string, webhookId: string): Promise<DeliveryView> {
      return vi.waitFor(async () => {
        const [latest] = (await webhooks.deliveries(projectId, webhookId, { limit: 1 })).items;
        expect(latest?.status).toMatch(/^(delivered|failed)$/);
        return latest!;
      }, WAIT);
    }

    it('delivers a signed Standard Webhooks request that the receiver verifies', async () => {
      const target = await receiver();
      const outcomes: DeliveryOutcome[] = [];
      const webhooks = await open({ onDelivery: (outcome) => outcomes.push(outcome) });
      const { webhook, secret } = await webhooks.register('p1', { url: `${target.origin}/hook?x=1` });
      webhooks.start();
      expect(await webhooks.enqueue('p1', event('e1'))).toBe(1);
      const delivery = await settled(webhooks, 'p1', webhook.id);
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null });
      expect(delivery.deliveredAt).not.toBeNull();
      expect(delivery.nextAttemptAt).toBeNull();
      const [request] = target.requests;
      expect(request!.path).toBe('/hook?x=1');
      expect(request!.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'Baton-Webhooks/1',
        'webhook-id': delivery.id,
      });
      expect(new Webhook(secret).verify(request!.body, request!.headers)).toEqual({
        type: 'orchestration.completed',
        timestamp: '2026-01-02T03:04:05.000Z',
        data: { orchestrationId: 'e1' },
      });
      const otherSecret = (await webhooks.register('p1', { url: `${target.origin}/other` })).secret;
      expect(() => new Webhook(otherSecret).verify(request!.body, request!.headers)).toThrow();
      await vi.waitFor(
        () =>
          expect(outcomes).toEqual([
            { webhookId: webhook.id, deliveryId: delivery.id, result: 'delivered', statusCode: 204 },
          ]),
        WAIT,
      );
    });

    it('connects to the address the lookup gave for a host name, keeping the name in the Host header', async () => {
      const target = await receiver();
      const port = new URL(target.origin).port;
      const asked: string[] = [];
      const lookup = async (hostname: string) => {
        asked.push(hostname);
        return [{ address: '127.0.0.1', family: 4 }];
      };
      const webhooks = await open({ lookup });
      const { webhook } = await webhooks.register('p1', { url: `http://hooks.baton.invalid:${port}/hook` });
      webhooks.start();
      await webhooks.enqueue('p1', event('e1'));
      expect(await settled(webhooks, 'p1', webhook.id)).toMatchObject({ status: 'delivered' });
      expect(target.requests[0]!.headers.host).toBe(`hooks.baton.invalid:${port}`);
      expect(asked).toEqual(['hooks.baton.invalid', 'hooks.baton.invalid']);
    });

    it('retries after failures and logs every attempt, without the secret or the master key', async () => {
      const target = await receiver((_request, index) => ({ status: index < 2 ? 500 : 200 }));
      const outcomes: string[] = [];
      const lines: string[] = [];
      const logger = {
        info: (obj: object, msg?: string) => lines.push(`info ${msg} ${JSON.stringify(obj)}`),
        warn: (obj: object, msg?: string) => lines.push(`warn ${msg} ${JSON.stringify(obj)}`),
      };
      const webhooks = await open({ onDelivery: (outcome) => outcomes.push(outcome.result), logger });
      const { webhook, secret } = await webhooks.register('p1', { url: `${target.origin}/hook` });
      webhooks.start();
      await webhooks.enqueue('p1', event('e1'));
      const delivery = await settled(webhooks, 'p1', webhook.id);
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null });
      await vi.waitFor(() => expect(outcomes).toEqual(['retry', 'retry', 'delivered']), WAIT);
      expect(new Set(target.requests.map((request) => request.headers['webhook-id']))).toEqual(new Set([delivery.id]));
      const attempts = await vi.waitFor(() => {
        const logged = lines.filter((line) => line.includes(delivery.id));
        expect(logged).toHaveLength(3);
        return logged;
      }, WAIT);
      expect(attempts[0]).toMatch(/^warn .*"attempt":1.*"error":"HTTP 500"/);
      expect(attempts[2]).toMatch(/^info webhook delivered .*"attempt":3/);
      const log = lines.join('\n');
      expect(log).not.toContain(secret);
      expect(log).not.toContain(secret.slice('whsec_'.length));
      expect(log).not.toContain(Buffer.from(TEST_MASTER_KEY).toString('base64'));
      expect(log).not.toContain(Buffer.from(TEST_MASTER_KEY).toString('hex'));
    });

    it('fails a delivery for good after the last retry', async () => {
      const target = await receiver(() => ({ status: 503 }));
      const webhooks = await open({ retryDelaysMs: [0] });
      const { webhook } = await webhooks.register('p1', { url: `${target.origin}/hook` });
      webhooks.start();
      await webhooks.enqueue('p1', event('e1'));
      const delivery = await settled(webhooks, 'p1', webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: 503, lastError: 'HTTP 503' });
      expect(delivery.deliveredAt).toBeNull();
      expect(target.requests).toHaveLength(2);
    });

    it('does not follow a redirect and counts it as a failure', async () => {
      let origin = '';
      const target = await receiver((request) =>
        request.path === '/hook' ? { status: 302, headers: { location: `${origin}/elsewhere` } } : { status: 200 },
      );
      origin = target.origin;
      const webhooks = await open({ retryDelaysMs: [] });
      const { webhook } = await webhooks.register('p1', { url: `${target.origin}/hook` });
      webhooks.start();
      await webhooks.enqueue('p1', event('e1'));
      const delivery = await settled(webhooks, 'p1', webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 302 });
      expect(delivery.lastError).toContain('redirect');
      expect(target.requests.map((request) => request.path)).toEqual(['/hook']);
    });

    it('counts a receiver that never answers as a failed attempt once the timeout passes', async () => {
      const target = await receiver(() => 'hang');
      const webhooks = await open({ retryDelaysMs: [], timeoutMs: 200 });
      const { webhook } = await webhooks.register('p1', { url: `${target.origin}/hook` });
      webhooks.start();
      await webhooks.enqueue('p1', event('e1'));
      const delivery = await settled(webhooks, 'p1', webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
      expect(delivery.lastError).toBe('no response within 200 ms');
    });

    it('records a connection failure as the attempt error', async () => {
      const target = await receiver();
      const closedOrigin = target.origin;
      await target.close();
      const webhooks = await open({ retryDelaysMs: [] });
      const { webhook } = await webhooks.register('p1', { url: `${closedOrigin}/hook` });
      webhooks.start();
      await webhooks.enqueue('p1', event('e1'));
      const delivery = await settled(webhooks, 'p1', webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
      expect(delivery.lastError).toContain('ECONNREFUSED');
    });

    it('refuses, at delivery time, an address the worker may not reach', async () => {
      const target = await receiver();
      const registrar = await open();
      const { webhook } = await registrar.register('p1', { url: `${target.origin}/hook` });
      const strict = await open({ allowPrivate: false, retryDelaysMs: [], workerId: 'strict' });
      strict.start();
      await strict.enqueue('p1', event('e1'));
      const delivery = await settled(strict, 'p1', webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
      expect(delivery.lastError).toContain('private-address');
      expect(delivery.lastError).toContain('127.0.0.1');
      expect(target.requests).toEqual([]);
    });

    it('delivers a repeated event once', async () => {
      const target = await receiver();
      const webhooks = await open();
      const { webhook } = await webhooks.register('p1', { url: `${target.origin}/hook` });
      expect(await webhooks.enqueue('p1', event('same'))).toBe(1);
      expect(await webhooks.enqueue('p1', event('same'))).toBe(0);
      webhooks.start();
      await settled(webhooks, 'p1', webhook.id);
      expect(await webhooks.enqueue('p1', event('same'))).toBe(0);
      await webhooks.enqueue('p1', event('next'));
      await vi.waitFor(async () => {
        const { items } = await webhooks.deliveries('p1', webhook.id, { limit: 10 });
        expect(items.map((item) => item.status)).toEqual(['delivered', 'delivered']);
      }, WAIT);
      const received = target.requests.map((request) => JSON.parse(request.body).data.orchestrationId);
      expect(received).toEqual(['same', 'next']);
    });

    it("never delivers one project's event to another project's webhook", async () => {
      const mine = await receiver();
      const theirs = await receiver();
      const webhooks = await open();
      const { webhook } = await webhooks.register('p1', { url: `${mine.origin}/hook` });
      const other = (await webhooks.register('p2', { url: `${theirs.origin}/hook` })).webhook;
      webhooks.start();
      expect(await webhooks.enqueue('p1', event('e1'))).toBe(1);
      expect(await webhooks.enqueue('p1', event('e2'), { webhookIds: [other.id] })).toBe(0);
      await settled(webhooks, 'p1', webhook.id);
      expect(mine.requests).toHaveLength(1);
      expect(theirs.requests).toEqual([]);
      expect((await webhooks.deliveries('p2', other.id, { limit: 10 })).items).toEqual([]);
    });

    it('sends only to webhooks whose filter matches the event', async () => {
      const target = await receiver();
      const webhooks = await open();
      const wildcard = (
        await webhooks.register('p1', { url: `${target.origin}/wildcard`, events: ['orchestration.*'] })
      ).webhook;
      await webhooks.register('p1', { url: `${target.origin}/services`, events: ['service.registered'] });
      webhooks.start();
      expect(await webhooks.enqueue('p1', event('e1', 'orchestration.failed'))).toBe(1);
      await settled(webhooks, 'p1', wildcard.id);
      expect(target.requests.map((request) => request.path)).toEqual(['/wildcard']);
    });

    it('keeps pending deliveries across a restart: a new worker on the same database delivers them', async () => {
      const target = await receiver((_request, index) => ({ status: index === 0 ? 500 : 200 }));
      let closing: Promise<void> | undefined;
      // The retry is an hour away, so the first worker cannot take it again before it closes; the time is then moved
      // forward in the database, as if the server had been down that long.
      const first: Webhooks = await open({
        retryDelaysMs: [3_600_000],
        onDelivery: (outcome) => {
          if (outcome.result === 'retry') closing = first.close();
        },
      });
      const { webhook } = await first.register('p1', { url: `${target.origin}/hook` });
      first.start();
      await first.enqueue('p1', event('e1'));
      await vi.waitFor(() => expect(closing).toBeDefined(), WAIT);
      await closing;
      const [pending] = (await first.deliveries('p1', webhook.id, { limit: 1 })).items;
      expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
      const { db } = await database.open();
      await db
        .updateTable('baton_server_webhook_deliveries')
        .set({ next_attempt_at: 0 })
        .where('id', '=', pending!.id)
        .execute();
      const second = await open({ workerId: 'worker-b' });
      second.start();
      const delivery = await settled(second, 'p1', webhook.id);
      expect(delivery).toMatchObject({ id: pending!.id, status: 'delivered', attempts: 2, lastStatusCode: 200 });
      expect(target.requests).toHaveLength(2);
    });

    it("takes over a delivery whose worker died once that worker's lease has ended", async () => {
      const target = await receiver();
      const webhooks = await open();
      const { webhook } = await webhooks.register('p1', { url: `${target.origin}/hook` });
      await webhooks.enqueue('p1', event('e1'));
      const { db, dialect } = await database.open();
      const claimed = await createWebhookStore(db, dialect).claimDue('dead-worker', Date.now() + 1, -1, 10);
      expect(claimed).toHaveLength(1);
      webhooks.start();
      expect(await settled(webhooks, 'p1', webhook.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    });

    it('sends at most `concurrency` deliveries at once', async () => {
      const waiting: (() => void)[] = [];
      let answering = 0;
      let most = 0;
      const target = await receiver(
        () =>
          new Promise((resolve) => {
            answering += 1;
            most = Math.max(most, answering);
            waiting.push(() => {
              answering -= 1;
              resolve({ status: 200 });
            });
          }),
      );
      const webhooks = await open({ concurrency: 2 });
      const { webhook } = await webhooks.register('p1', { url: `${target.origin}/hook` });
      for (let index = 0; index < 5; index += 1) await webhooks.enqueue('p1', event(`e${index}`));
      webhooks.start();
      for (let released = 0; released < 5; released += 1) {
        // Two sends are in flight before any is answered, so the receiver sees both at once.
        await vi.waitFor(() => expect(waiting.length).toBeGreaterThanOrEqual(Math.min(released + 2, 5)), WAIT);
        waiting[released]!();
      }
      await vi.waitFor(async () => {
        const { items } = await webhooks.deliveries('p1', webhook.id, { limit: 10 });
        expect(items.filter((item) => item.status === 'delivered')).toHaveLength(5);
      }, WAIT);
      expect(most).toBe(2);
    });
  });
}
