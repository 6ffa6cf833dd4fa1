/** Webhooks: where a project's events are delivered, signed by the Standard Webhooks scheme. */
import { z } from 'zod';
import { idSchema, isoTimeSchema } from './common.js';

export const WEBHOOK_EVENT_TYPES = [
  'orchestration.planned',
  'orchestration.succeeded',
  'orchestration.failed',
  'orchestration.cancelled',
  'approval.requested',
  'compensation.failed',
] as const;

export const createWebhookSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'expected an absolute http:// or https:// URL' })
      .max(2000, 'at most 2000 characters')
      .refine((url) => !URL.canParse(url) || new URL(url).port !== '0', 'port 0 is no port a server listens on'),
    /** Event types to deliver (a trailing `*` matches a prefix, e.g. `orchestration.*`); all when absent. */
    events: z
      .array(z.string().regex(/^[a-z]+(\.[a-z-]+)*(\.\*)?$|^\*$/, 'an event type such as orchestration.succeeded'))
      .min(1)
      .max(50)
      .optional()
      .describe(
        `Event types to deliver: ${WEBHOOK_EVENT_TYPES.join(', ')}; a trailing * matches a prefix (orchestration.*). All when absent.`,
      ),
  })
  .meta({ id: 'CreateWebhook' });

export const webhookSchema = z
  .object({ id: idSchema, url: z.string(), events: z.array(z.string()).nullable(), createdAt: isoTimeSchema })
  .meta({ id: 'Webhook' });
export const createdWebhookSchema = webhookSchema
  .extend({ secret: z.string().describe('The signing secret (whsec_…): shown only in this answer') })
  .meta({ id: 'CreatedWebhook' });

export const deliverySchema = z
  .object({
    id: idSchema,
    eventType: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: isoTimeSchema,
    deliveredAt: isoTimeSchema.nullable(),
    nextAttemptAt: isoTimeSchema.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export type Webhook = z.infer<typeof webhookSchema>;
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
