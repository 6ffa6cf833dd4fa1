/** Approvals a plan waits for, and compensations that failed for good. */
import { z } from 'zod';
import { idSchema, isoTimeSchema, pageQuerySchema } from './common.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'withdrawn'] as const;

export const approvalSchema = z
  .object({
    id: idSchema,
    orchestrationId: idSchema,
    stepId: z.string(),
    prompt: z.string(),
    /** What the step asked the approver to look at. */
    data: z.unknown().optional(),
    status: z.enum(APPROVAL_STATUSES),
    /** Once decided: the data the approver sent with an approval (the step's output), or the reason of a rejection. */
    decision: z.unknown().optional(),
    decidedAt: isoTimeSchema.nullable().optional(),
    expiresAt: isoTimeSchema.nullable(),
  })
  .meta({ id: 'Approval' });
export type Approval = z.infer<typeof approvalSchema>;

/** A page of the project's approvals, oldest first (the order a person works through them). */
export const listApprovalsQuerySchema = pageQuerySchema.extend({
  status: z.enum(APPROVAL_STATUSES).optional(),
  orchestrationId: idSchema.optional().describe("Only this orchestration's approvals (and its retries')"),
});
export const approveSchema = z.strictObject({ data: z.unknown().optional() }).meta({ id: 'Approve' });
export const rejectSchema = z.strictObject({ reason: z.string().trim().min(1).max(2000) }).meta({ id: 'Reject' });

export const COMPENSATION_STATUSES = ['open', 'resolved', 'ignored'] as const;

export const compensationFailureSchema = z
  .object({
    id: idSchema,
    orchestrationId: idSchema,
    stepId: z.string(),
    service: z.string(),
    error: z.unknown(),
    status: z.enum(COMPENSATION_STATUSES),
    reason: z.string().nullable(),
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .meta({ id: 'CompensationFailure' });
export type CompensationFailure = z.infer<typeof compensationFailureSchema>;

/** A page of the project's failed compensations, oldest first. */
export const listCompensationFailuresQuerySchema = pageQuerySchema.extend({
  status: z.enum(COMPENSATION_STATUSES).optional(),
  orchestrationId: idSchema.optional().describe("Only this orchestration's failed compensations (and its retries')"),
});
export const closeCompensationSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(2000) })
  .meta({ id: 'CloseCompensationFailure' });
