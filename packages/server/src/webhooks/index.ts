/** The server's webhooks: registration, the Standard Webhooks delivery worker and its outbox, the SSRF guard. */

export { InvalidCursorError } from '../db/invalid-cursor-error.js';
export {
  createWebhooks,
  DEFAULT_RETRY_DELAYS_MS,
  MAX_DELIVERY_PAGE,
  type WebhookEvent,
  type Webhooks,
  type WebhooksOptions,
} from './create-webhooks.js';
export type { DeliveryOutcome, WebhookLogger } from './delivery-worker.js';
export { isEventType, matchesEvent } from './event-filter.js';
export { type CheckedWebhookUrl, checkWebhookUrl, type HostLookup, type ResolvedAddress } from './ssrf-guard.js';
export { deriveWebhookSecret } from './webhook-secret.js';
export { WebhookUrlError, type WebhookUrlReason } from './webhook-url-error.js';
export type { DeliveryStatus, DeliveryView, WebhookView } from './webhook-views.js';
