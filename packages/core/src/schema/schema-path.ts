/**
 * Walks a JSON Schema along a reference path (`items[0].id`) so plan validation can tell whether a referenced field
 * exists and what type it has. Unconstrained parts of a schema accept any path. An object that lists `properties`
 * counts as closed unless `additionalProperties` says otherwise, so a typo in a reference is caught.
 */
import { requireArgument } from '../errors/require-argument.js';
import type { JsonSchema } from './schema.js';

export type PathSegment = string | number;

export type SchemaLookup =
  | { found: true; schema: JsonSchema }
  /** `at` is the index of the first segment that the schema does not have. */
  | { found: false; at: number; known: string[] };

const ANY: JsonSchema = true;

export function schemaAtPath(root: JsonSchema, path: readonly PathSegment[]): SchemaLookup {
  const schema = typeof root === 'boolean' || (typeof root === 'object' && root !== null);
  requireArgument('schemaAtPath', 'root', schema, 'a JSON Schema object or a boolean', root);
  requireArgument('schemaAtPath', 'path', Array.isArray(path), "an array of path segments like ['items', 0]", path);
  let current: JsonSchema = root;
  for (let i = 0; i < path.length; i++) {
    const next = childSchema(resolveRef(root, current), path[i] as PathSegment, root);
    if (next.kind === 'missing') return { found: false, at: i, known: next.known };
    current = next.schema;
  }
  return { found: true, schema: resolveRef(root, current) };
}

type Child = { kind: 'found'; schema: JsonSchema } | { kind: 'missing'; known: string[] };

function childSchema(schema: JsonSchema, segment: PathSegment, root: JsonSchema): Child {
  if (typeof schema === 'boolean') return schema ? { kind: 'found', schema: ANY } : { kind: 'missing', known: [] };
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties && Object.hasOwn(properties, String(segment))) {
    return { kind: 'found', schema: properties[String(segment)] as JsonSchema };
  }
  const variants = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as JsonSchema[] | undefined;
  if (Array.isArray(variants)) {
    const known = Object.keys(properties ?? {});
    for (const variant of variants) {
      const child = childSchema(resolveRef(root, variant), segment, root);
      if (child.kind === 'found') return child;
      known.push(...child.known);
    }
    return { kind: 'missing', known: [...new Set(known)] };
  }
  const types = typeList(schema);
  if (typeof segment === 'number' || /^\d+$/.test(segment)) {
    if (types && !types.includes('array')) return { kind: 'missing', known: [] };
    const items = schema.items ?? schema.prefixItems;
    if (Array.isArray(items)) return { kind: 'found', schema: (items[Number(segment)] as JsonSchema) ?? ANY };
    return { kind: 'found', schema: (items as JsonSchema | undefined) ?? ANY };
  }
  if (segment === 'length' && types?.includes('array')) return { kind: 'found', schema: { type: 'integer' } };
  const additional = schema.additionalProperties as JsonSchema | undefined;
  if (typeof additional === 'object' || additional === true) return { kind: 'found', schema: additional };
  if (types && !types.includes('object')) return { kind: 'missing', known: [] };
  if (properties || additional === false) return { kind: 'missing', known: Object.keys(properties ?? {}) };
  return { kind: 'found', schema: ANY };
}

function resolveRef(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; hops < 32 && typeof current === 'object' && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#')) return ANY;
    let target: unknown = root;
    for (const part of ref.slice(2).split('/').filter(Boolean)) {
      target = (target as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    current = (target as JsonSchema | undefined) ?? ANY;
  }
  return current;
}

/** The JSON types a schema allows, or undefined when it does not say (or a variant does not). */
export function typeList(schema: JsonSchema): string[] | undefined {
  if (typeof schema === 'boolean') return undefined;
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (schema.type === undefined && Array.isArray(variants) && variants.length > 0) {
    const each = variants.map(typeList);
    return each.every((types) => types !== undefined) ? [...new Set(each.flat() as string[])] : undefined;
  }
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (schema.const !== undefined) return [jsonType(schema.const)];
  if (Array.isArray(schema.enum)) return [...new Set((schema.enum as unknown[]).map(jsonType))];
  return undefined;
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether a value of JSON types `given` may satisfy a schema that allows `expected` (integer counts as number). */
export function typesCompatible(given: readonly string[], expected: readonly string[]): boolean {
  return given.some(
    (g) =>
      expected.includes(g) ||
      (g === 'integer' && expected.includes('number')) ||
      (g === 'number' && expected.includes('integer')),
  );
}
