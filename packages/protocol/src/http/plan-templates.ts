/**
 * Plan templates: a plan an operator approved, the action texts it answers (`{param}` marks where a param's value
 * stands), and the params it reads from the request data as `request.data.<param>`, each with a JSON Schema.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema, pageOf } from './common.js';
import { planSchema } from './orchestrations.js';

export const TEMPLATE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const PARAM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const planTemplateDefinitionSchema = z
  .strictObject({
    name: z.string().regex(TEMPLATE_NAME_PATTERN, 'lower-case letters, digits and dashes, at most 64'),
    description: z.string().max(2000).default(''),
    /** Actions this plan answers, e.g. "What's the weather in {city}?". */
    examples: z.array(z.string().trim().min(1).max(500)).min(1).max(50),
    /** Each param the plan reads as `request.data.<param>`, with the JSON Schema its value must match. */
    params: z
      .record(z.string().regex(PARAM_NAME_PATTERN, 'a letter or _, then letters, digits or _'), z.looseObject({}))
      .default({}),
    plan: planSchema,
  })
  .meta({ id: 'PlanTemplateDefinition' });
export type PlanTemplateDefinition = z.output<typeof planTemplateDefinitionSchema>;
export type PlanTemplateInput = z.input<typeof planTemplateDefinitionSchema>;

export const planTemplateSchema = planTemplateDefinitionSchema
  .extend({ id: idSchema, createdAt: isoTimeSchema })
  .meta({ id: 'PlanTemplate' });
export type PlanTemplate = z.infer<typeof planTemplateSchema>;

export const planTemplatePageSchema = pageOf(planTemplateSchema).meta({ id: 'PlanTemplatePage' });
