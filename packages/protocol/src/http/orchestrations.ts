/** Orchestrations: an action, its data and a plan run by the engine over the registered services. */
import { z } from 'zod';
import { idSchema, isoTimeSchema } from './common.js';
import { queryInteger } from './query-integer.js';

export const ORCHESTRATION_STATUSES = [
  'planning',
  'running',
  'waiting',
  'compensating',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export const orchestrationStatusSchema = z.enum(ORCHESTRATION_STATUSES);
export type OrchestrationStatus = z.infer<typeof orchestrationStatusSchema>;

export const budgetSchema = z
  .strictObject({
    tokens: z.number().positive().optional(),
    costUsd: z.number().positive().optional(),
    timeMs: z.number().int().positive().optional(),
    warnAt: z.number().gt(0).lte(1).optional(),
  })
  .meta({ id: 'Budget' });

/** The engine's plan format; step targets name registered services. Checked in full by the engine. */
export const planSchema = z
  .looseObject({
    steps: z.array(z.looseObject({ id: z.string() })).min(1),
    output: z.unknown().optional(),
    budget: z.unknown().optional(),
  })
  .meta({ id: 'Plan', description: 'The engine plan format: steps with ids, targets (service names) and inputs' });

/** What `action` must be; said in full when it is missing or not an object (a bare string, most often). */
const ACTION_SHAPE = 'an object { "content": "<the action in words>" }';

export const createOrchestrationSchema = z
  .strictObject({
    action: z.strictObject(
      { content: z.string().trim().min(1).max(10_000) },
      {
        error: (issue) =>
          issue.code !== 'invalid_type'
            ? undefined
            : issue.input === undefined
              ? `required: ${ACTION_SHAPE}`
              : `expected ${ACTION_SHAPE}`,
      },
    ),
    /** The request data; steps read it as `request.data.<field>`. */
    data: z.record(z.string(), z.unknown()).default({}),
    plan: planSchema.optional(),
    /** A URL registered with POST /v1/webhooks: this orchestration's events go there too. */
    webhook: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    // The longest wait a timer can hold (about 24.8 days): the engine's limit on a run's deadline.
    timeoutMs: z.number().int().positive().max(2_147_483_647).optional(),
    budget: budgetSchema.optional(),
  })
  .meta({ id: 'CreateOrchestration' });
export type CreateOrchestration = z.input<typeof createOrchestrationSchema>;

/** How the plan of an action in plain words was chosen: a template, the plan cache or the model (every attempt). */
export const planningDecisionSchema = z
  .looseObject({
    planner: z.enum(['template', 'cache', 'llm']),
    template: z.string().optional(),
    example: z.string().optional(),
    cachedAction: z.string().optional(),
    similarity: z.number().optional(),
    model: z.string().optional(),
    attempts: z
      .array(
        z.looseObject({
          attempt: z.number().int(),
          outcome: z.enum(['valid', 'invalid', 'not-actionable', 'no-answer']),
          problems: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
          error: z.string().optional(),
          usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() }),
          durationMs: z.number(),
        }),
      )
      .optional(),
    usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() }),
  })
  .meta({ id: 'PlanningDecision' });
export type PlanningDecisionBody = z.infer<typeof planningDecisionSchema>;

export const acceptedOrchestrationSchema = z
  .object({
    id: idSchema,
    /** `planning` while the model plans an action in plain words: the plan is null until then. */
    status: orchestrationStatusSchema,
    plan: planSchema.nullable(),
    /** Steps that run at the same time, group by group. */
    parallelGroups: z.array(z.array(z.string())),
    /** How the plan was chosen when the action came without one and a template (or the model, waited for) gave it. */
    planning: planningDecisionSchema.nullable().optional(),
  })
  .meta({ id: 'AcceptedOrchestration' });
export type AcceptedOrchestration = z.infer<typeof acceptedOrchestrationSchema>;

export const usageSchema = z
  .object({
    tokens: z.number().optional(),
    inputTokens: z.number().optional(),
    outputTokens: z.number().optional(),
    costUsd: z.number().optional(),
  })
  .meta({ id: 'Usage' });

export const errorBodySchema = z
  .looseObject({ name: z.string().optional(), code: z.string().optional(), message: z.string() })
  .meta({ id: 'ErrorBody' });

