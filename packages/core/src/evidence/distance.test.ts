import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import {
  autoDistance,
  collectStrings,
  cosineDistance,
  createEmbeddingTextDistance,
  differingFields,
  numericDistance,
  resolveDistance,
  textDistance,
  tokenize,
} from './distance.js';

describe('numericDistance', () => {
  it('is the relative difference, capped at 1', () => {
    expect(numericDistance(100, 90)).toBeCloseTo(0.1, 12);
    expect(numericDistance(90, 100)).toBeCloseTo(0.1, 12);
    expect(numericDistance(0, 0)).toBe(0);
    expect(numericDistance(0, 5)).toBe(1);
    expect(numericDistance(5, -5)).toBe(1);
  });

  it('treats two NaNs and equal infinities as the same, other non-finite pairs as far apart', () => {
    expect(numericDistance(Number.NaN, Number.NaN)).toBe(0);
    expect(numericDistance(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(0);
    expect(numericDistance(Number.POSITIVE_INFINITY, 1)).toBe(1);
    expect(numericDistance(Number.NaN, 1)).toBe(1);
  });
});

describe('tokenize', () => {
  it('lowercases and keeps words, digits and inner apostrophes', () => {
    expect(tokenize("Don't STOP, believing in 2024!")).toEqual(["don't", 'stop', 'believing', 'in', '2024']);
    expect(tokenize('  ...  ')).toEqual([]);
  });
});

describe('textDistance', () => {
  it('ignores case and punctuation', () => {
    expect(textDistance('The cat sat.', 'the CAT sat')).toBe(0);
  });

  it('is 1 − cosine of token counts', () => {
    // {the, cat, sat} · {the, cat, ran} = 2; both norms √3, so 1 − 2/3.
    expect(textDistance('the cat sat', 'the cat ran')).toBeCloseTo(1 / 3, 12);
    // {no: 1} · {no: 2} = 2; norms 1 and 2, so cosine 1.
    expect(textDistance('no', 'no no')).toBe(0);
  });

  it('knows no synonyms', () => {
    expect(textDistance('car', 'automobile')).toBe(1);
  });

  it('handles texts without words', () => {
    expect(textDistance('', '...')).toBe(0);
    expect(textDistance('', 'word')).toBe(1);
  });
});

describe('cosineDistance', () => {
  it('is 1 − cosine, clamped to [0, 1]', () => {
    expect(cosineDistance([3, 4], [4, 3])).toBeCloseTo(1 - 24 / 25, 12);
    expect(cosineDistance([1, 1], [2, 2])).toBeCloseTo(0, 12);
    expect(cosineDistance([1, 0], [0, 1])).toBe(1);
    expect(cosineDistance([1, 0], [-1, 0])).toBe(1);
  });

  it('handles zero vectors', () => {
    expect(cosineDistance([0, 0], [0, 0])).toBe(0);
    expect(cosineDistance([0, 0], [1, 0])).toBe(1);
  });
});

describe('autoDistance', () => {
  it('is 0 for identical structured values', () => {
    const value = { a: [1, 'two', { three: true }], b: null, c: { d: 'text' } };
    expect(autoDistance(value, structuredClone(value))).toBe(0);
  });

  it('averages over the union of fields, numbers by relative difference and strings as text', () => {
    expect(autoDistance({ city: 'Paris', population: 100 }, { city: 'paris', population: 90 })).toBeCloseTo(0.05, 12);
  });

  it('counts a missing key as 1', () => {
    expect(autoDistance({ a: 1, b: 2 }, { a: 1 })).toBe(0.5);
    expect(autoDistance({ a: 1 }, { a: 1, b: undefined })).toBe(0);
  });

  it('splits a nested value’s weight among its own fields', () => {
    // a: (0 + |2 − 3| / 3) / 2 = 1/6; b: 0; overall (1/6 + 0) / 2.
    expect(autoDistance({ a: { x: 1, y: 2 }, b: 'hi' }, { a: { x: 1, y: 3 }, b: 'hi' })).toBeCloseTo(1 / 12, 12);
  });

  it('compares arrays by position, with missing items as 1', () => {
    expect(autoDistance([1, 2, 3], [1, 2])).toBeCloseTo(1 / 3, 12);
    expect(autoDistance([], [])).toBe(0);
  });

  it('picks text for strings and relative difference for numbers', () => {
    expect(autoDistance('the cat sat', 'the cat ran')).toBeCloseTo(1 / 3, 12);
    expect(autoDistance(100, 90)).toBeCloseTo(0.1, 12);
  });

  it('needs equality for booleans, null and values of different types', () => {
    expect(autoDistance(true, true)).toBe(0);
    expect(autoDistance(true, false)).toBe(1);
    expect(autoDistance(null, null)).toBe(0);
    expect(autoDistance(null, {})).toBe(1);
    expect(autoDistance(1, '1')).toBe(1);
    expect(autoDistance([], {})).toBe(1);
    expect(autoDistance(new Date(5), new Date(5))).toBe(0);
    expect(autoDistance(new Date(5), new Date(6))).toBe(1);
  });

  it('stays in [0, 1] for every pair of a varied sample', () => {
    const samples = [0, -3, 7.5, 'a b', 'c', '', true, null, [1, 'x'], { a: -1, b: [2] }, { a: 'z' }, []];
    for (const a of samples) {
      for (const b of samples) {
        const distance = autoDistance(a, b);
        expect(distance).toBeGreaterThanOrEqual(0);
        expect(distance).toBeLessThanOrEqual(1);
        expect(autoDistance(b, a)).toBeCloseTo(distance, 12);
      }
    }
  });

  it('uses the given text distance for string fields', () => {
    const text = vi.fn(() => 0.5);
    expect(autoDistance({ a: 'x', b: 'y' }, { a: 'x', b: 'z' }, { text })).toBe(0.5);
    expect(text).toHaveBeenCalledTimes(2);
  });
});

describe('differingFields', () => {
  it('lists the paths of differing leaves, missing keys and added keys', () => {
    const consensus = { name: 'Ada', age: 36, tags: ['a', 'b'], address: { city: 'London', 'zip code': 'N1' } };
    const other = { name: 'ada', age: 37, tags: ['a'], address: { city: 'Paris', 'zip code': 'N2' }, extra: true };
    expect(differingFields(consensus, other)).toEqual([
      'age',
      'tags[1]',
      'address.city',
      'address["zip code"]',
      'extra',
    ]);
  });

  it('reports a type mismatch where it happens, and the root as the empty path', () => {
    expect(differingFields({ items: [{ id: 1 }] }, { items: [5] })).toEqual(['items[0]']);
    expect(differingFields(1, 'x')).toEqual(['']);
    expect(differingFields({ a: 1 }, { a: 1 })).toEqual([]);
  });
});

/** A fake embedder: `car` and `automobile` point almost the same way, `banana` elsewhere. */
function fakeEmbed() {
  const vectors: Record<string, number[]> = {
    car: [1, 0.1, 0],
    automobile: [1, 0.12, 0],
    banana: [0, 0, 1],
  };
  return vi.fn(async (texts: string[]) => texts.map((text) => vectors[text] ?? [0, 1, 0]));
}

describe('createEmbeddingTextDistance', () => {
  it('embeds the unique texts once and compares them by cosine distance', async () => {
    const embed = fakeEmbed();
    const text = await createEmbeddingTextDistance(embed, ['car', 'automobile', 'car', 'banana']);
    expect(embed).toHaveBeenCalledTimes(1);
    expect(embed).toHaveBeenCalledWith(['car', 'automobile', 'banana']);
    const expected = 1 - (1 + 0.1 * 0.12) / Math.sqrt((1 + 0.01) * (1 + 0.0144));
    expect(text('car', 'automobile')).toBeCloseTo(expected, 12);
    expect(text('car', 'automobile')).toBeLessThan(0.01);
    expect(text('car', 'banana')).toBe(1);
  });

  it('throws when asked about a text it did not embed', async () => {
    const text = await createEmbeddingTextDistance(fakeEmbed(), ['car']);
    expect(() => text('car', 'bicycle')).toThrow(ValidationError);
  });

  it('rejects an embedder that returns the wrong number of vectors', async () => {
    const embed = async () => [[1, 0]];
    const error = await createEmbeddingTextDistance(embed, ['a', 'b']).catch((e: unknown) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).problems).toEqual([
      expect.objectContaining({ path: 'embed', code: 'invalid-embedding', message: expect.stringContaining('got 1') }),
    ]);
  });
});

describe('resolveDistance', () => {
  it('defaults to auto, without calling anything up front', async () => {
    const { distance, name } = await resolveDistance('auto', { values: [] });
    expect(name).toBe('auto');
    expect(await distance({ a: 1 }, { a: 1 })).toBe(0);
  });

  it('embeds every nested string once for auto with an embedder', async () => {
    const embed = fakeEmbed();
    const values = [
      { label: 'car', tags: ['banana'] },
      { label: 'automobile', tags: ['banana'] },
    ];
    const { distance, name } = await resolveDistance('auto', { embed, values });
    expect(name).toBe('auto+embedding');
    expect(embed).toHaveBeenCalledExactlyOnceWith(['car', 'banana', 'automobile']);
    expect(await distance(values[0], values[1])).toBeLessThan(0.01);
  });

  it('compares non-string outputs as their JSON under text', async () => {
    const { distance, name } = await resolveDistance('text', { values: [] });
    expect(name).toBe('text');
    expect(await distance({ a: 'x' }, { a: 'x' })).toBe(0);
    expect(await distance({ a: 'x' }, { a: 'y' })).toBeCloseTo(0.5, 12);
  });

  it('keeps a custom function and its name', async () => {
    const hamming = (a: unknown, b: unknown) => (a === b ? 0 : 1);
    expect(await resolveDistance(hamming, { values: [] })).toEqual({ distance: hamming, name: 'hamming' });
  });
});

describe('collectStrings', () => {
  it('finds strings at any depth', () => {
    expect(collectStrings({ a: 'x', b: [1, 'y', { c: 'z' }], d: null })).toEqual(['x', 'y', 'z']);
  });
});

describe('values nested deeper than the limit', () => {
  const nested = (levels: number, leaf: unknown): unknown => {
    let value = leaf;
    for (let i = 0; i < levels; i++) value = { next: value };
    return value;
  };
  const problemOf = (work: () => unknown) => {
    try {
      work();
    } catch (error) {
      expect(ValidationError.isInstance(error)).toBe(true);
      return (error as ValidationError).problems[0];
    }
    throw new Error('expected a ValidationError');
  };

  it('are a ValidationError naming where the walk stopped, for every walker', () => {
    const [a, b] = [nested(100_000, 'x'), nested(100_000, 'y')];
    for (const problem of [
      problemOf(() => autoDistance(a, b)),
      problemOf(() => differingFields(a, b)),
      problemOf(() => collectStrings(a)),
    ]) {
      expect(problem?.code).toBe('too-deep');
      expect(problem?.path.startsWith('next.next.next')).toBe(true);
      expect(problem?.path.length).toBeLessThanOrEqual(200);
    }
  });

  it('still compare at 1000 levels', () => {
    expect(autoDistance(nested(999, 'x'), nested(999, 'x'))).toBe(0);
    expect(differingFields(nested(999, 'x'), nested(999, 'y'))).toHaveLength(1);
    expect(collectStrings(nested(999, 'x'))).toEqual(['x']);
  });

  it('compare a __proto__ key as an ordinary field', () => {
    const a = JSON.parse('{"__proto__":{"v":1},"k":1}');
    const b = JSON.parse('{"__proto__":{"v":2},"k":1}');
    expect(differingFields(a, b)).toEqual(['__proto__.v']);
    expect(autoDistance(a, b)).toBeGreaterThan(0);
  });
});
