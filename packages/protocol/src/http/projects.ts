/** Projects and API keys: the admin creates projects; a project's keys authenticate everything else. */
import { z } from 'zod';
import { idSchema, isoTimeSchema } from './common.js';

const nameSchema = z.string().trim().min(1).max(200);

export const createProjectSchema = z.strictObject({ name: nameSchema }).meta({ id: 'CreateProject' });
export const projectSchema = z
  .object({ id: idSchema, name: z.string(), createdAt: isoTimeSchema })
  .meta({ id: 'Project' });

export const createApiKeySchema = z.strictObject({ name: nameSchema }).meta({ id: 'CreateApiKey' });
export const apiKeySchema = z
  .object({
    id: idSchema,
    name: z.string(),
    /** The key's first characters, to tell keys apart; the key itself is shown once, at creation. */
    prefix: z.string(),
    createdAt: isoTimeSchema,
    lastUsedAt: isoTimeSchema.nullable(),
  })
  .meta({ id: 'ApiKey' });
export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().describe('The key: shown only in this answer, stored only as a hash') })
  .meta({ id: 'CreatedApiKey' });

export const createdProjectSchema = z
  .object({ project: projectSchema, apiKey: createdApiKeySchema })
  .meta({ id: 'CreatedProject' });

export type Project = z.infer<typeof projectSchema>;
export type ApiKey = z.infer<typeof apiKeySchema>;
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;
export type CreatedProject = z.infer<typeof createdProjectSchema>;