export const STEP_STATUSES = [
  'pending',
  'waiting-for-service',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;

export const orchestrationStepSchema = z
  .object({
    id: z.string(),
    status: z.enum(STEP_STATUSES),
    /** The service (and its revision) that ran it. */
    service: z.string().nullable(),
    attempts: z.number().int(),
    startedAt: isoTimeSchema.nullable(),
    finishedAt: isoTimeSchema.nullable(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: errorBodySchema.nullable(),
    usage: usageSchema,
  })
  .meta({ id: 'OrchestrationStep' });

export const orchestrationSchema = z
  .object({
    id: idSchema,
    action: z.object({ content: z.string() }),
    status: orchestrationStatusSchema,
    /** Null while the plan is being made (status `planning`) and when planning failed. */
    plan: planSchema.nullable(),
    /** How the plan was chosen, for an action sent without one; null for an explicit plan. */
    planning: planningDecisionSchema.nullable().optional(),
    parallelGroups: z.array(z.array(z.string())),
    steps: z.array(orchestrationStepSchema),
    /** The final result, once it succeeded. */
    result: z.unknown().optional(),
    error: errorBodySchema.nullable(),
    usage: usageSchema,
    retries: z.number().int(),
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
    finishedAt: isoTimeSchema.nullable(),
  })
  .meta({ id: 'Orchestration' });
export type Orchestration = z.infer<typeof orchestrationSchema>;
export type OrchestrationStep = z.infer<typeof orchestrationStepSchema>;

export const orchestrationSummarySchema = orchestrationSchema
  .pick({ id: true, action: true, status: true, retries: true, createdAt: true, updatedAt: true, finishedAt: true })
  .meta({ id: 'OrchestrationSummary' });
export type OrchestrationSummary = z.infer<typeof orchestrationSummarySchema>;

export const listOrchestrationsQuerySchema = z.strictObject({
  status: orchestrationStatusSchema.optional(),
  limit: queryInteger({ min: 1, max: 200 }).default(50),
  cursor: z.string().max(500).optional(),
});

/** The longest `GET /v1/orchestrations/:id?waitMs=` holds its answer. */
export const MAX_ORCHESTRATION_WAIT_MS = 60_000;

export const getOrchestrationQuerySchema = z.strictObject({
  waitMs: queryInteger({ min: 0, max: MAX_ORCHESTRATION_WAIT_MS })
    .default(0)
    .describe('Hold the answer until the orchestration has ended or this many milliseconds have passed'),
});

export const cancelOrchestrationSchema = z
  .strictObject({ reason: z.string().max(2000).optional() })
  .meta({ id: 'CancelOrchestration' });

/** `POST /v1/orchestrations/:id/retry`: by default the retry has the orchestration's own `timeoutMs`, from the retry. */
export const retryOrchestrationSchema = z
  .strictObject({ timeoutMs: z.number().int().positive().max(2_147_483_647).optional() })
  .meta({ id: 'RetryOrchestration' });
export type RetryOrchestration = z.infer<typeof retryOrchestrationSchema>;

/**
 * One event of an orchestration's stream (`GET /v1/orchestrations/:id/events`, Server-Sent Events). Events from the
 * journal carry an SSE `id` (resume with `Last-Event-ID`); live-only events (a step waiting for its service, progress
 * a service reports, a retry) carry none and are not replayed.
 */
export const orchestrationEventSchema = z
  .object({
    type: z.string(),
    orchestrationId: idSchema,
    stepId: z.string().nullable(),
    at: isoTimeSchema,
    data: z.unknown(),
  })
  .meta({ id: 'OrchestrationEvent' });
export type OrchestrationEvent = z.infer<typeof orchestrationEventSchema>;

/**
 * Every `type` an orchestration's event stream carries today, by where it comes from. A client shows each; a newer
 * server may add types, so a client also shows one it does not know (generically) rather than dropping it.
 */
export const ORCHESTRATION_EVENT_TYPES = {
  /** Entries of the run's journal, with an SSE id: replayed after `Last-Event-ID`. */
  journal: [
    'run-start',
    'version-lock',
    'step-finish',
    'sub-call-finish',
    'approval-request',
    'timer-set',
    'run-park',
    'run-finish',
    'run-fail',
    'run-cancel',
    /** The `run-fail` of an earlier run of a retried orchestration. */
    'attempt-fail',
    'compensation-finish',
    'compensation-fail',
    'compensation-close',
  ],
  /** What the journal implies without an entry, sent (without an id) just before the entry that implies it. */
  implied: ['approval-decision', 'run-resume'],
  /** An action in plain words: its plan (id `plan`), or why none could be made (the final event). */
  planning: ['orchestration-planned', 'planning-failed'],
  /** Live notes, without an id, not replayed. */
  live: [
    'step-start',
    'step-retry',
    'step-error',
    'step-fallback',
    'budget-warning',
    'compensation-start',
    'waiting-for-service',
    'task-dispatched',
    'step-progress',
  ],
} as const;
export type OrchestrationEventType = (typeof ORCHESTRATION_EVENT_TYPES)[keyof typeof ORCHESTRATION_EVENT_TYPES][number];
