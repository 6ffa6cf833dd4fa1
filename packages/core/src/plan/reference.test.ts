import { describe, expect, it } from 'vitest';
import type { Problem } from '../errors/validation-error.js';
import type { PathSegment } from './expression.js';
import { compileValue, formatPath, parsePath, readPath } from './reference.js';

const state = {
  request: { data: { customerId: 'c1', count: 3 } },
  steps: {
    lookup: { output: { name: 'Ada', items: [{ id: 'i1' }, { id: 'i2' }], score: 0.5, nothing: null, 'odd key': 'k' } },
  },
};
const lookup = (path: readonly PathSegment[]) => readPath(state, path);

function compile(value: unknown) {
  const problems: Problem[] = [];
  const compiled = compileValue(value, 'input', problems);
  return { compiled, problems };
}

describe('parsePath', () => {
  it('reads dots, indexes and quoted keys', () => {
    expect(parsePath('request.data.customerId')).toEqual(['request', 'data', 'customerId']);
    expect(parsePath('steps.lookup.output.items[0].id')).toEqual(['steps', 'lookup', 'output', 'items', 0, 'id']);
    expect(parsePath("steps['fetch user'].output")).toEqual(['steps', 'fetch user', 'output']);
    expect(parsePath('steps["a\\"b"].output')).toEqual(['steps', 'a"b', 'output']);
    expect(parsePath('steps.fetch-user.output[12]')).toEqual(['steps', 'fetch-user', 'output', 12]);
  });

  it('says what is malformed and where', () => {
    expect(parsePath('')).toBe('"" must start with a name such as request or steps');
    expect(parsePath('1steps')).toBe('"1steps" must start with a name such as request or steps');
    expect(parsePath('steps.')).toBe('cannot read "steps." at position 5: expected .name, [index] or [\'key\']');
    expect(parsePath('steps[x]')).toMatch(/at position 5/);
    expect(parsePath('steps..a')).toMatch(/at position 5/);
    expect(parsePath("steps['open")).toMatch(/at position 5/);
    expect(parsePath('steps[-1]')).toMatch(/at position 5/);
  });

  it('refuses prototype-reaching names anywhere', () => {
    expect(parsePath('steps.__proto__.x')).toBe('"steps.__proto__.x" uses the forbidden name "__proto__"');
    expect(parsePath("request['constructor']")).toMatch(/forbidden name "constructor"/);
    expect(parsePath('prototype')).toMatch(/forbidden name "prototype"/);
  });

  it('formatPath is the inverse for plain names and indexes', () => {
    expect(formatPath(['steps', 'lookup', 'output', 'items', 0, 'id'])).toBe('steps.lookup.output.items[0].id');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });
});

describe('readPath', () => {
  it('reads own properties, array items and array length', () => {
    expect(lookup(['steps', 'lookup', 'output', 'items', 1, 'id'])).toBe('i2');
    expect(lookup(['steps', 'lookup', 'output', 'items', 'length'])).toBe(2);
    expect(lookup(['steps', 'lookup', 'output', 'items', '0', 'id'])).toBe('i1');
    expect(readPath({ a: { b: 1 } }, ['x', 'a', 'b'], 1)).toBe(1);
  });

  it('returns undefined for missing paths and through primitives', () => {
    expect(lookup(['steps', 'missing', 'output'])).toBeUndefined();
    expect(lookup(['steps', 'lookup', 'output', 'name', 'length'])).toBeUndefined();
    expect(lookup(['steps', 'lookup', 'output', 'nothing', 'x'])).toBeUndefined();
    expect(lookup(['steps', 'lookup', 'output', 'items', 9])).toBeUndefined();
  });

  it('never reads through the prototype chain, of objects or arrays', () => {
    expect(readPath({}, ['toString'])).toBeUndefined();
    expect(readPath({}, ['__proto__'])).toBeUndefined();
    expect(readPath({ a: 1 }, ['constructor'])).toBeUndefined();
    expect(readPath([1, 2], ['map'])).toBeUndefined();
    expect(readPath([1, 2], ['constructor'])).toBeUndefined();
    expect(readPath(Object.create({ inherited: 1 }), ['inherited'])).toBeUndefined();
    expect(readPath({ length: 7 }, ['length'])).toBe(7);
  });
});

