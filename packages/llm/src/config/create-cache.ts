/** Builds the `SemanticCache` an enhanced target uses from its resolved config: embedder, store and matching options. */
import { type CacheStore, MemoryStore, RedisStore, SemanticCache } from '@baton/cache';
import type { ResolvedConfig } from './resolve-config.js';
import { resolveEmbedder } from './resolve-embedder.js';

function createStore(config: ResolvedConfig): CacheStore {
  if (config.store) return config.store;
  if (config.redisUrl) return new RedisStore({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix });
  return new MemoryStore();
}

export function createCache(config: ResolvedConfig): SemanticCache {
  return new SemanticCache({
    embedder: config.embedder ?? resolveEmbedder(config.embeddingModel),
    store: createStore(config),
    similarityThreshold: config.similarityThreshold,
    ttlMs: config.cacheTtl === null ? null : config.cacheTtl * 1000,
    maxEntries: config.maxCacheSize,
    compression: config.enableCompression,
    cacheNonZeroTemperature: config.cacheNonZeroTemperature,
    hierarchical: {
      enabled: config.enableHierarchical,
      weightWhole: config.hierarchicalWeightL1,
      weightChunks: config.hierarchicalWeightL2,
    },
  });
}
