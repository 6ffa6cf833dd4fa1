/**
 * The fields of the request's data a plan reads (`{ $ref: 'request.data.<field>…' }`, or `{{request.data.<field>}}` in
 * a text), each once, where first read; and those reads of fields a request's data does not have.
 */
import type { Problem } from '@baton/core';

export interface DataRead {
  field: string;
  /** Where in the plan, e.g. `.steps[0].input.city`. */
  path: string;
}

const DATA_FIELD = /^request\.data\.([^.[\]]+)/;
/** A `{{…}}` of a text, as the engine reads them (`reference.ts`). */
const TEMPLATE = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** The data fields a text's `{{request.data.<field>}}` templates read. */
function templateFields(text: string): string[] {
  if (!text.includes('{{')) return [];
  return [...text.matchAll(TEMPLATE)].flatMap((match) => DATA_FIELD.exec(match[1] ?? '')?.[1] ?? []);
}

export function dataReads(plan: unknown): DataRead[] {
  const reads = new Map<string, string>();
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, `${path}[${i}]`);
      });
      return;
    }
    if (typeof value === 'string') {
      for (const field of templateFields(value)) if (!reads.has(field)) reads.set(field, path);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      const field = key === '$ref' && typeof inner === 'string' ? DATA_FIELD.exec(inner)?.[1] : undefined;
      if (field !== undefined && !reads.has(field)) reads.set(field, path);
      visit(inner, `${path}.${key}`);
    }
  };
  visit(plan, '');
  return [...reads].map(([field, path]) => ({ field, path }));
}

/**
 * Reads of request data fields `data` does not have: a run of the plan would read nothing there (a misspelt field,
 * or one the request forgot). Paths are within the plan (`steps[0].input.city`).
 */
export function missingDataProblems(plan: unknown, data: Readonly<Record<string, unknown>>): Problem[] {
  const fields = Object.keys(data);
  return dataReads(plan)
    .filter((read) => !Object.hasOwn(data, read.field))
    .map((read) => ({
      path: read.path.replace(/^\./, ''),
      code: 'unknown-data-field',
      message: `reads request.data.${read.field}, but the request data has ${fields.length === 0 ? 'no fields' : `only ${fields.join(', ')}`}`,
    }));
}
