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
  type CheckResult,
  exactKey,
  lastUserTurn,
  type RelatedAnswer,
  type SemanticCache,
  SingleFlight,
} from '@baton/cache';
import { BreakerOpenError } from '@baton/core';
import { checkedScope } from '../config/cache-scope.js';
import { createCache } from '../config/create-cache.js';
import type { ScopeSource } from '../config/enhance-config.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { type EnhanceMetrics, type HitTier, MetricsCollector } from '../metrics/usage-metrics.js';
import { type CallRecord, CallRecorder } from '../recorder/call-recorder.js';
import { ProviderBreaker } from '../resilience/provider-breaker.js';
import { isTransientCacheFailure } from './cache-failure.js';

export interface Computed {
  response: CacheResponse;
  usage?: CacheUsage;
}

/** How a hit was served: `entryId` is what `feedback` takes (undefined for a coalesced answer that was not stored). */
export interface HitDetails {
  tier: HitTier;
  similarity: number;
  entryId: string | undefined;
  /** The verification checks a semantic hit passed (empty for exact and coalesced hits). */
  checks: CheckResult[];
  response: CacheResponse;
  usage?: CacheUsage;
}

export type Lookup =
  | ({ kind: 'hit' } & HitDetails & { tier: 'exact' | 'semantic'; entryId: string })
  | { kind: 'miss' }
  | { kind: 'bypass'; reason: string };

export type RunResult =
  | ({ source: 'cache' } & HitDetails)
  | { source: 'target'; response: CacheResponse; usage?: CacheUsage; entryId?: string };

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
  /**
   * Reports a served answer as wrong, by the `entryId` of its hit (`providerMetadata.baton.entryId`, or the call
   * record): `delete` removes it, `block` also keeps the same request from being cached again.
   */
  feedback(entryId: string, verdict: { action: 'delete' | 'block' }): Promise<void>;
  /** Closes the cache's store (a Redis connection, a SQLite file). */
  close(): Promise<void>;
}

/** How a guarded stream ended (`EnhanceRuntime.guardedStream`): to its end or cancelled by its reader, or failed. */
export interface StreamSettle {
  ok(): void;
  fail(error: unknown): void;
}

const UNGUARDED: StreamSettle = { ok: () => {}, fail: () => {} };

export class EnhanceRuntime implements EnhancedControls {
  /** The target's name in metrics and records. */
  readonly name: string;
  /** The target's name in cache keys: `config.name`, or an identity derived from the target (see target-identity). */
  readonly key: string;
  readonly config: ResolvedConfig;
  readonly cache: SemanticCache | undefined;
  readonly #metrics: MetricsCollector;
  readonly #recorder: CallRecorder | undefined;
  readonly #breaker: ProviderBreaker | undefined;
  readonly #flights = new SingleFlight<Computed & { entryId: string | undefined }>();

  constructor(config: ResolvedConfig, name: string, key = name) {
    this.config = config;
    this.name = config.name ?? name;
    this.key = config.name ?? key;
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
    return typeof scope === 'function' ? checkedScope(scope(source), 'scope()') : scope;
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

  /**
   * A failed cache operation: a transient one is counted and its message returned, for the call to go on without
   * the cache; a configuration error is thrown (the caller counts the call as failed).
   */
  #cacheFailed(error: unknown): string {
    if (!isTransientCacheFailure(error)) throw error;
    this.#metrics.cacheFailure();
    return `the cache failed: ${(error as Error).message}`;
  }

