import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from './cached-embedder.js';
import type { Embedder } from './embedder.js';

function countingEmbedder(): Embedder & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id: 'counting',
    dimension: 2,
    calls,
    async embed(texts) {
      calls.push(texts);
      return texts.map((text) => Float32Array.from([text.length, 1]));
    },
  };
}

describe('withEmbeddingCache', () => {
  it('answers repeated texts from the LRU', async () => {
    const inner = countingEmbedder();
    const cached = withEmbeddingCache(inner);
    await cached.embed(['a', 'bb']);
    const [again] = await cached.embed(['bb']);
    expect(Array.from(again!)).toEqual([2, 1]);
    expect(inner.calls).toEqual([['a', 'bb']]);
    expect(cached.stats().lruHits).toBe(1);
  });

  it('merges concurrent requests and removes duplicates', async () => {
    const inner = countingEmbedder();
    const cached = withEmbeddingCache(inner, { maxBatchSize: 2 });
    await Promise.all([cached.embed(['x', 'y']), cached.embed(['y', 'z'])]);
    expect(inner.calls).toEqual([['x', 'y'], ['z']]);
  });

  it('evicts the least recently used text beyond maxEntries', async () => {
    const inner = countingEmbedder();
    const cached = withEmbeddingCache(inner, { maxEntries: 2 });
    await cached.embed(['a']);
    await cached.embed(['b']);
    await cached.embed(['a']);
    await cached.embed(['c']);
    await cached.embed(['a', 'b']);
    expect(inner.calls).toEqual([['a'], ['b'], ['c'], ['b']]);
  });

  it('returns copies, so a caller cannot corrupt the LRU', async () => {
    const cached = withEmbeddingCache(countingEmbedder());
    const [first] = await cached.embed(['abc']);
    first![0] = 99;
    const [second] = await cached.embed(['abc']);
    expect(second![0]).toBe(3);
  });

  it('rejects every waiter when the inner embedder fails', async () => {
    const failing: Embedder = { id: 'f', dimension: 1, embed: async () => Promise.reject(new Error('boom')) };
    const cached = withEmbeddingCache(failing);
    await expect(Promise.all([cached.embed(['a']), cached.embed(['b'])])).rejects.toThrow('boom');
  });
});
