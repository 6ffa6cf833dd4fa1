/**
 * What every enhanced target shares: the semantic cache, the breaker in front of the target, context injection,
 * single-flight for concurrent identical misses, metrics and the recorder. Adapters (AI SDK model, LangGraph graph,
 * function) turn their calls into a `CacheRequest` and either `run` them whole or drive the steps themselves (streams).
 */
import {
  type CacheRequest,
  type CacheResponse,
  type CacheScope,
  type CacheUsage,
  exactKey,
  lastUserTurn,
  type RelatedAnswer,
  type SemanticCache,
  SingleFlight,
} from '@baton/cache';
import { BreakerOpenError } from '@baton/core';
import { createCache } from '../config/create-cache.js';
import type { ScopeSource } from '../config/enhance-config.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { type EnhanceMetrics, type HitTier, MetricsCollector } from '../metrics/usage-metrics.js';
import { type CallRecord, CallRecorder } from '../recorder/call-recorder.js';
import { ProviderBreaker } from '../resilience/provider-breaker.js';

export interface Computed {
  response: CacheResponse;
  usage?: CacheUsage;
}

export type Lookup =
  | { kind: 'hit'; tier: 'exact' | 'semantic'; similarity: number; response: CacheResponse; usage?: CacheUsage }
  | { kind: 'miss' }
  | { kind: 'bypass'; reason: string };

export type RunResult =
  | { source: 'cache'; tier: HitTier; similarity: number; response: CacheResponse; usage?: CacheUsage }
  | { source: 'target'; response: CacheResponse; usage?: CacheUsage };

/** The controls every enhanced target carries. */
export interface EnhancedControls {
  /** Counters from real usage; see `EnhanceMetrics`. */
  getMetrics(): EnhanceMetrics;
  /** Writes `getMetrics()` as JSON to `path`. */
  exportMetrics(path: string): Promise<EnhanceMetrics>;
  /** The recorder's call records, oldest first (empty when `enableRecorder` is false). */
  getRecords(): CallRecord[];
  /** The underlying cache (for invalidation and feedback), or undefined when `enableCache` is false. */
  readonly cache: SemanticCache | undefined;
  /** Closes the cache's store (a Redis connection, a SQLite file). */
  close(): Promise<void>;
}

export class EnhanceRuntime implements EnhancedControls {
  readonly name: string;
  readonly config: ResolvedConfig;
  readonly cache: SemanticCache | undefined;
  readonly #metrics: MetricsCollector;
  readonly #recorder: CallRecorder | undefined;
  readonly #breaker: ProviderBreaker | undefined;
  readonly #flights = new SingleFlight<Computed>();

  constructor(config: ResolvedConfig, name: string) {
    this.config = config;
    this.name = config.name ?? name;
    this.cache = config.enableCache ? createCache(config) : undefined;
    this.#metrics = new MetricsCollector(config.pricing, config.llmCostPer1kTokens);
    this.#recorder = config.enableRecorder ? new CallRecorder(config.recorderLimit) : undefined;
    this.#breaker = config.enableCircuitBreaker
      ? new ProviderBreaker(this.name, {
          threshold: config.circuitBreakerThreshold,
          halfOpenAfterMs: config.circuitBreakerTimeout * 1000,
        })
      : undefined;
  }

  /** The scope of a call: the config's function or object. */
  scopeFor(source: ScopeSource): CacheScope | undefined {
    const scope = this.config.scope;
    return typeof scope === 'function' ? scope(source) : scope;
  }

