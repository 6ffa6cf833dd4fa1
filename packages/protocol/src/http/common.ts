/** Pieces every HTTP body shares: ids, times, pages and RFC 9457 problem details. */
import { z } from 'zod';
import { queryInteger } from './query-integer.js';

export const idSchema = z.string().min(1).max(200);
export const isoTimeSchema = z.string().describe('ISO 8601 date-time, UTC');

/** RFC 9457 problem details, with Baton's `code` and, for validation, every problem. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    problems: z
      .array(z.object({ path: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .describe('Every problem found, for validation errors'),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    /** Pass as `cursor` to get the next page; null on the last one. */
    nextCursor: z.string().nullable(),
  });
}

export const pageQuerySchema = z.strictObject({
  limit: queryInteger({ min: 1, max: 200 }).default(50),
  cursor: z.string().max(500).optional(),
});
