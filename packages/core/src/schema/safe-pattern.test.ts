import { describe, expect, it } from 'vitest';
import { createAjv } from './create-ajv.js';
import { findUnsupportedPattern, safePattern } from './safe-pattern.js';
import { compileSchema, type JsonSchema, tryCompileSchema } from './schema.js';
import { UnsupportedPatternError } from './unsupported-pattern-error.js';

const EVIL = '^(a+)+$';
/** Takes the native backtracking engine about 2^5000 steps; the linear-time engine answers at once. */
const EVIL_VALUE = `${'a'.repeat(5000)}!`;

const codes = (schema: JsonSchema, value: unknown) =>
  compileSchema(schema)
    .validate(value)
    .map((p) => p.code);

describe('JSON Schema patterns', () => {
  it('answers a catastrophic-backtracking pattern on a long value', () => {
    const schema = { type: 'object', properties: { s: { type: 'string', pattern: EVIL } } };
    expect(compileSchema(schema).validate({ s: EVIL_VALUE })).toEqual([
      { path: 's', code: 'pattern', message: `must match pattern "${EVIL}"` },
    ]);
    expect(codes(schema, { s: 'a'.repeat(5000) })).toEqual([]);
  });

  it.each([
    'http://json-schema.org/draft-07/schema#',
    'https://json-schema.org/draft/2019-09/schema',
    'https://json-schema.org/draft/2020-12/schema',
  ])('runs patterns on the linear-time engine in dialect %s', ($schema) => {
    expect(codes({ $schema, type: 'string', pattern: EVIL }, EVIL_VALUE)).toEqual(['pattern']);
  });

  it('is unanchored, as JSON Schema says', () => {
    expect(codes({ type: 'string', pattern: 'b' }, 'abc')).toEqual([]);
    expect(codes({ type: 'string', pattern: 'b' }, 'acd')).toEqual(['pattern']);
    expect(codes({ type: 'string', pattern: '^b' }, 'abc')).toEqual(['pattern']);
  });

  it.each([
    ['^[a-z]+$', ['abc'], ['abC', '', 'ab1']],
    ['^\\d{3}-\\d{4}$', ['555-1234'], ['5551234', '555-12345', '٥٥٥-١٢٣٤']],
    ['^[A-Z]{2}\\d{2}[A-Z0-9]{1,30}$', ['DE89370400440532013000', 'GB82WEST12345698765432'], ['de89', 'DE8']],
    ['^\\p{L}+$', ['héllo', 'Ωμέγα', '中文'], ['abc1', 'a b']],
    ['^\\S+@\\S+$', ['a@b.c'], ['a @b.c', 'a\u00a0@b', '@b']],
  ])('runs %j as ECMA-262 does', (pattern, accepted, refused) => {
    const compiled = compileSchema({ type: 'string', pattern });
    for (const value of accepted) expect(compiled.validate(value)).toEqual([]);
    for (const value of refused) expect(compiled.validate(value).map((p) => p.code)).toEqual(['pattern']);
  });

  it('keeps each pattern of a schema apart', () => {
    const schema = { properties: { a: { pattern: '^a$' }, b: { pattern: '^b$' } } };
    expect(codes(schema, { a: 'a', b: 'b' })).toEqual([]);
    expect(codes(schema, { a: 'b', b: 'a' })).toEqual(['pattern', 'pattern']);
  });

  it('runs patternProperties and propertyNames patterns on the same engine', () => {
    const schema = {
      type: 'object',
      patternProperties: { '^x-': { type: 'string' }, [EVIL]: { type: 'number' } },
      additionalProperties: false,
    };
    expect(codes(schema, { 'x-a': 's', aaa: 1 })).toEqual([]);
    expect(codes(schema, { 'x-a': 1 })).toEqual(['type']);
    expect(codes(schema, { [EVIL_VALUE]: 1 })).toEqual(['additionalProperties']);
    const names = { type: 'object', propertyNames: { pattern: EVIL } };
    expect(codes(names, { aaa: 1 })).toEqual([]);
    expect(codes(names, { [EVIL_VALUE]: 1 })).toEqual(['pattern', 'propertyNames']);
  });

  it('leaves format "regex" a syntax check: the value is compiled, never run', () => {
    expect(codes({ type: 'string', format: 'regex' }, '(a)\\1')).toEqual([]);
    expect(codes({ type: 'string', format: 'regex' }, '(')).toEqual(['format']);
  });
});

describe('patterns Baton does not run', () => {
  it('are refused when the schema is compiled, naming the pattern and its place', () => {
    const schema = { type: 'object', properties: { s: { type: 'string', pattern: '(a)\\1' } } };
    expect(tryCompileSchema(schema, 'input').problem).toEqual({
      path: 'input',
      code: 'invalid-schema',
      message: expect.stringMatching(
        /^\/properties\/s\/pattern "\(a\)\\\\1" uses a feature Baton does not run \(a backreference \\1\): /,
      ),
    });
    expect(() => compileSchema(schema)).toThrow(UnsupportedPatternError);
  });

  it('are found wherever a schema holds a pattern', () => {
    const located = (schema: object) => findUnsupportedPattern(schema)?.place;
    expect(located({ patternProperties: { 'a(?=b)': { type: 'string' } } })).toBe('/patternProperties/a(?=b)');
    expect(located({ items: [{}, { pattern: '(?<=a)b' }] })).toBe('/items/1/pattern');
    expect(located({ $defs: { 'a/b': { anyOf: [{ not: { pattern: '\\k<x>(?<x>)' } }] } } })).toBe(
      '/$defs/a~1b/anyOf/0/not/pattern',
    );
    expect(located({ propertyNames: { pattern: 'a{2000}' } })).toBe('/propertyNames/pattern');
    expect(located({ properties: { pattern: { type: 'string' } }, pattern: '^ok$' })).toBeUndefined();
  });

  it('carry typed fields for callers that do not read messages', () => {
    const error = findUnsupportedPattern({ properties: { s: { pattern: 'a{' } } });
    expect(error?.toJSON()).toMatchObject({
      code: 'unsupported-pattern',
      pattern: 'a{',
      kind: 'syntax',
      place: '/properties/s/pattern',
    });
  });

  it('never reach the native engine through a factory-made Ajv', () => {
    expect(() => createAjv('2020-12').compile({ pattern: '(a)\\1' })).toThrow(UnsupportedPatternError);
    expect(createAjv().compile({ pattern: EVIL })(EVIL_VALUE)).toBe(false);
    expect(String(safePattern('a/b'))).toBe('/a/b/u');
  });
});
