/**
 * Builds the `SemanticCache` an enhanced target uses from its resolved config: embedder, store and matching options.
 * The store is the given instance, a memory store for `store: 'memory'`, Redis for `redisUrl`, and otherwise the
 * embedded default: SQLite at `cachePath` (`.baton/cache.db` under the working directory), so answers outlive the
 * process.
 */
import { resolve } from 'node:path';
import { type CacheStore, MemoryStore, RedisStore, SemanticCache, SqliteStore } from '@baton/cache';
import type { ResolvedConfig } from './resolve-config.js';
import { resolveEmbedder } from './resolve-embedder.js';

function createStore(config: ResolvedConfig): CacheStore {
  if (config.store === 'memory') return new MemoryStore();
  if (config.store) return config.store;
  if (config.redisUrl) return new RedisStore({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix });
  return new SqliteStore({ path: resolve(config.cachePath) });
}

export function createCache(config: ResolvedConfig): SemanticCache {
  return new SemanticCache({
    embedder: config.embedder ?? resolveEmbedder(config.embeddingModel),
    store: createStore(config),
    similarityThreshold: config.similarityThreshold,
    ttlMs: config.cacheTtl === null ? null : config.cacheTtl * 1000,
    slidingTtl: config.slidingTtl,
    maxEntries: config.maxCacheSize,
    maxBytes: config.maxCacheBytes,
    compression: config.enableCompression,
    cacheNonZeroTemperature: config.cacheNonZeroTemperature,
    cacheToolCalls: config.cacheToolCalls,
    hierarchical: {
      enabled: config.enableHierarchical,
      weightWhole: config.hierarchicalWeightL1,
      weightChunks: config.hierarchicalWeightL2,
    },
  });
}
