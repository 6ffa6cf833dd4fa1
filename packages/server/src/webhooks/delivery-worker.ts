/**
 * The loop that empties the outbox: it leases due deliveries in batches, sends at most `concurrency` at a time,
 * and records each attempt — delivered, retried after the next delay of the schedule, or failed for good after the
 * last one. It runs when woken (an enqueue in this process, a send finishing, a retry falling due) and polls
 * otherwise, so deliveries enqueued by another replica, or left by a worker that died, are found too. Every attempt
 * checks the URL again, so a host that now resolves inside the network is refused.
 */

import { type SendOutcome, sendWebhook } from './send-webhook.js';
import { checkWebhookUrl, type HostLookup } from './ssrf-guard.js';
import { deriveWebhookSecret } from './webhook-secret.js';
import type { AttemptResult, ClaimedDelivery, WebhookStore } from './webhook-store.js';
import { WebhookUrlError } from './webhook-url-error.js';

export interface DeliveryOutcome {
  webhookId: string;
  deliveryId: string;
  result: 'delivered' | 'retry' | 'failed';
  statusCode?: number;
}

export interface WebhookLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DeliveryWorkerOptions {
  store: WebhookStore;
  workerId: string;
  masterKey: Uint8Array;
  allowPrivate: boolean;
  lookup?: HostLookup | undefined;
  /** Delay before each retry; the attempt after the last delay is the last. */
  retryDelaysMs: readonly number[];
  pollIntervalMs: number;
  timeoutMs: number;
  concurrency: number;
  onDelivery?: ((outcome: DeliveryOutcome) => void) | undefined;
  logger?: WebhookLogger | undefined;
}

export interface DeliveryWorker {
  start(): void;
  /** Looks for due deliveries now (after an enqueue). */
  wake(): void;
  /** Stops claiming and waits for the sends under way to be recorded. */
  close(): Promise<void>;
}

/** How long a lease outlives the send's own deadline, for the URL check and the database writes around it. */
const LEASE_MARGIN_MS = 60_000;

/** The attempt error of a delivery whose webhook was removed; such a delivery is not retried. */
const WEBHOOK_REMOVED = 'webhook removed';

const silent: WebhookLogger = { info() {}, warn() {} };

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * @example
 * const worker = createDeliveryWorker({ store, workerId: 'replica-1', masterKey, allowPrivate: false,
 *   retryDelaysMs: [5_000, 30_000], pollIntervalMs: 1_000, timeoutMs: 10_000, concurrency: 8 });
 * worker.start();
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { store, workerId } = options;
  const logger = options.logger ?? silent;
  const leaseMs = options.timeoutMs + LEASE_MARGIN_MS;
  const inFlight = new Set<Promise<void>>();
  let running = false;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;

  function wakeAt(at: number): void {
    if (!running || (timer !== undefined && timerAt <= at)) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerAt = Number.POSITIVE_INFINITY;
        wake();
      },
      Math.max(0, at - Date.now()),
    );
  }

  function wake(): void {
    if (!running) return;
    if (pumping !== undefined) {
      pumpAgain = true;
      return;
    }
    pumping = pump().finally(() => {
      pumping = undefined;
      if (pumpAgain) {
        pumpAgain = false;
        wake();
      }
    });
  }

  async function pump(): Promise<void> {
    try {
      while (running && inFlight.size < options.concurrency) {
        const free = options.concurrency - inFlight.size;
        const claimed = await store.claimDue(workerId, Date.now(), leaseMs, free);
        // Claimed rows are sent even when close() came meanwhile: close waits for them, so no lease is left behind.
        for (const delivery of claimed) dispatch(delivery);
        if (claimed.length < free) break;
      }
    } catch (error) {
      logger.warn({ workerId, error: describeError(error) }, 'webhook outbox: claiming deliveries failed');
    }
    wakeAt(Date.now() + options.pollIntervalMs);
  }

  function dispatch(delivery: ClaimedDelivery): void {
    const sending: Promise<void> = deliver(delivery)
      .catch((error) => {
        logger.warn(
          { workerId, webhookId: delivery.webhookId, deliveryId: delivery.id, error: describeError(error) },
          'webhook delivery: recording the attempt failed',
        );
      })
      .finally(() => {
        inFlight.delete(sending);
        wake();
      });
    inFlight.add(sending);
  }

  async function attempt(delivery: ClaimedDelivery): Promise<SendOutcome> {
    const webhook = await store.findWebhook(delivery.webhookId);
    if (webhook === undefined || webhook.deleted) return { ok: false, error: WEBHOOK_REMOVED };
    try {
      const checked = await checkWebhookUrl(webhook.url, {
        allowPrivate: options.allowPrivate,
        lookup: options.lookup,
      });
      return await sendWebhook({
        url: checked.url,
        addresses: checked.addresses,
        secret: deriveWebhookSecret(options.masterKey, webhook.id),
        messageId: delivery.id,
        payload: delivery.payload,
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      if (WebhookUrlError.isInstance(error)) return { ok: false, error: `refused (${error.reason}): ${error.message}` };
      throw error;
    }
  }

  function nextStep(delivery: ClaimedDelivery, outcome: SendOutcome, now: number): AttemptResult {
    if (outcome.ok) return { result: 'delivered', statusCode: outcome.statusCode };
    const removed = outcome.error === WEBHOOK_REMOVED;
    const delay = removed ? undefined : options.retryDelaysMs[delivery.attempts];
    return delay === undefined
      ? { result: 'failed', statusCode: outcome.statusCode, error: outcome.error }
      : { result: 'retry', nextAttemptAt: now + delay, statusCode: outcome.statusCode, error: outcome.error };
  }

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await attempt(delivery);
    const now = Date.now();
    const step = nextStep(delivery, outcome, now);
    const recorded = await store.recordAttempt(delivery.id, workerId, now, step);
    const fields = {
      workerId,
      webhookId: delivery.webhookId,
      deliveryId: delivery.id,
      eventType: delivery.eventType,
      attempt: delivery.attempts + 1,
      result: step.result,
      statusCode: step.statusCode,
      ...(step.result === 'delivered' ? {} : { error: step.error }),
    };
    if (!recorded) {
      logger.warn(fields, 'webhook delivery: lease lost to another worker, attempt not recorded');
      return;
    }
    if (step.result === 'delivered') logger.info(fields, 'webhook delivered');
    else
      logger.warn(fields, step.result === 'retry' ? 'webhook delivery failed, will retry' : 'webhook delivery failed');
    if (step.result === 'retry') wakeAt(step.nextAttemptAt);
    notify({
      webhookId: delivery.webhookId,
      deliveryId: delivery.id,
      result: step.result,
      statusCode: step.statusCode,
    });
  }

  function notify(outcome: DeliveryOutcome): void {
    try {
      options.onDelivery?.(outcome);
    } catch (error) {
      logger.warn({ workerId, error: describeError(error) }, 'webhook onDelivery callback threw');
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      wake();
    },
    wake,
    async close() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
      await pumping;
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
