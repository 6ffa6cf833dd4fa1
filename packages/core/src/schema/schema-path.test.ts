import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSchema, type JsonSchema } from './schema.js';
import { jsonType, schemaAtPath, typeList, typesCompatible } from './schema-path.js';

const customer: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    address: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false },
    orders: { type: 'array', items: { type: 'object', properties: { total: { type: 'number' } } } },
    pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }] },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    anything: {},
    '0': { type: 'boolean' },
  },
  additionalProperties: false,
};

function typeAt(schema: JsonSchema, path: (string | number)[]): string[] | undefined {
  const found = schemaAtPath(schema, path);
  if (!found.found) throw new Error(`not found at ${found.at}`);
  return typeList(found.schema);
}

describe('schemaAtPath', () => {
  it('walks properties, arrays and tuples', () => {
    expect(typeAt(customer, [])).toEqual(['object']);
    expect(typeAt(customer, ['address', 'city'])).toEqual(['string']);
    expect(typeAt(customer, ['orders', 0, 'total'])).toEqual(['number']);
    expect(typeAt(customer, ['orders', '3', 'total'])).toEqual(['number']);
    expect(typeAt(customer, ['orders', 'length'])).toEqual(['integer']);
    expect(typeAt(customer, ['pair', 1])).toEqual(['integer']);
    expect(typeAt(customer, ['labels', 'anyKey'])).toEqual(['string']);
    expect(typeAt(customer, ['anything', 'deep', 0, 'x'])).toBeUndefined();
  });

  it('says where a path leaves the schema and what it has there', () => {
    expect(schemaAtPath(customer, ['nmae'])).toEqual({
      found: false,
      at: 0,
      known: ['0', 'name', 'address', 'orders', 'pair', 'labels', 'anything'],
    });
    expect(schemaAtPath(customer, ['address', 'zip'])).toEqual({ found: false, at: 1, known: ['city'] });
    expect(schemaAtPath(customer, ['name', 'first'])).toMatchObject({ found: false, at: 1 });
    expect(schemaAtPath(customer, ['address', 0])).toMatchObject({ found: false, at: 1 });
    expect(schemaAtPath(false, ['x'])).toMatchObject({ found: false, at: 0 });
  });

  it('reads a numeric key of an object as a property', () => {
    expect(typeAt(customer, ['0'])).toEqual(['boolean']);
    expect(typeAt(customer, [0])).toEqual(['boolean']);
  });

  it('accepts any path under an unconstrained object', () => {
    expect(schemaAtPath({ type: 'object' }, ['x', 'y']).found).toBe(true);
    expect(schemaAtPath(true, ['x', 1]).found).toBe(true);
    expect(schemaAtPath({ type: 'object', properties: { a: {} }, additionalProperties: true }, ['b']).found).toBe(true);
  });

  it('treats listed properties as closed unless additionalProperties allows more', () => {
    expect(schemaAtPath({ type: 'object', properties: { a: {} } }, ['b'])).toEqual({
      found: false,
      at: 0,
      known: ['a'],
    });
  });

  it('tries each anyOf / oneOf / allOf variant', () => {
    const schema: JsonSchema = {
      anyOf: [
        { type: 'object', properties: { kind: { const: 'a' }, a: { type: 'string' } }, additionalProperties: false },
        { type: 'object', properties: { kind: { const: 'b' }, b: { type: 'number' } }, additionalProperties: false },
      ],
    };
    expect(typeAt(schema, ['b'])).toEqual(['number']);
    expect(typeAt(schema, ['kind'])).toEqual(['string']);
    expect(schemaAtPath(schema, ['c'])).toEqual({ found: false, at: 0, known: ['kind', 'a', 'b'] });
    expect(typeAt({ allOf: [{ properties: { x: { type: 'string' } } }] }, ['x'])).toEqual(['string']);
  });

  it('looks at an object’s own properties before its variants', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { id: { type: 'string' } },
      anyOf: [{ required: ['id'] }, { required: ['email'] }],
    };
    expect(typeAt(schema, ['id'])).toEqual(['string']);
  });

  it('follows $ref into $defs and definitions, including recursive zod schemas', () => {
    const withDefs: JsonSchema = {
      type: 'object',
      properties: { owner: { $ref: '#/$defs/person' }, legacy: { $ref: '#/definitions/old' } },
      $defs: { person: { type: 'object', properties: { email: { type: 'string' } }, additionalProperties: false } },
      definitions: { old: { type: 'integer' } },
    };
    expect(typeAt(withDefs, ['owner', 'email'])).toEqual(['string']);
    expect(typeAt(withDefs, ['owner'])).toEqual(['object']);
    expect(typeAt(withDefs, ['legacy'])).toEqual(['integer']);
    expect(schemaAtPath(withDefs, ['owner', 'phone'])).toEqual({ found: false, at: 1, known: ['email'] });
    expect(schemaAtPath({ $ref: 'https://example.com/x' }, ['any']).found).toBe(true);

    const Category: z.ZodType = z.object({
      title: z.string(),
      get children() {
        return z.array(Category);
      },
    });
    const tree = compileSchema(z.object({ root: Category })).outputJsonSchema;
    expect(typeAt(tree, ['root', 'children', 0, 'children', 2, 'title'])).toEqual(['string']);
    expect(schemaAtPath(tree, ['root', 'children', 0, 'name'])).toMatchObject({ found: false, at: 3 });
  });

  it('walks zod output for nested objects, arrays and nullable fields', () => {
    const output = compileSchema(
      z.object({ user: z.object({ name: z.string(), nick: z.string().nullable() }), tags: z.array(z.string()) }),
    ).outputJsonSchema;
    expect(typeAt(output, ['user', 'name'])).toEqual(['string']);
    expect(typeAt(output, ['user', 'nick'])).toEqual(['string', 'null']);
    expect(typeAt(output, ['tags', 0])).toEqual(['string']);
    expect(schemaAtPath(output, ['user', 'age'])).toMatchObject({ found: false, at: 1, known: ['name', 'nick'] });
  });
});

describe('type helpers', () => {
  it('typeList reads type, type arrays, const, enum and variants', () => {
    expect(typeList({ type: ['string', 'null'] })).toEqual(['string', 'null']);
    expect(typeList({ const: 3 })).toEqual(['integer']);
    expect(typeList({ enum: ['a', 1.5, null] })).toEqual(['string', 'number', 'null']);
    expect(typeList({ anyOf: [{ type: 'string' }, {}] })).toBeUndefined();
    expect(typeList({})).toBeUndefined();
    expect(typeList(true)).toBeUndefined();
  });

  it('jsonType and typesCompatible treat integer and number as compatible', () => {
    expect([null, [], 1, 1.5, 's', true, {}].map(jsonType)).toEqual([
      'null',
      'array',
      'integer',
      'number',
      'string',
      'boolean',
      'object',
    ]);
    expect(typesCompatible(['integer'], ['number'])).toBe(true);
    expect(typesCompatible(['number'], ['integer'])).toBe(true);
    expect(typesCompatible(['string', 'null'], ['string'])).toBe(true);
    expect(typesCompatible(['string'], ['number', 'boolean'])).toBe(false);
  });
});
