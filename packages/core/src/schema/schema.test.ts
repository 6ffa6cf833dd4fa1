import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSchema, isZodSchema, joinPath, tryCompileSchema } from './schema.js';

describe('zod schemas', () => {
  const schema = z.object({
    name: z.string(),
    items: z.array(z.object({ id: z.number() })),
    tier: z.enum(['free', 'gold']).default('free'),
  });

  it('validates and reports problems with paths', () => {
    const compiled = compileSchema(schema);
    expect(compiled.validate({ name: 'a', items: [{ id: 1 }] })).toEqual([]);
    const problems = compiled.validate({ name: 3, items: [{ id: 1 }, { id: 'x' }] });
    expect(problems.map((p) => `${p.path} ${p.code}`)).toEqual(['name invalid_type', 'items[1].id invalid_type']);
    expect(compiled.validate({ items: [] }, 'steps[0].input').map((p) => p.path)).toEqual(['steps[0].input.name']);
  });

  it('parse applies defaults', () => {
    const result = compileSchema(schema).parse({ name: 'a', items: [] });
    expect(result).toEqual({ ok: true, value: { name: 'a', items: [], tier: 'free' } });
    expect(compileSchema(schema).parse({}).ok).toBe(false);
  });

  it('exposes input and output JSON Schema views', () => {
    const transformed = z.object({ count: z.string().transform((s) => s.length), tier: z.string().default('free') });
    const compiled = compileSchema(transformed);
    expect(compiled.jsonSchema).toMatchObject({ properties: { count: { type: 'string' } }, required: ['count'] });
    const output = compiled.outputJsonSchema as { properties: Record<string, unknown>; required: string[] };
    expect(output.properties.count).not.toEqual({ type: 'string' });
    expect(output.required).toEqual(['count', 'tier']);
  });

  it('is recognised and compiled once', () => {
    expect(isZodSchema(schema)).toBe(true);
    expect(isZodSchema({ type: 'object' })).toBe(false);
    expect(compileSchema(schema)).toBe(compileSchema(schema));
  });
});

