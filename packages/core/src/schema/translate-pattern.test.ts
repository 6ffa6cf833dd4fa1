import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safePattern } from './safe-pattern.js';
import { translatePattern } from './translate-pattern.js';
import { UnsupportedPatternError } from './unsupported-pattern-error.js';

/** Patterns whose meaning differs between ECMA-262 and RE2 unless spelled out, with strings that tell them apart. */
const PATTERNS = [
  '^[a-z]+$',
  '^\\d{3}-\\d{4}$',
  '^[A-Z]{2}\\d{2}[A-Z0-9]{1,30}$',
  '^\\S+@\\S+$',
  '\\p{L}+',
  '^\\p{Lu}\\P{Lu}*$',
  '^\\p{Letter}+$',
  '^\\p{Script=Greek}+$',
  '^[\\p{ASCII}]+$',
  '\\P{ASCII}',
  '^.$',
  '^.+$',
  '\\s',
  '^\\S*$',
  '^[\\s\\d]+$',
  '^[^\\S]+$',
  '^[\\s\\S]$',
  '^[^]$',
  '[]',
  'a$',
  '^b',
  'b',
  '\\bcat\\b',
  '\\Bat',
  '^\\u{1F600}$',
  '^\\uD83D\\uDE00$',
  '^\\u00e9$',
  '^\\x41\\cJ\\0$',
  '^[\\b]$',
  '^[[]$',
  '^[[:alpha:]+$',
  '^[\\]-]$',
  '^[a-]$',
  '^[--0]+$',
  '^\\/\\.\\*$',
  '(?<year>\\d{4})-(?:\\d\\d)',
  '^(?:ab|cd){2,3}?$',
  '^a{2,}$',
  '^(a+)+$',
  '^\\w+\\W\\w+$',
];
const SAMPLES = [
  '',
  'abc',
  'ABC',
  'Abc',
  'a',
  'b',
  'ab',
  'cat',
  'a cat sat',
  'concat',
  'bat',
  'hat',
  '555-1234',
  '5551234',
  'DE89370400440532013000',
  'a@b.c',
  'a @b.c',
  'a\u00a0@b',
  '😀',
  '\ud83d',
  'é',
  'αβγ',
  'Ωmega',
  '中文',
  '\n',
  'a\n',
  '\r',
  '\u2028',
  '\u00a0',
  '\ufeff',
  '\v',
  ' \t',
  ' 12 ',
  '\b',
  'A\n\0',
  '[',
  ']',
  '-',
  '/.*',
  '2024-06',
  'abcd',
  'abcdab',
  'aa',
  'aaa!',
  'foo_bar-baz',
];

describe('translatePattern', () => {
  it.each(PATTERNS)('runs %j as the native u-flag RegExp does', (pattern) => {
    const native = new RegExp(pattern, 'u');
    const safe = safePattern(pattern);
    expect(SAMPLES.map((sample) => safe.test(sample))).toEqual(SAMPLES.map((sample) => native.test(sample)));
  });

  it('agrees with the native engine on random strings', () => {
    const unit = fc.constantFrom('a', 'b', 'Z', '1', '-', '@', ' ', '\n', '\u00a0', '\u2028', 'é', '😀', '_', '.');
    fc.assert(
      fc.property(fc.constantFrom(...PATTERNS), fc.string({ unit, maxLength: 12 }), (pattern, text) => {
        expect(safePattern(pattern).test(text)).toBe(new RegExp(pattern, 'u').test(text));
      }),
    );
  });

  it('spells out what RE2 reads differently', () => {
    expect(translatePattern('.')).toBe('[^\\x{a}\\x{d}\\x{2028}\\x{2029}]');
    expect(translatePattern('[[:a:]')).toBe('[\\x{5b}\\x{3a}\\x{61}\\x{3a}]');
    expect(translatePattern('(?<n>a)')).toBe('(?:\\x{61})');
  });

  it.each([
    ['(a)\\1', 'a backreference \\1'],
    ['(?<n>a)\\k<n>', 'a backreference \\k<n>'],
    ['a(?=b)', 'a lookahead (?=…)'],
    ['a(?!b)', 'a lookahead (?!…)'],
    ['(?<=a)b', 'a lookbehind (?<=…)'],
    ['(?<!a)b', 'a lookbehind (?<!…)'],
    ['^.{0,5000}$', 'a repeat count above 1000, {0,5000}'],
    ['\\p{Script_Extensions=Greek}', 'the Unicode property \\p{Script_Extensions=Greek}'],
    ['\\p{sc=Grek}', 'the Unicode property \\p{sc=Grek}'],
    ['(?:a{10}){200}', 'RE2 says invalid repeat count: `{200}`'],
  ])('refuses %j: %s', (pattern, reason) => {
    const error = catchError(() => safePattern(pattern));
    expect(error).toMatchObject({ code: 'unsupported-pattern', kind: 'feature', pattern, reason });
    expect(error.message).toContain(`pattern ${JSON.stringify(pattern)} uses a feature Baton does not run`);
  });

  it('refuses a pattern that would compile to a very large program', () => {
    const pattern = 'a{1000}'.repeat(6);
    const error = catchError(() => safePattern(pattern));
    expect(error).toMatchObject({ kind: 'size', reason: 'about 6000 steps compiled, more than 5000' });
    expect(() => safePattern('^.{1,1000}$')).not.toThrow();
  });

  it('refuses what is not ECMA-262 with the u flag, with the parser’s reason', () => {
    const error = catchError(() => safePattern('a{'));
    expect(error).toMatchObject({ kind: 'syntax', pattern: 'a{', reason: 'Incomplete quantifier' });
    expect(catchError(() => safePattern('[[:alpha:]]')).kind).toBe('syntax');
  });
});

function catchError(run: () => unknown): UnsupportedPatternError {
  try {
    run();
  } catch (error) {
    if (UnsupportedPatternError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an UnsupportedPatternError');
}
