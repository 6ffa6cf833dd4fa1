/**
 * The one configuration object of `enhance()`: every option is read by `resolveConfig` and covered by a test.
 */
import type { CacheScope, CacheStore, Embedder } from '@baton/cache';

/** Price of one model's tokens, in US dollars per 1,000 tokens. */
export interface ModelPrice {
  inputPer1kTokens: number;
  outputPer1kTokens: number;
}

/** What a call is, for a `scope` function: the AI SDK call options, the graph input and config, or the arguments. */
export type ScopeSource =
  | { kind: 'model'; providerOptions: Record<string, unknown> | undefined }
  | { kind: 'graph'; input: unknown; config: unknown }
  | { kind: 'function'; args: unknown[] };

/** A function or graph call, for a `prompt` function: the arguments, or the graph input and config. */
export type PromptSource = Exclude<ScopeSource, { kind: 'model' }>;

/** Which tools a model call carries when it offers many: the `k` most relevant to the last user message. */
export interface ToolSearchConfig {
  /** Tools kept at most (a tool the call's `toolChoice` names is kept besides them). */
  k: number;
  /** Least score in [0, 1] a tool needs to be kept. @default 0 */
  minScore?: number;
}

export interface EnhanceConfig {
  /**
   * Cosine similarity in (0, 1] a semantic candidate needs (it must also pass verification). Unset, the cache's own
   * default applies, calibrated for its default embedder on the labelled pair set.
   * @default the `@baton/cache` default, 0.65
   */
  similarityThreshold?: number;
  /**
   * Embedder by name: `sif` (offline word vectors), `openai:<model>:<dimension>` (OpenAI-compatible `/embeddings` at
   * `OPENAI_BASE_URL`, key `OPENAI_API_KEY`) or `onnx:<model directory>:<dimension>`. Ignored when `embedder` is set.
   * @default 'sif'
   */
  embeddingModel?: string;
  /** An embedder instance; wins over `embeddingModel`. */
  embedder?: Embedder;
  /** Score long prompts by whole text and chunks (seed: L1 + L2). @default false */
  enableHierarchical?: boolean;
  /** Weight of the whole-prompt similarity; with `hierarchicalWeightL2` it must sum to 1. @default 0.6 */
  hierarchicalWeightL1?: number;
  /** Weight of the chunk similarity. @default 0.4 */
  hierarchicalWeightL2?: number;
  /** Master switch: false sends every call to the target (breaker, metrics and recorder still apply). @default true */
  enableCache?: boolean;
  /** Lifetime of a cached answer in seconds; null keeps answers until evicted. @default 3600 */
  cacheTtl?: number | null;
  /** Each hit extends the answer's life by `cacheTtl` again (sliding expiry) instead of a fixed lifetime. @default false */
  slidingTtl?: boolean;
  /** Most answers kept; the least recently used go first. @default 10000 */
  maxCacheSize?: number;
  /** Most bytes kept (answers, prompts and vectors); the least recently used go first. @default Infinity (no limit) */
  maxCacheBytes?: number;
  /**
   * Cache model answers that call tools. Leave it off unless the tools' results never change for the same call: a
   * cached tool call is replayed without the tools running again. @default false
   */
  cacheToolCalls?: boolean;
  /**
   * SQLite file of the default store, relative to the working directory. Only read when neither `store` nor
   * `redisUrl` is set. @default '.baton/cache.db'
   */
  cachePath?: string;
  /** Redis URL (`redis://host:port/db`) for a cache shared between processes, instead of the SQLite file. */
  redisUrl?: string;
  /** Prefix of every Redis key, so several caches can share one server. @default 'baton:cache:' */
  redisKeyPrefix?: string;
  /**
   * A store instance (e.g. `new RedisStore(...)`), or `'memory'` for a cache that lives and dies with the process;
   * wins over `redisUrl`. Unset, answers are kept in SQLite at `cachePath`.
   * @default a SqliteStore at cachePath
   */
  store?: CacheStore | 'memory';
  /**
   * For a function or a graph: the text of a call to match semantically (paraphrases share an answer). Everything else
   * in the call — each argument or state field that is not exactly that text — must match exactly. Return undefined to
   * match the call exactly. Unset, only a single string argument, a state with one string field, or the last human
   * message of a `messages` state is matched semantically; any other input is matched exactly.
   * @example prompt: (call) => (call.kind === 'function' ? (call.args[1] as string) : undefined)
   */
  prompt?: (call: PromptSource) => string | undefined;
  /** Deflate large cached answers (≥ 1 KiB of JSON). @default false */
  enableCompression?: boolean;
  /** Serve and store calls with temperature > 0 (sampled answers). @default false */
  cacheNonZeroTemperature?: boolean;
  /**
   * On a miss, add the most related past answers of the same partition to the prompt (seed: self-RAG). Models only:
   * `enhance()` of a graph or function refuses it (they have no prompt to add to; enable it on the model they call).
   * @default false
   */
  enableContextInjection?: boolean;
  /** Past answers injected at most. @default 3 (the cache's `DEFAULT_RELATED_TOP_K`) */
  contextInjectionTopK?: number;
  /** Least similarity a past question needs for its answer to be injected. @default 0.6 (`DEFAULT_RELATED_MIN_SIMILARITY`) */
  contextInjectionMinSimilarity?: number;
  /**
   * Template of the injected context; `{context}` becomes the past question/answer pairs.
   * @default 'Related answers given earlier (use them only if they help):\n{context}'
   */
  contextInjectionTemplate?: string;
  /** Keep a bounded in-memory record of every call (outcome, latency, usage), read with `getRecords()`. @default true */
  enableRecorder?: boolean;
  /** Records kept by the recorder; the oldest go first. @default 1000 */
  recorderLimit?: number;
  /** Price per 1,000 tokens (input and output alike) for models missing from `pricing`. @default 0.03 */
  llmCostPer1kTokens?: number;
  /** Prices by model id (`gpt-4o-mini`), used for cost spent and saved. @default {} */
  pricing?: Record<string, ModelPrice>;
  /**
   * Fail fast after repeated provider failures instead of piling up timeouts: a `BreakerOpenError` whose `retryAt`
   * says when a trial call goes through. Off unless asked for (agents turn it on). @default false
   */
  enableCircuitBreaker?: boolean;
  /** Consecutive failures that open the breaker. @default 5 */
  circuitBreakerThreshold?: number;
  /** Seconds the breaker stays open before one trial call may close it. @default 60 */
  circuitBreakerTimeout?: number;
  /**
   * Who answers belong to; answers never cross scopes. A function gets each call (for a model, the AI SDK call's
   * `providerOptions.baton.scope` is used when present).
   * @default {} (one shared scope)
   */
  scope?: CacheScope | ((call: ScopeSource) => CacheScope | undefined);
  /**
   * Name of the target in metrics and records, and for a function or graph in cache keys (a model is keyed by
   * provider and model id): functions with one name and one store share answers. Unset, a
   * function or graph is named by its own name in records, and by that name plus a hash of its code in cache keys
   * (two different unnamed functions never share answers in the default file); give closures that differ only in
   * what they capture distinct names.
   */
  name?: string;
  /**
   * For a model call that offers more than `k` tools, send only the `k` most relevant to the last user message
   * (hybrid BM25 + embedding search over names, descriptions and parameters; see `createToolSearch`). A tool the
   * call's `toolChoice` names is always kept; provider-defined tools are never removed. Models only.
   * @default undefined (every tool is sent)
   */
  toolSearch?: ToolSearchConfig;
}