describe('JSON Schema', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
      'a/b': { type: 'number' },
    },
    required: ['name'],
    additionalProperties: false,
  };

  it('validates with every problem and a path for each', () => {
    const compiled = compileSchema(schema);
    expect(compiled.validate({ name: 'x', tags: ['a'] })).toEqual([]);
    const problems = compiled.validate({ tags: ['a', 2], extra: true, 'a/b': 'no' });
    expect(problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      'a/b type',
      'extra additionalProperties',
      'name required',
      'tags[1] type',
    ]);
    expect(compiled.validate({}, 'input').map((p) => p.path)).toEqual(['input.name']);
    expect(compiled.parse({ name: 'x' })).toEqual({ ok: true, value: { name: 'x' } });
  });

  it('names the values an enum allows', () => {
    const compiled = compileSchema({ type: 'object', properties: { unit: { enum: ['celsius', 'fahrenheit', 1] } } });
    expect(compiled.validate({ unit: 'kelvin' }, 'input')).toEqual([
      {
        path: 'input.unit',
        code: 'enum',
        message: 'must be equal to one of the allowed values: "celsius", "fahrenheit", 1',
      },
    ]);
  });

  it('supports formats', () => {
    const compiled = compileSchema({ type: 'string', format: 'email' });
    expect(compiled.validate('a@b.co')).toEqual([]);
    expect(compiled.validate('nope')[0]?.code).toBe('format');
  });

  it('accepts boolean schemas', () => {
    expect(compileSchema(true).validate(42)).toEqual([]);
    expect(compileSchema(false).validate(42)).toHaveLength(1);
  });

  it('accepts the draft 2020-12 JSON Schema that zod.toJSONSchema emits', () => {
    const fromZod = z.toJSONSchema(
      z.object({ user: z.object({ id: z.string() }), scores: z.array(z.number()).optional() }),
    ) as Record<string, unknown>;
    expect(fromZod.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const compiled = compileSchema(fromZod);
    expect(compiled.validate({ user: { id: 'u1' } })).toEqual([]);
    expect(compiled.validate({ user: { id: 1 }, scores: ['x'] }).map((p) => p.path)).toEqual(['user.id', 'scores[0]']);
  });

  it('uses the 2020-12 vocabulary (prefixItems, $defs) when $schema asks for it', () => {
    const compiled = compileSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }, { $ref: '#/$defs/n' }],
      $defs: { n: { type: 'number' } },
    });
    expect(compiled.validate(['a', 1])).toEqual([]);
    expect(compiled.validate(['a', 'b']).map((p) => p.path)).toEqual(['[1]']);
  });

  it('accepts draft 2019-09 and draft-07 schemas', () => {
    const draft2019 = { $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'integer' };
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'integer' };
    expect(compileSchema(draft2019).validate(1.5)).toHaveLength(1);
    expect(compileSchema(draft7).validate(2)).toEqual([]);
  });

  it('tryCompileSchema turns a broken schema into a problem', () => {
    const result = tryCompileSchema({ type: 'nonsense' }, 'input');
    expect(result.schema).toBeUndefined();
    expect(result.problem).toMatchObject({ path: 'input', code: 'invalid-schema' });
    expect(result.problem?.message).toBe(
      'not a valid JSON Schema: /type is "nonsense", not one of array, boolean, integer, null, number, object, string',
    );
    expect(tryCompileSchema({ type: 'string' }, 'input').schema).toBeDefined();
  });

  it('tryCompileSchema turns a schema under an unknown meta-schema into a problem too', () => {
    const result = tryCompileSchema({ $schema: 'https://example.com/unknown', type: 'objekt' }, 'input');
    expect(result.problem).toMatchObject({ path: 'input', code: 'invalid-schema' });
    expect(result.problem?.message).toContain('https://example.com/unknown');
  });

  it('tryCompileSchema names each wrong place of a JSON Schema with the value found there', () => {
    const schema = { type: 'object', properties: { a: { type: 'strin' } }, required: 'a' };
    expect(tryCompileSchema(schema, 'output').problem?.message).toBe(
      'not a valid JSON Schema: /required is "a": it must be array; /properties/a/type is "strin", not one of array, boolean, integer, null, number, object, string',
    );
  });
});

describe('a missing required property', () => {
  const schema = compileSchema({
    type: 'object',
    required: ['city'],
    properties: { city: { type: 'string' }, trip: { type: 'object', required: ['from'] } },
  });

  it('names the keys given instead, or the one that looks like a misspelling of it', () => {
    expect(schema.validate({ town: 'Paris', units: 'metric' }, 'input')).toEqual([
      { path: 'input.city', code: 'required', message: "must have required property 'city' (given: town, units)" },
    ]);
    expect(schema.validate({ cty: 'Paris' }, 'input')[0]?.message).toBe(
      'must have required property \'city\' ("cty" given: did you mean "city"?)',
    );
    expect(schema.validate({ city: 'Paris', trip: { form: 'Lisbon' } })[0]).toEqual({
      path: 'trip.from',
      code: 'required',
      message: 'must have required property \'from\' ("form" given: did you mean "from"?)',
    });
  });

  it('says so when the property is there but undefined (a reference that found nothing), not "did you mean" itself', () => {
    expect(schema.validate({ city: undefined, units: 'metric' })[0]?.message).toBe(
      'must have required property \'city\' ("city" is undefined: what it refers to is not there)',
    );
    expect(schema.validate({ town: undefined, units: 'metric' })[0]?.message).toBe(
      "must have required property 'city' (given: units)",
    );
  });

  it('adds nothing for an empty object', () => {
    expect(schema.validate({})[0]?.message).toBe("must have required property 'city'");
  });
});

describe('joinPath', () => {
  it('joins names with dots and indexes with brackets', () => {
    expect(joinPath('', ['a', 0, 'b'])).toBe('a[0].b');
    expect(joinPath('steps[1].input', ['x', '2'])).toBe('steps[1].input.x[2]');
    expect(joinPath('input', [])).toBe('input');
    expect(joinPath('', [0])).toBe('[0]');
  });
});