  #record(
    request: CacheRequest,
    started: number,
    record: Omit<CallRecord, 'id' | 'startedAt' | 'durationMs' | 'target' | 'prompt'>,
  ) {
    this.#recorder?.add({
      startedAt: Date.now() - (performance.now() - started),
      durationMs: performance.now() - started,
      target: this.name,
      prompt: lastUserTurn(request.messages),
      ...record,
    });
  }

  /** Looks the request up; a hit is counted and recorded here. A cache that fails to answer is bypassed. */
  async lookup(request: CacheRequest, started: number): Promise<Lookup> {
    if (!this.cache) return { kind: 'bypass', reason: 'the cache is disabled (enableCache: false)' };
    let found: Awaited<ReturnType<SemanticCache['lookup']>>;
    try {
      found = await this.cache.lookup(request);
    } catch (error) {
      return { kind: 'bypass', reason: `the cache failed: ${(error as Error).message}` };
    }
    if (found.status === 'bypass') return { kind: 'bypass', reason: found.reason };
    if (found.status === 'miss') return { kind: 'miss' };
    const { tier, similarity, response, usage } = found;
    this.#metrics.hit(tier, request.model, usage, performance.now() - started);
    this.#record(request, started, { outcome: 'hit', tier, similarity, usage });
    return { kind: 'hit', tier, similarity, response, usage };
  }

  /** Past answers to inject on a miss (empty unless `enableContextInjection`). */
  async related(request: CacheRequest): Promise<RelatedAnswer[]> {
    if (!this.cache || !this.config.enableContextInjection) return [];
    const { contextInjectionTopK: topK, contextInjectionMinSimilarity: minSimilarity } = this.config;
    return this.cache.related(request, { topK, minSimilarity });
  }

  /** Runs a call to the target through the breaker, when enabled. */
  guarded<T>(call: () => Promise<T>): Promise<T> {
    return this.#breaker ? this.#breaker.execute(call) : call();
  }

  /** Counts and records an answer from the target, and stores it after a miss (never after a bypass). */
  async settle(
    request: CacheRequest,
    kind: 'miss' | 'bypass',
    computed: Computed,
    started: number,
    extra: { reason?: string; injectedContext?: number } = {},
  ): Promise<void> {
    let reason = extra.reason;
    if (kind === 'miss' && this.cache) {
      try {
        const stored = await this.cache.store(request, computed.response, computed.usage);
        if (!stored.stored) reason = `not stored: ${stored.reason}`;
      } catch (error) {
        reason = `not stored: ${(error as Error).message}`;
      }
    }
    this.#metrics.computed(kind, request.model, computed.usage);
    this.#record(request, started, { ...extra, outcome: kind, usage: computed.usage, reason });
  }

  /** Counts and records a failed call. */
  fail(request: CacheRequest, error: unknown, started: number): void {
    this.#metrics.failure(BreakerOpenError.isInstance(error));
    this.#record(request, started, { outcome: 'failure', reason: (error as Error)?.message ?? String(error) });
  }

  /**
   * A whole call: cache lookup, then (on a miss) one target call shared by concurrent identical misses, with related
   * answers injected when enabled, through the breaker; the answer is stored when it may be. `bypass` skips the cache
   * for a call the adapter knows it must not serve or store, with the reason.
   */
  async run(
    request: CacheRequest,
    compute: (related: RelatedAnswer[]) => Promise<Computed>,
    options: { bypass?: string } = {},
  ): Promise<RunResult> {
    const started = performance.now();
    const found: Lookup = options.bypass
      ? { kind: 'bypass', reason: options.bypass }
      : await this.lookup(request, started);
    if (found.kind === 'hit') return { source: 'cache', ...found };
    try {
      if (found.kind === 'bypass') {
        const computed = await this.guarded(() => compute([]));
        await this.settle(request, 'bypass', computed, started, { reason: found.reason });
        return { source: 'target', ...computed };
      }
      let leader = false;
      const computed = await this.#flights.run(exactKey(request), async () => {
        leader = true;
        const related = await this.related(request);
        const result = await this.guarded(() => compute(related));
        await this.settle(request, 'miss', result, started, { injectedContext: related.length });
        return result;
      });
      if (leader) return { source: 'target', ...computed };
      this.#metrics.hit('coalesced', request.model, computed.usage, performance.now() - started);
      this.#record(request, started, { outcome: 'hit', tier: 'coalesced', similarity: 1, usage: computed.usage });
      // The shared answer in the form a later hit would have (JSON), so a caller cannot change another's copy.
      return {
        source: 'cache',
        tier: 'coalesced',
        similarity: 1,
        ...(JSON.parse(JSON.stringify(computed)) as Computed),
      };
    } catch (error) {
      this.fail(request, error, started);
      throw error;
    }
  }

  getMetrics(): EnhanceMetrics {
    return this.#metrics.snapshot();
  }

  exportMetrics(path: string): Promise<EnhanceMetrics> {
    return this.#metrics.export(path);
  }

  getRecords(): CallRecord[] {
    return this.#recorder?.list() ?? [];
  }

  async close(): Promise<void> {
    await this.cache?.close();
  }
}
