/**
 * What a webhook receives: one JSON body per event, `{ type, timestamp, data }`, whose `data` depends on the type.
 * The server's OpenAPI document lists each under `webhooks`, so a receiver can be written from it.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema } from './common.js';
import { errorBodySchema, planningDecisionSchema, planSchema } from './orchestrations.js';
import type { WEBHOOK_EVENT_TYPES } from './webhooks.js';

function deliveryOf<Type extends string, Data extends z.ZodType>(type: Type, data: Data, id: string) {
  return z
    .object({ type: z.literal(type), timestamp: isoTimeSchema.describe('When the event happened'), data })
    .meta({ id });
}

const ended = <Status extends string>(status: Status) =>
  z.object({ orchestrationId: idSchema, status: z.literal(status), error: errorBodySchema.nullable() });

/** Each event type's delivery body, by type. */
export const WEBHOOK_DELIVERY_SCHEMAS = {
  'orchestration.planned': deliveryOf(
    'orchestration.planned',
    // Nullable as on the orchestration, so the document holds one PlanningDecision component; a planned one has it.
    z.object({ orchestrationId: idSchema, plan: planSchema, planning: planningDecisionSchema.nullable() }),
    'OrchestrationPlannedEvent',
  ),
  'orchestration.succeeded': deliveryOf(
    'orchestration.succeeded',
    z.object({ orchestrationId: idSchema, status: z.literal('succeeded'), result: z.unknown() }),
    'OrchestrationSucceededEvent',
  ),
  'orchestration.failed': deliveryOf('orchestration.failed', ended('failed'), 'OrchestrationFailedEvent'),
  'orchestration.cancelled': deliveryOf('orchestration.cancelled', ended('cancelled'), 'OrchestrationCancelledEvent'),
  'approval.requested': deliveryOf(
    'approval.requested',
    z.object({
      approvalId: idSchema,
      orchestrationId: idSchema,
      stepId: z.string(),
      prompt: z.string(),
      expiresAt: isoTimeSchema.nullable(),
    }),
    'ApprovalRequestedEvent',
  ),
  'compensation.failed': deliveryOf(
    'compensation.failed',
    z.object({ orchestrationId: idSchema, stepId: z.string(), error: errorBodySchema.nullable() }),
    'CompensationFailedEvent',
  ),
} as const satisfies Record<(typeof WEBHOOK_EVENT_TYPES)[number], z.ZodType>;
