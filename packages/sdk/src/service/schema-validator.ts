/**
 * Turns a service's `input` / `output` option — a zod schema or a plain JSON Schema — into the JSON Schema sent in
 * `hello` and a local validator. A JSON Schema is converted with `z.fromJSONSchema`; one it cannot convert (`not`,
 * unresolvable `$ref`s…) is still sent to the server, which validates it, but is not checked locally.
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;
/** A zod schema, or a JSON Schema object (draft 2020-12 or 07). */
export type SchemaOption = z.ZodType | JsonSchema;

export type Validation = { ok: true; value: unknown } | { ok: false; message: string };

export interface CompiledSchema {
  /** What `hello` carries, or undefined when the service declared no schema. */
  jsonSchema: JsonSchema | undefined;
  /** False when the schema could not be turned into a validator; `validate` then accepts everything. */
  validatesLocally: boolean;
  validate(value: unknown): Validation;
}

export function isZodSchema(schema: unknown): schema is z.ZodType {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(value)'}: ${issue.message}`)
    .join('; ');
}

function fromZod(schema: z.ZodType): CompiledSchema['validate'] {
  return (value) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: describeIssues(parsed.error) };
  };
}

/** @param io which side of a zod transform the JSON Schema describes: what the handler receives or what it returns. */
export function compileSchema(schema: SchemaOption | undefined, io: 'input' | 'output'): CompiledSchema {
  if (schema === undefined) return { jsonSchema: undefined, validatesLocally: false, validate: (value) => ok(value) };
  if (isZodSchema(schema)) {
    const jsonSchema = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
    return { jsonSchema, validatesLocally: true, validate: fromZod(schema) };
  }
  try {
    const converted = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    return { jsonSchema: schema, validatesLocally: true, validate: fromZod(converted) };
  } catch {
    return { jsonSchema: schema, validatesLocally: false, validate: (value) => ok(value) };
  }
}

function ok(value: unknown): Validation {
  return { ok: true, value };
}
