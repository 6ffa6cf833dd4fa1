import { createSifEmbedder } from '@baton/cache';
import { describe, expect, it } from 'vitest';
import { bestWithin, createRelevanceScorer } from './relevance-scorer.js';

describe('createRelevanceScorer', () => {
  it('scores the text about the request above the others, and names count', async () => {
    const scorer = createRelevanceScorer(createSifEmbedder(), 'What is the API rate limit per key?');
    const [limit, lunch, key] = await scorer.score([
      'Each API key may send up to 600 requests per minute.',
      'Lunch on Fridays is catered by the place across the street.',
      'Rotate your key every ninety days.',
    ]);
    expect(limit!).toBeGreaterThan(lunch!);
    expect(limit!).toBeGreaterThan(key!);
    expect(await scorer.score([])).toEqual([]);
  });
});

describe('bestWithin', () => {
  it('takes the best first while they fit, and smaller ones after a miss', () => {
    expect([...bestWithin([0.9, 0.8, 0.1, Number.NEGATIVE_INFINITY], [5, 10, 3, 1], 9)]).toEqual([0, 2]);
  });
});
