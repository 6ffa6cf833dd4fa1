/** `client.webhooks`: register, list and remove webhooks, and page through a webhook's deliveries. */
import {
  type CreatedWebhook,
  createdWebhookSchema,
  type Delivery,
  deliverySchema,
  pageOf,
  type Webhook,
  webhookSchema,
} from '@baton/protocol';
import { z } from 'zod';
import type { HttpTransport } from './http-transport.js';
import type { Page, PageOptions } from './page.js';

export interface CreateWebhookInput {
  url: string;
  /** Event types to deliver (`orchestration.*` matches a prefix); all when absent. */
  events?: string[];
}

export interface WebhooksApi {
  /** Registers a webhook; its signing `secret` is shown only in this answer. */
  create(input: CreateWebhookInput): Promise<CreatedWebhook>;
  list(): Promise<Webhook[]>;
  remove(id: string): Promise<void>;
  /** One page of the webhook's deliveries, newest first as the server orders them. */
  deliveries(id: string, options?: PageOptions): Promise<Page<Delivery>>;
}

const listSchema = z.object({ items: z.array(webhookSchema) });
const deliveriesSchema = pageOf(deliverySchema);

export function createWebhooksApi(transport: HttpTransport): WebhooksApi {
  const path = (id: string) => `/v1/webhooks/${encodeURIComponent(id)}`;
  return {
    create: (input) =>
      transport.request({
        method: 'POST',
        path: '/v1/webhooks',
        body: input.events === undefined ? { url: input.url } : { url: input.url, events: input.events },
        schema: createdWebhookSchema,
        expected: 'a CreatedWebhook',
        idempotent: false,
      }),
    list: async () => {
      const page = await transport.request({
        method: 'GET',
        path: '/v1/webhooks',
        schema: listSchema,
        expected: 'a list of Webhook',
        idempotent: true,
      });
      return page.items;
    },
    remove: (id) =>
      transport.request({ method: 'DELETE', path: path(id), schema: null, expected: 'no body', idempotent: true }),
    deliveries: (id, options = {}) =>
      transport.request({
        method: 'GET',
        path: `${path(id)}/deliveries`,
        query: { limit: options.limit, cursor: options.cursor },
        schema: deliveriesSchema as z.ZodType<Page<Delivery>>,
        expected: 'a page of WebhookDelivery',
        idempotent: true,
      }),
  };
}