describe('compileValue', () => {
  it('resolves $ref objects and keeps the referenced value’s type', () => {
    const { compiled, problems } = compile({
      id: { $ref: 'request.data.customerId' },
      items: { $ref: 'steps.lookup.output.items' },
    });
    expect(problems).toEqual([]);
    expect(compiled.constant).toBe(false);
    expect(compiled.resolve(lookup)).toEqual({ id: 'c1', items: [{ id: 'i1' }, { id: 'i2' }] });
    expect(compiled.refs.map((r) => [formatPath(r.path), formatPath(r.at), r.kind])).toEqual([
      ['request.data.customerId', 'id', 'ref'],
      ['steps.lookup.output.items', 'items', 'ref'],
    ]);
  });

  it('uses a default when the path resolves to nothing', () => {
    const { compiled } = compile({
      a: { $ref: 'steps.lookup.output.missing', default: 'fallback' },
      b: { $ref: 'steps.lookup.output.nothing', default: 0 },
      c: { $ref: 'steps.lookup.output.score', default: 1 },
      d: { $ref: 'steps.lookup.output.missing' },
    });
    expect(compiled.resolve(lookup)).toEqual({ a: 'fallback', b: 0, c: 0.5, d: undefined });
    expect(compiled.refs.map((r) => r.hasDefault)).toEqual([true, true, true, false]);
  });

  it('a string that is exactly one template keeps the raw type; a partial template is a string', () => {
    const { compiled } = compile({
      whole: '{{steps.lookup.output.items}}',
      spaced: '{{ request.data.count }}',
      partial: 'Hello {{steps.lookup.output.name}}, you have {{request.data.count}} items',
      object: 'items: {{steps.lookup.output.items[0]}}',
      missing: 'x{{steps.lookup.output.nope}}y',
      quoted: "{{steps.lookup.output['odd key']}}",
    });
    expect(compiled.resolve(lookup)).toEqual({
      whole: [{ id: 'i1' }, { id: 'i2' }],
      spaced: 3,
      partial: 'Hello Ada, you have 3 items',
      object: 'items: {"id":"i1"}',
      missing: 'xy',
      quoted: 'k',
    });
    expect(compiled.refs.map((r) => r.kind)).toEqual([
      'ref',
      'ref',
      'template',
      'template',
      'template',
      'template',
      'ref',
    ]);
  });

  it('walks arrays and nested objects and records where each reference sits', () => {
    const { compiled } = compile([{ deep: ['x', { $ref: 'request.data.count' }] }]);
    expect(compiled.resolve(lookup)).toEqual([{ deep: ['x', 3] }]);
    expect(compiled.refs[0]?.at).toEqual([0, 'deep', 1]);
  });

  it('$literal passes values through untouched', () => {
    const { compiled, problems } = compile({ raw: { $literal: { $ref: 'not.a.ref', text: '{{x}}' } }, n: 1 });
    expect(problems).toEqual([]);
    expect(compiled.constant).toBe(true);
    expect(compiled.resolve(lookup)).toEqual({ raw: { $ref: 'not.a.ref', text: '{{x}}' }, n: 1 });
  });

  it('text without a complete template is a plain string', () => {
    const { compiled, problems } = compile({ a: 'open {{ only', b: 'no braces' });
    expect(problems).toEqual([]);
    expect(compiled.constant).toBe(true);
    expect(compiled.resolve(lookup)).toEqual({ a: 'open {{ only', b: 'no braces' });
  });

  it('freezes constant inputs so that a handler cannot change the next run’s input', () => {
    const source = { options: { depth: 1 }, list: [1, 2], lit: { $literal: { k: ['v'] } } };
    const { compiled } = compile(source);
    const first = compiled.resolve(lookup) as { options: { depth: number }; list: number[]; lit: { k: string[] } };
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      first.options.depth = 2;
    }).toThrow(TypeError);
    expect(() => first.list.push(3)).toThrow(TypeError);
    expect(() => first.lit.k.push('w')).toThrow(TypeError);
    expect(compiled.resolve(lookup)).toEqual({ options: { depth: 1 }, list: [1, 2], lit: { k: ['v'] } });
    expect(Object.isFrozen(source.options)).toBe(false);
  });

  it('freezes $literal parts of a non-constant input and builds fresh objects for the rest', () => {
    const { compiled } = compile({
      id: { $ref: 'request.data.customerId' },
      opts: { $literal: { a: [1] } },
      plain: { b: 1 },
    });
    const first = compiled.resolve(lookup) as { opts: { a: number[] }; plain: { b: number } };
    expect(() => first.opts.a.push(2)).toThrow(TypeError);
    first.plain.b = 99;
    expect(compiled.resolve(lookup)).toMatchObject({ opts: { a: [1] }, plain: { b: 1 } });
  });

  it('takes data with nothing to fill in whole, beside references, each resolution a fresh copy', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ n: i, tags: ['a', 'b {c}'] }));
    const { compiled, problems } = compile({
      id: { $ref: 'request.data.customerId' },
      rows,
      note: 'Hi {{ request.data.customerId }}',
    });
    expect(problems).toEqual([]);
    const first = compiled.resolve(lookup) as { id: unknown; rows: typeof rows; note: string };
    expect(first.rows).toEqual(rows);
    expect(first.rows).not.toBe(rows);
    first.rows[0]!.n = -1;
    expect((compiled.resolve(lookup) as typeof first).rows[0]).toEqual({ n: 0, tags: ['a', 'b {c}'] });
    // The caller's value is neither changed nor frozen.
    expect(Object.isFrozen(rows)).toBe(false);
  });

  it('reports malformed references with where they sit, and keeps going', () => {
    const { problems } = compile({
      a: { $ref: 5 },
      b: { $ref: 'steps..x' },
      c: ['ok', 'Hi {{ 1bad }}'],
      d: { $ref: 'steps.__proto__' },
      e: { $ref: 'request.data', extra: true },
      f: { $literal: 1, also: 2 },
      g: { $literal: () => 1 },
    });
    expect(problems.map((p) => `${p.path} ${p.code}`)).toEqual([
      'input.a invalid-reference',
      'input.b invalid-reference',
      'input.c[1] invalid-reference',
      'input.d invalid-reference',
      'input.e invalid-reference',
      'input.f invalid-literal',
      'input.g invalid-literal',
    ]);
    expect(problems[0]?.message).toBe('$ref must be a string path');
    expect(problems[4]?.message).toContain('takes no other keys, got "extra"');
  });
});
