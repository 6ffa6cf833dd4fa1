import { describe, expect, it } from 'vitest';
import { holdsVerbatim, quotedSpans } from './quoted-spans.js';

describe('quotedSpans', () => {
  it('reads double, curly, single and code quotes, not the apostrophes of words', () => {
    expect(quotedSpans(`Is 'can't' a contraction? Say "yes" or run \`npm  test\``)).toEqual([
      "can't",
      'yes',
      'npm test',
    ]);
    expect(quotedSpans('What does “ennui” mean, and ‘blasé’?')).toEqual(['ennui', 'blasé']);
    expect(quotedSpans("It's the students' books, not John's")).toEqual([]);
    expect(quotedSpans("the '90s and a lone ' mark")).toEqual([]);
    expect(quotedSpans('a quote "that never\ncloses" on its line')).toEqual([]);
  });
});

describe('holdsVerbatim', () => {
  it('finds a span where words begin and end, as written', () => {
    expect(holdsVerbatim('What does ephemeral mean?', 'ephemeral')).toBe(true);
    expect(holdsVerbatim('Translate cats to Spanish', 'cat')).toBe(false);
    expect(holdsVerbatim('Translate Cat to Spanish', 'cat')).toBe(false);
    expect(holdsVerbatim('run npm   test now', 'npm test')).toBe(true);
    expect(holdsVerbatim('use a[1:] here', 'a[1:]')).toBe(true);
  });
});