  /**
   * Looks the request up; a hit is counted and recorded here. A transient cache failure is a bypass; a configuration
   * error (missing model, embedder mismatch, unusable store) is thrown.
   */
  async lookup(request: CacheRequest, started: number): Promise<Lookup> {
    if (!this.cache) return { kind: 'bypass', reason: 'the cache is disabled (enableCache: false)' };
    let found: Awaited<ReturnType<SemanticCache['lookup']>>;
    try {
      found = await this.cache.lookup(request);
    } catch (error) {
      if (isTransientCacheFailure(error)) return { kind: 'bypass', reason: this.#cacheFailed(error) };
      this.fail(request, error, started);
      throw error;
    }
    if (found.status === 'bypass') return { kind: 'bypass', reason: found.reason };
    if (found.status === 'miss') return { kind: 'miss' };
    const { tier, similarity, response, usage, entryId, checks } = found;
    this.#metrics.hit(tier, request.model, usage, performance.now() - started);
    this.#record(request, started, { outcome: 'hit', tier, similarity, usage, entryId, checks });
    return { kind: 'hit', tier, similarity, response, usage, entryId, checks };
  }

  /** Past answers to inject on a miss (empty unless `enableContextInjection`, or when the cache fails transiently). */
  async related(request: CacheRequest): Promise<RelatedAnswer[]> {
    if (!this.cache || !this.config.enableContextInjection) return [];
    const { contextInjectionTopK: topK, contextInjectionMinSimilarity: minSimilarity } = this.config;
    try {
      return await this.cache.related(request, { topK, minSimilarity });
    } catch (error) {
      this.#cacheFailed(error);
      return [];
    }
  }

  /** Counts and records a call answered by a concurrent identical call's answer. */
  coalesced(request: CacheRequest, started: number, usage: CacheUsage | undefined, entryId: string | undefined): void {
    this.#metrics.hit('coalesced', request.model, usage, performance.now() - started);
    this.#record(request, started, { outcome: 'hit', tier: 'coalesced', similarity: 1, usage, entryId });
  }

  /** Runs a call to the target through the breaker, when enabled. */
  guarded<T>(call: () => Promise<T>): Promise<T> {
    return this.#breaker ? this.#breaker.execute(call) : call();
  }

  /**
   * Starts a streamed call through the breaker, when enabled. The call counts as the breaker's until `settle` says how
   * its stream ended, so a stream that fails or is cut short half-way counts against the target like a call that
   * could not start.
   */
  guardedStream<T>(start: () => Promise<T>): Promise<{ started: T; settle: StreamSettle }> {
    const breaker = this.#breaker;
    if (breaker === undefined) return start().then((started) => ({ started, settle: UNGUARDED }));
    return new Promise((resolve, reject) => {
      breaker
        .execute(async () => {
          const started = await start();
          // Held open until the stream ends: its failure, thrown here, is the breaker's failure.
          await new Promise<void>((ok, fail) => resolve({ started, settle: { ok: () => ok(), fail } }));
        })
        // Before the stream started this rejects the call; after, the promise is settled and this does nothing.
        .catch(reject);
    });
  }

  /**
   * Counts and records an answer from the target, and stores it after a miss (never after a bypass); returns the id
   * of the stored entry. A transient store failure leaves the answer unstored; a configuration error is thrown.
   */
  async settle(
    request: CacheRequest,
    kind: 'miss' | 'bypass',
    computed: Computed,
    started: number,
    extra: { reason?: string; injectedContext?: number } = {},
  ): Promise<string | undefined> {
    let reason = extra.reason;
    let entryId: string | undefined;
    if (kind === 'miss' && this.cache) {
      try {
        const stored = await this.cache.store(request, computed.response, computed.usage);
        if (stored.stored) entryId = stored.entryId;
        else reason = `not stored: ${stored.reason}`;
      } catch (error) {
        reason = `not stored: ${this.#cacheFailed(error)}`;
      }
    }
    this.#metrics.computed(kind, request.model, computed.usage);
    this.#record(request, started, { ...extra, outcome: kind, usage: computed.usage, reason, entryId });
    return entryId;
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
      const shared = await this.#flights.run(exactKey(request), async () => {
        leader = true;
        const related = await this.related(request);
        const result = await this.guarded(() => compute(related));
        const entryId = await this.settle(request, 'miss', result, started, { injectedContext: related.length });
        return { ...result, entryId };
      });
      const { entryId, ...computed } = shared;
      if (leader) return { source: 'target', ...computed, entryId };
      this.coalesced(request, started, computed.usage, entryId);
      // The shared answer in the form a later hit would have (JSON), so a caller cannot change another's copy.
      return {
        source: 'cache',
        tier: 'coalesced',
        similarity: 1,
        entryId,
        checks: [],
        ...(JSON.parse(JSON.stringify(computed)) as Computed),
      };
    } catch (error) {
      this.fail(request, error, started);
      throw error;
    }
  }

  /** The controls as plain bound functions, to put on the enhanced target. */
  controls(): EnhancedControls {
    return {
      getMetrics: () => this.getMetrics(),
      exportMetrics: (path) => this.exportMetrics(path),
      getRecords: () => this.getRecords(),
      cache: this.cache,
      feedback: (entryId, verdict) => this.feedback(entryId, verdict),
      close: () => this.close(),
    };
  }

  async feedback(entryId: string, verdict: { action: 'delete' | 'block' }): Promise<void> {
    await this.cache?.feedback(entryId, verdict);
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
