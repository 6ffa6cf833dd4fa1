/**
 * The quality bar of issue 4: on each shipped set of labelled pairs, with the default embedder and the default
 * threshold, precision ≥ 0.99 and recall ≥ 0.6 through the full matching path (tiers and verification).
 * `pairs-holdout.jsonl` was written before verification was tuned against it and is kept that way: near-misses
 * (cats/dogs, berlin/munich, who beat whom) and paraphrases from domains the first set does not cover.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../embedders/cached-embedder.js';
import { createSifEmbedder } from '../embedders/sif-embedder.js';
import { SemanticCache } from '../semantic-cache.js';
import { evaluatePairs, parsePairs } from './evaluate-pairs.js';

const readPairs = (name: string) => parsePairs(readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8'));

describe.each([
  { file: 'pairs.jsonl', minimum: 300 },
  { file: 'pairs-holdout.jsonl', minimum: 150 },
])('matching quality on data/$file', ({ file, minimum }) => {
  const pairs = readPairs(file);

  it(`ships at least ${minimum} labelled pairs, roughly balanced, every one with a kind`, () => {
    expect(pairs.length).toBeGreaterThanOrEqual(minimum);
    const hits = pairs.filter((pair) => pair.hit).length;
    expect(hits / pairs.length).toBeGreaterThan(0.4);
    expect(hits / pairs.length).toBeLessThan(0.6);
    expect(pairs.every((pair) => typeof pair.kind === 'string')).toBe(true);
  });

  it('reaches precision ≥ 0.99 and recall ≥ 0.6 at the default threshold with the default embedder', async () => {
    const threshold = new SemanticCache().similarityThreshold;
    const result = await evaluatePairs(pairs, { embedder: withEmbeddingCache(createSifEmbedder()), threshold });
    const falseHits = result.errors.filter((error) => !error.hit).map((error) => `${error.a} → ${error.b}`);
    expect(result.precision, `false hits: ${falseHits.join(' | ')}`).toBeGreaterThanOrEqual(0.99);
    expect(result.recall).toBeGreaterThanOrEqual(0.6);
  });
});

it('keeps the two sets apart: no holdout pair repeats a pair of the first set', () => {
  const key = (pair: { a: string; b: string }) => `${pair.a.toLowerCase()}\n${pair.b.toLowerCase()}`;
  const first = new Set(readPairs('pairs.jsonl').map(key));
  expect(readPairs('pairs-holdout.jsonl').filter((pair) => first.has(key(pair)))).toEqual([]);
});
