/**
 * The quality bar of issue 4: on the shipped labelled pairs, with the default embedder and the default threshold,
 * precision ≥ 0.99 and recall ≥ 0.6 through the full matching path (tiers and verification).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../embedders/cached-embedder.js';
import { createSifEmbedder } from '../embedders/sif-embedder.js';
import { SemanticCache } from '../semantic-cache.js';
import { evaluatePairs, parsePairs } from './evaluate-pairs.js';

const pairs = parsePairs(readFileSync(new URL('../../data/pairs.jsonl', import.meta.url), 'utf8'));

describe('matching quality on data/pairs.jsonl', () => {
  it('ships at least 300 labelled pairs, roughly balanced, every one with a kind', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(300);
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
