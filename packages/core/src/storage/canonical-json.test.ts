import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import { canonicalJson, isStorableJson } from './canonical-json.js';

/** RFC 8785's text of `value` as the `canonicalize` package writes it, or the error it throws. */
function reference(value: unknown): string | Error {
  try {
    return canonicalize(value) ?? 'null';
  } catch (error) {
    return error as Error;
  }
}

/** Any UTF-16 code unit, lone surrogates included, and the characters of an escape written out (`\\ud800`). */
const utf16Unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('\\', 'u', 'd', '8', 'f', '\ud83d\ude00'),
);

describe('canonicalJson', () => {
  it('writes every JSON value as the canonicalize package does (RFC 8785), byte for byte', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with it on any UTF-16 text too, lone surrogates included: the same text, or both refuse', () => {
    let refusals = 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3, stringUnit: utf16Unit }), (value) => {
        const expected = reference(value);
        if (expected instanceof Error) {
          refusals++;
          expect(() => canonicalJson(value)).toThrow(ValidationError);
        } else {
          expect(canonicalJson(value)).toBe(expected);
        }
      }),
      { numRuns: 2000 },
    );
    expect(refusals).toBeGreaterThan(0);
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 does, whatever the script', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: 'grapheme', maxLength: 4 }),
          fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        ),
        (value) => {
          expect(canonicalJson(value)).toBe(reference(value));
        },
      ),
      { numRuns: 1000 },
    );
    const keys = { é: 1, z: 2, '😀': 3, ﬀ: 4, A: 5, '10': 6, '2': 7 };
    expect(canonicalJson(keys)).toBe('{"10":6,"2":7,"A":5,"z":2,"é":1,"😀":3,"ﬀ":4}');
  });

  it('writes numbers in ECMAScript form: 1e21, 1e-7, -0 as 0, integers without a point', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 10, 0.1 + 0.2, 5e-324])).toBe('[1e+21,1e-7,0,10,0.30000000000000004,5e-324]');
  });

  it('refuses what RFC 8785 cannot write: NaN, Infinity, a BigInt, a cycle, a lone surrogate in a value or a key', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const refused: unknown[] = [
      Number.NaN,
      { deep: [1, { n: Number.POSITIVE_INFINITY }] },
      [Number.NEGATIVE_INFINITY],
      { big: 1n },
      cycle,
      { text: 'half \ud800 a pair' },
      ['\udc00'],
      { 'key \udbff': 1 },
    ];
    for (const value of refused) {
      expect(reference(value)).toBeInstanceOf(Error);
      expect(() => canonicalJson(value)).toThrow(ValidationError);
      expect(isStorableJson(value)).toBe(false);
    }
  });

  it('keeps a whole surrogate pair, and a backslash written before "ud800", as text', () => {
    for (const value of [
      { emoji: '😀' },
      { text: '\\ud800 is how JSON escapes it' },
      ['\\\\ud800'],
      { '\\udfff': true },
    ]) {
      expect(canonicalJson(value)).toBe(reference(value));
      expect(isStorableJson(value)).toBe(true);
    }
  });

  it('leaves out functions, symbols and undefined as JSON does: a key holding one is dropped, an array item is null', () => {
    const value = { a: 1, f: () => 1, s: Symbol('x'), u: undefined, list: [1, () => 2, Symbol('y'), undefined] };
    expect(canonicalJson(value)).toBe('{"a":1,"list":[1,null,null,null]}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(() => 1)).toBe('null');
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('still refuses NaN in a value that also holds a function', () => {
    expect(() => canonicalJson({ f: () => 1, n: Number.NaN })).toThrow(ValidationError);
  });

  it('writes what toJSON gives (a date as its ISO text)', () => {
    const at = new Date(Date.UTC(2026, 11, 7, 4, 0, 0));
    expect(canonicalJson({ at, b: [at] })).toBe('{"at":"2026-12-07T04:00:00.000Z","b":["2026-12-07T04:00:00.000Z"]}');
    expect(canonicalJson({ at })).toBe(reference({ at }));
  });

  it('names the problem in a ValidationError', () => {
    try {
      canonicalJson({ n: Number.NaN });
      expect.unreachable();
    } catch (error) {
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).problems[0]?.message).toMatch(/NaN/);
    }
  });
});
