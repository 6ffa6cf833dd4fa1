/**
 * One view over the two schema languages Baton accepts: zod (in TypeScript) and JSON Schema (on the wire, compiled
 * with ajv). Both become a `CompiledSchema` that validates values and exposes JSON Schema for plan validation.
 */

import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { z } from 'zod';
import { closestName } from '../errors/closest-name.js';
import { clipText } from '../errors/quote-text.js';
import { requireArgument } from '../errors/require-argument.js';
import type { Problem } from '../errors/validation-error.js';
import { createAjv } from './create-ajv.js';
import { findUnsupportedPattern } from './safe-pattern.js';
import { UnsupportedPatternError } from './unsupported-pattern-error.js';

export type JsonSchema = { [key: string]: unknown } | boolean;

/** A schema as users give it: a zod schema or a JSON Schema object. */
export type SchemaInput = z.ZodType | JsonSchema;

export interface CompiledSchema {
  /** What values the schema accepts (for zod: its input type). */
  readonly jsonSchema: JsonSchema;
  /** What `parse` returns (for zod: after transforms and defaults); plan validation checks references against it. */
  readonly outputJsonSchema: JsonSchema;
  /** Problems found in `value` (paths relative to `basePath`), or an empty array when it is valid. */
  validate(value: unknown, basePath?: string): Problem[];
  /** For zod schemas, the parsed value (defaults applied); JSON Schema returns the value itself. */
  parse(value: unknown): { ok: true; value: unknown } | { ok: false; problems: Problem[] };
}

/** One ajv per dialect: draft-07 by default, 2019-09 and 2020-12 when `$schema` says so (zod's toJSONSchema emits 2020-12). */
const dialects = {
  draft7: createAjv('draft-07'),
  draft2019: createAjv('2019-09'),
  draft2020: createAjv('2020-12'),
};

function ajvFor(schema: JsonSchema): Ajv {
  const dialect = typeof schema === 'object' && typeof schema.$schema === 'string' ? schema.$schema : '';
  if (dialect.includes('2020-12')) return dialects.draft2020;
  if (dialect.includes('2019-09')) return dialects.draft2019;
  return dialects.draft7;
}
const compiledJson = new WeakMap<object, CompiledSchema>();
const compiledZod = new WeakMap<object, CompiledSchema>();

export function isZodSchema(schema: unknown): schema is z.ZodType {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

/**
 * Compiles a schema once (cached per object). Throws the ajv compile error for an invalid JSON Schema, and an
 * `UnsupportedPatternError` naming the place for a pattern Baton will not run (see `safePattern`).
 */
export function compileSchema(schema: SchemaInput): CompiledSchema {
  const given =
    typeof schema === 'boolean' || (typeof schema === 'object' && schema !== null && !Array.isArray(schema));
  requireArgument('compileSchema', 'schema', given, 'a JSON Schema object, a boolean or a Zod schema', schema);
  if (typeof schema === 'boolean') return compileJsonSchema(schema);
  const cache = isZodSchema(schema) ? compiledZod : compiledJson;
  const found = cache.get(schema);
  if (found) return found;
  const compiled = isZodSchema(schema) ? compileZodSchema(schema) : compileJsonSchema(schema);
  cache.set(schema, compiled);
  return compiled;
}

function compileZodSchema(schema: z.ZodType): CompiledSchema {
  const jsonSchema = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const outputJsonSchema = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }) as JsonSchema;
  const parse = (value: unknown, basePath = '') => {
    const result = schema.safeParse(value);
    if (result.success) return { ok: true as const, value: result.data };
    const problems = result.error.issues.map((issue) => ({
      path: joinPath(basePath, issue.path as PropertyKey[]),
      code: issue.code,
      message: issue.message,
    }));
    return { ok: false as const, problems };
  };
  return {
    jsonSchema,
    outputJsonSchema,
    validate: (value, basePath) => {
      const result = parse(value, basePath);
      return result.ok ? [] : result.problems;
    },
    parse: (value) => parse(value),
  };
}

function compileJsonSchema(schema: JsonSchema): CompiledSchema {
  const check = compileWithAjv(schema);
  const validate = (value: unknown, basePath = ''): Problem[] =>
    check(value) ? [] : (check.errors ?? []).map((error) => toProblem(error, basePath, value));
  return {
    jsonSchema: schema,
    outputJsonSchema: schema,
    validate,
    parse: (value) => {
      const problems = validate(value);
      return problems.length === 0 ? { ok: true, value } : { ok: false, problems };
    },
  };
}

