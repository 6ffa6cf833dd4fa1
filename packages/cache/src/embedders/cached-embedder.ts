/**
 * Wraps an embedder with an LRU of recent embeddings and batching: texts requested in the same tick are merged,
 * de-duplicated and sent in batches of at most `maxBatchSize`, so a burst of lookups makes few model calls.
 */
import type { Embedder } from './embedder.js';
import { EmbeddingLru } from './embedding-lru.js';

export interface CachedEmbedderOptions {
  /** Recent embeddings kept in memory. 0 disables the LRU. @default 10000 */
  maxEntries?: number;
  /** Largest number of texts sent to the inner embedder in one call. @default 64 */
  maxBatchSize?: number;
}

export interface CachedEmbedder extends Embedder {
  readonly inner: Embedder;
  /** Embeddings answered from the LRU, and texts sent to the inner embedder, since creation. */
  stats(): { lruHits: number; embedded: number; calls: number };
}

interface Pending {
  text: string;
  resolve: (vector: Float32Array) => void;
  reject: (error: unknown) => void;
}

/**
 * @example
 * const embedder = withEmbeddingCache(createSifEmbedder(), { maxEntries: 50_000 });
 */
export function withEmbeddingCache(inner: Embedder, options: CachedEmbedderOptions = {}): CachedEmbedder {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxBatchSize = options.maxBatchSize ?? 64;
  const recent = new EmbeddingLru(maxEntries, inner.dimension);
  const stats = { lruHits: 0, embedded: 0, calls: 0 };
  let queue: Pending[] = [];

  const flush = async () => {
    const pending = queue;
    queue = [];
    const unique = [...new Set(pending.map((item) => item.text))];
    const results = new Map<string, Float32Array>();
    try {
      for (let start = 0; start < unique.length; start += maxBatchSize) {
        const batch = unique.slice(start, start + maxBatchSize);
        stats.calls++;
        stats.embedded += batch.length;
        const vectors = await inner.embed(batch);
        batch.forEach((text, index) => {
          results.set(text, vectors[index]!);
          recent.set(text, vectors[index]!);
        });
      }
      for (const item of pending) item.resolve(results.get(item.text)!.slice());
    } catch (error) {
      for (const item of pending) item.reject(error);
    }
  };

  const request = (text: string) =>
    new Promise<Float32Array>((resolve, reject) => {
      if (queue.length === 0) queueMicrotask(() => void flush());
      queue.push({ text, resolve, reject });
    });

  return {
    id: inner.id,
    dimension: inner.dimension,
    ...(inner.canonicalInput ? { canonicalInput: true } : {}),
    inner,
    stats: () => ({ ...stats }),
    embed(texts) {
      return Promise.all(
        texts.map((text) => {
          const hit = recent.get(text);
          if (!hit) return request(text);
          stats.lruHits++;
          return hit;
        }),
      );
    },
  };
}
