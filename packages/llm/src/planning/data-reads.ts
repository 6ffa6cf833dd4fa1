/**
 * The fields of the request's data a plan reads (`{ $ref: 'request.data.<field>…' }`, or `{{request.data.<field>}}` in
 * a text when asked), each once, where first read; and those reads of fields a request's data does not have. A read
 * the plan allows to find nothing is none: a `$ref` with a `default`, anything inside `$literal` (passed as it is),
 * and a field a `when` or `until` condition tests (`exists(request.data.coupon)`).
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
/** A data field named anywhere in a condition. */
const FIELD_IN_CONDITION = /\brequest\.data\.([A-Za-z_$][\w$-]*)/g;
const CONDITION_KEYS = new Set(['when', 'until']);

/** The data fields a text's `{{request.data.<field>}}` templates read. */
function templateFields(text: string): string[] {
  if (!text.includes('{{')) return [];
  return [...text.matchAll(TEMPLATE)].flatMap((match) => DATA_FIELD.exec(match[1] ?? '')?.[1] ?? []);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `texts`: count `{{request.data.<field>}}` in texts too. */
export function dataReads(plan: unknown, options: { texts?: boolean } = {}): DataRead[] {
  const reads = new Map<string, string>();
  const read = (field: string, path: string) => {
    if (!reads.has(field)) reads.set(field, path);
  };
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, `${path}[${i}]`);
      });
      return;
    }
    if (typeof value === 'string') {
      if (options.texts === true) for (const field of templateFields(value)) read(field, path);
      return;
    }
    if (!isRecord(value) || Object.hasOwn(value, '$literal')) return;
    if (typeof value.$ref === 'string') {
      const field = DATA_FIELD.exec(value.$ref)?.[1];
      if (field !== undefined && !Object.hasOwn(value, 'default')) read(field, path);
      return;
    }
    for (const [key, inner] of Object.entries(value)) visit(inner, `${path}.${key}`);
  };
  visit(plan, '');
  return [...reads].map(([field, path]) => ({ field, path }));
}

/** The data fields the plan's `when` and `until` conditions name: the plan is ready for them to be missing. */
function conditionFields(plan: unknown): Set<string> {
  const fields = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (isRecord(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (CONDITION_KEYS.has(key) && typeof inner === 'string') {
          for (const match of inner.matchAll(FIELD_IN_CONDITION)) fields.add(match[1] ?? '');
        } else visit(inner);
      }
    }
  };
  visit(plan);
  return fields;
}

/**
 * Reads of request data fields `data` does not have — by `$ref` or in a `{{…}}` text — that the plan does not allow
 * to find nothing: a run would read nothing there (a misspelt field, or one the request forgot). Paths are within the
 * plan (`steps[0].input.city`).
 */
export function missingDataProblems(plan: unknown, data: Readonly<Record<string, unknown>>): Problem[] {
  const fields = Object.keys(data);
  const tested = conditionFields(plan);
  return dataReads(plan, { texts: true })
    .filter((read) => !Object.hasOwn(data, read.field) && !tested.has(read.field))
    .map((read) => ({
      path: read.path.replace(/^\./, ''),
      code: 'unknown-data-field',
      message: `reads request.data.${read.field}, but the request data has ${fields.length === 0 ? 'no fields' : `only ${fields.join(', ')}`}`,
    }));
}
