import { createSifEmbedder } from '@baton/cache';
import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../tokens/token-counter.js';
import { createRelevanceScorer } from './relevance-scorer.js';
import { compressJsonItems } from './relevant-json-items.js';

const counter = tokenCounter('gpt-4o');
const embedder = createSifEmbedder();
const cities = ['Porto', 'Lyon', 'Berlin', 'Madrid', 'Utrecht', 'Turin'];
const orders = Array.from({ length: 30 }, (_, i) => ({
  id: `ORD-${1000 + i}`,
  status: i % 3 === 0 ? 'delivered' : 'processing',
  city: cities[i % cities.length],
  total: 10 + i,
}));
const payload = JSON.stringify({ object: 'list', meta: { page: 1 }, data: orders }, null, 2);

describe('compressJsonItems', () => {
  it('keeps the items of the largest array most relevant to the request, in order, and says how many went', async () => {
    const scorer = createRelevanceScorer(embedder, 'What is the status of order ORD-1017?');
    const compressed = await compressJsonItems(payload, 120, { scorer, counter });
    expect(compressed).toBeDefined();
    const value = JSON.parse(compressed!) as { object: string; meta: unknown; data: unknown[] };
    expect(value.object).toBe('list');
    expect(value.meta).toEqual({ page: 1 });
    expect(value.data).toContainEqual(orders[17]);
    expect(value.data.at(-1)).toMatch(/^\[… \d+ of 30 items left out\]$/);
    const ids = value.data.slice(0, -1).map((item) => (item as { id: string }).id);
    expect(ids).toEqual([...ids].sort());
    expect(counter.text(compressed!)).toBeLessThanOrEqual(120);
  });

  it('leaves alone JSON that would not survive a re-serialisation, or has no array to cut', async () => {
    const scorer = createRelevanceScorer(embedder, 'anything');
    const big = `{"id": 12345678901234567890, "items": ${JSON.stringify(orders)}}`;
    expect(await compressJsonItems(big, 100, { scorer, counter })).toBeUndefined();
    expect(await compressJsonItems(JSON.stringify({ a: 'b'.repeat(500) }), 10, { scorer, counter })).toBeUndefined();
  });
});