function compileWithAjv(schema: JsonSchema): ValidateFunction {
  try {
    return ajvFor(schema).compile(schema);
  } catch (error) {
    if (!UnsupportedPatternError.isInstance(error)) throw error;
    throw findUnsupportedPattern(schema) ?? error;
  }
}

function toProblem(error: ErrorObject, basePath: string, value: unknown): Problem {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let message = problemMessage(error);
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    message += givenKeysNote(valueAt(value, segments), missing);
    segments.push(missing);
  }
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return { path: joinPath(basePath, segments), code: error.keyword, message };
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  let at = value;
  for (const segment of segments) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, segment)) return undefined;
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}

/**
 * What the object missing `missing` holds instead: the key that looks like a misspelling of it (`"cty" given: did you
 * mean "city"?`), else the keys given (`given: town`), so `{ town: "Paris" }` is not refused for `city` alone; or that
 * it holds `missing` as undefined, which JSON Schema counts as missing.
 */
function givenKeysNote(object: unknown, missing: string): string {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return '';
  // Present but undefined: most often a reference to something that is not there (`$ref` a misspelt field).
  if (Object.hasOwn(object, missing))
    return ` ("${clipText(missing, 60)}" is undefined: what it refers to is not there)`;
  const keys = Object.keys(object).filter((key) => (object as Record<string, unknown>)[key] !== undefined);
  if (keys.length === 0) return '';
  const typo = keys.find((key) => closestName(key, [missing]) !== undefined);
  if (typo !== undefined) return ` (${JSON.stringify(clipText(typo, 60))} given: did you mean "${missing}"?)`;
  const listed = keys.slice(0, 10).map((key) => clipText(key, 60));
  return ` (given: ${listed.join(', ')}${keys.length > 10 ? `, and ${keys.length - 10} more` : ''})`;
}

/** ajv's message, with the values an `enum` allows (ajv says only "must be equal to one of the allowed values"). */
function problemMessage(error: ErrorObject): string {
  const message = error.message ?? error.keyword;
  const allowed = error.keyword === 'enum' ? (error.params.allowedValues as unknown[] | undefined) : undefined;
  if (allowed === undefined) return message;
  const listed = allowed.slice(0, 20).map((value) => clipText(JSON.stringify(value) ?? String(value), 60));
  return `${message}: ${listed.join(', ')}${allowed.length > 20 ? ', …' : ''}`;
}

export function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let path = base;
  for (const segment of segments) {
    if (typeof segment === 'number' || /^\d+$/.test(String(segment))) path += `[${String(segment)}]`;
    else path += path ? `.${String(segment)}` : String(segment);
  }
  return path;
}

/** Compiles a user-given schema, turning a broken one into a problem list entry instead of a throw. */
export function tryCompileSchema(
  schema: SchemaInput,
  path: string,
): { schema: CompiledSchema; problem?: undefined } | { schema?: undefined; problem: Problem } {
  try {
    return { schema: compileSchema(schema) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (UnsupportedPatternError.isInstance(error)) return { problem: { path, code: 'invalid-schema', message } };
    const json = typeof schema === 'object' && schema !== null && !isZodSchema(schema);
    const where = json ? jsonSchemaMistakes(schema as JsonSchema) : undefined;
    const text = where ? `not a valid JSON Schema: ${where}` : `not a valid zod schema or JSON Schema: ${message}`;
    return { problem: { path, code: 'invalid-schema', message: text } };
  }
}

/**
 * What is wrong in a JSON Schema, one phrase per place, with the value found there and the values allowed
 * (`/properties/a/type is "strin", not one of array, boolean, …`); undefined when the meta-schema finds nothing.
 */
function jsonSchemaMistakes(schema: JsonSchema): string | undefined {
  const ajv = ajvFor(schema);
  try {
    if (ajv.validateSchema(schema) === true) return undefined;
  } catch {
    return undefined; // A meta-schema ajv does not know (`$schema`): the compile error says so.
  }
  const byPlace = new Map<string, ErrorObject[]>();
  for (const error of ajv.errors ?? [])
    byPlace.set(error.instancePath, [...(byPlace.get(error.instancePath) ?? []), error]);
  const phrases = [...byPlace].slice(0, 3).map(([place, errors]) => {
    const value = place
      .split('/')
      .slice(1)
      .reduce<unknown>(
        (node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
        schema,
      );
    const allowed = errors.find((error) => error.keyword === 'enum')?.params.allowedValues as unknown[] | undefined;
    const shown = clipText(JSON.stringify(value) ?? String(value), 60);
    if (allowed) return `${place || '/'} is ${shown}, not one of ${allowed.join(', ')}`;
    return `${place || '/'} is ${shown}: it ${errors[0]?.message ?? 'is not allowed'}`;
  });
  return phrases.join('; ');
}
