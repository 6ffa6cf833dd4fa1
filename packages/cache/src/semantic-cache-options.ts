/** The options of `SemanticCache` and the results its lookups and stores return. */
import type { ContextInjectionOptions, RelatedAnswer } from './context/related-context.js';
import type { Embedder } from './embedders/embedder.js';
import type { PartitionIndexOptions } from './index/partition-index.js';
import type { CacheabilityOptions } from './match/cacheability.js';
import type { HierarchicalOptions } from './match/hierarchical.js';
import type { CacheResponse, CacheUsage } from './match/request.js';
import type { PayloadCodecOptions } from './payload-codec.js';
import type { CacheStore } from './stores/cache-store.js';
import type { CheckResult, VerifyOptions } from './verify/verify-match.js';

export interface SemanticCacheOptions extends CacheabilityOptions, PayloadCodecOptions {
  /** @default withEmbeddingCache(createSifEmbedder()) */
  embedder?: Embedder;
  /**
   * Where entries live. The primitive keeps them in memory unless given a store: it has no project folder to assume,
   * and evaluation tools build thousands of throwaway caches. `enhance()` defaults to SQLite at `.baton/cache.db`.
   * @default new MemoryStore()
   */
  store?: CacheStore;
  /** Cosine similarity in (0, 1] a semantic candidate needs; see `validateSimilarityThreshold`. @default 0.65 */
  similarityThreshold?: number;
  /** Lifetime of an entry in ms; null keeps entries until evicted. @default 3600000 */
  ttlMs?: number | null;
  /** Each hit extends the entry's life by `ttlMs` (sliding expiry). @default false */
  slidingTtl?: boolean;
  /** Most entries kept; least recently used go first. @default 10000 */
  maxEntries?: number;
  /** Most bytes kept (payload + text + vectors). @default Infinity */
  maxBytes?: number;
  /** Semantic candidates examined per lookup. @default 5 */
  candidates?: number;
  /**
   * Prompts longer than this many characters are matched by the exact tier only, with their case kept: embedding and
   * verifying them would cost more than a paraphrase of a long document is likely to save, and a lookup must stay
   * quick (a 1 MB prompt is looked up by its hash alone). @default 16384
   */
  semanticMaxChars?: number;
  hierarchical?: HierarchicalOptions;
  verify?: VerifyOptions;
  /**
   * On a miss, attach answers to related earlier questions from the same partition (never another scope) as
   * `related`, for the caller to add to the prompt with `formatContext`. @default { enabled: false, topK: 3, minSimilarity: 0.6 }
   */
  contextInjection?: ContextInjectionOptions;
  /** How vectors are indexed: flat (exact) per partition while small, HNSW past `hnswThreshold` entries. */
  index?: PartitionIndexOptions;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

export type LookupResult =
  | {
      status: 'hit';
      tier: 'exact' | 'semantic';
      similarity: number;
      checks: CheckResult[];
      entryId: string;
      response: CacheResponse;
      usage: CacheUsage | undefined;
    }
  | {
      status: 'miss';
      rejected: { entryId: string; similarity: number; checks: CheckResult[] }[];
      /** Present when `contextInjection.enabled`: related earlier answers, most similar first. */
      related?: RelatedAnswer[];
    }
  | { status: 'bypass'; reason: string };

export interface StoreOptions {
  tags?: string[];
  /** Overrides the cache's ttlMs for this entry. */
  ttlMs?: number | null;
  /** The response calls tools whose results do not change: cache it anyway. @default false */
  deterministic?: boolean;
}

export type StoreResult = { stored: true; entryId: string } | { stored: false; reason: string };
