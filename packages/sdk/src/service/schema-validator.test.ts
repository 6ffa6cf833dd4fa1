import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSchema } from './schema-validator.js';

describe('compileSchema', () => {
  it('describes a zod schema as JSON Schema for its side of a transform', () => {
    const schema = z.object({ n: z.string().transform(Number) });
    expect(compileSchema(schema, 'input').jsonSchema).toMatchObject({ properties: { n: { type: 'string' } } });
    expect(compileSchema(schema, 'input').validate({ n: '4' })).toEqual({ ok: true, value: { n: 4 } });
  });

  it('validates common JSON Schema keywords locally', () => {
    const compiled = compileSchema(
      {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 2 },
          tags: { type: 'array', items: { type: 'string' } },
          size: { enum: ['s', 'm'] },
          nested: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
        },
        required: ['name'],
        additionalProperties: false,
      },
      'input',
    );
    expect(compiled.validatesLocally).toBe(true);
    expect(compiled.validate({ name: 'ab', tags: ['x'], size: 's', nested: { ok: true } }).ok).toBe(true);
    const bad = compiled.validate({ name: 'a', size: 'xl', extra: 1 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/name: .*/);
    expect(!bad.ok && bad.message).toMatch(/size/);
  });

  it('accepts everything for a schema it cannot convert, and nothing declared means no schema', () => {
    const compiled = compileSchema({ not: { type: 'string' } }, 'input');
    expect(compiled.validatesLocally).toBe(false);
    expect(compiled.validate('anything')).toEqual({ ok: true, value: 'anything' });
    expect(compileSchema(undefined, 'output').jsonSchema).toBeUndefined();
  });
});
