/**
 * @baton/cache — Baton's semantic cache: an exact tier and a verified semantic tier over pluggable embedders
 * (offline SIF word vectors by default, OpenAI-compatible endpoints, local ONNX models), a flat/HNSW vector index,
 * and memory, SQLite and Redis stores.
 */
export {
  type ContextInjectionOptions,
  type ContextTemplate,
  DEFAULT_RELATED_MIN_SIMILARITY,
  DEFAULT_RELATED_TOP_K,
  formatContext,
  type RelatedAnswer,
  type RelatedOptions,
} from './context/related-context.js';
export { type CachedEmbedder, type CachedEmbedderOptions, withEmbeddingCache } from './embedders/cached-embedder.js';
export { cosine, type Embedder, normalize } from './embedders/embedder.js';
export {
  assertOnnxModelDirectory,
  createOnnxEmbedder,
  type OnnxEmbedderOptions,
  onnxModelFingerprint,
} from './embedders/onnx-embedder.js';
export { createOpenAIEmbedder, type OpenAIEmbedderOptions } from './embedders/openai-embedder.js';
export { createSifEmbedder, type SifEmbedder, type SifEmbedderOptions } from './embedders/sif-embedder.js';
export { wordTokens } from './embedders/tokenize.js';
export {
  type BuildWordVectorsOptions,
  buildWordVectors,
  defaultWordVectorsPath,
  ensureWordVectors,
  loadWordVectors,
  type WordVectors,
} from './embedders/word-vectors.js';
export {
  CacheStoreError,
  CorruptEntryError,
  EmbedderMismatchError,
  EmbeddingFailedError,
  InvalidPairsError,
  ModelNotFoundError,
  VectorDimensionError,
} from './errors.js';
export {
  type Confusion,
  type EvaluateOptions,
  type Evaluation,
  evaluatePairs,
  judgeScores,
  type LabelledPair,
  type PairScore,
  parsePairs,
  scorePairs,
} from './eval/evaluate-pairs.js';
export { calibrateThreshold, candidateThresholds, type SweepResult, sweepThreshold } from './eval/threshold-sweep.js';
export { FlatIndex } from './index/flat-index.js';
export { HnswIndex, type HnswIndexOptions } from './index/hnsw-index.js';
export { PartitionIndex, type PartitionIndexOptions } from './index/partition-index.js';
export type { SearchResult, VectorIndex } from './index/vector-index.js';
export { type BytesDigest, keyableValue, type SplitContent, splitContent } from './match/attachments.js';
export {
  bypassReason,
  type CacheabilityOptions,
  emptyPromptReason,
  isRefusalText,
  refusalToStore,
} from './match/cacheability.js';
export { chunkText, type HierarchicalOptions, hierarchicalScore } from './match/hierarchical.js';
export type { CacheMessage, CacheRequest, CacheResponse, CacheScope, CacheUsage } from './match/request.js';
export { exactKey, lastUserTurn, normalizePrompt, partitionKey, scopeKey } from './match/request-keys.js';
export { SingleFlight } from './match/single-flight.js';
export {
  DEFAULT_SIMILARITY_THRESHOLD,
  similarityThresholdProblems,
  validateSimilarityThreshold,
} from './match/threshold.js';
export type { CacheMetrics } from './metrics.js';
export {
  type LookupResult,
  SemanticCache,
  type SemanticCacheOptions,
  type StoreOptions,
  type StoreResult,
} from './semantic-cache.js';
export type { CacheEntry, CacheStore, VectorLogPage } from './stores/cache-store.js';
export { MemoryStore } from './stores/memory-store.js';
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.js';
export { SqliteStore, type SqliteStoreOptions } from './stores/sqlite-store.js';
export { canonicalText } from './verify/canonical-form.js';
export { createLexicon, type Lexicon, loadDefaultLexicon } from './verify/lexicon.js';
export {
  allPassed,
  type CheckName,
  type CheckResult,
  formOf,
  type VerifyOptions,
  verifyMatch,
} from './verify/verify-match.js';
