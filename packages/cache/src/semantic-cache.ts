/**
 * The semantic cache: an exact tier (hash of everything that changes the answer), then a semantic tier searched only
 * inside the request's partition, with every semantic candidate verified before it is served. Stores answers with
 * TTL (absolute or sliding), LRU eviction by entries and bytes, invalidation by key, tag and scope, and feedback.
 */
import { randomUUID } from 'node:crypto';
import { describeValue, ValidationError } from '@baton/core';
import { type RelatedAnswer, type RelatedOptions, resolveRelatedOptions } from './context/related-context.js';
import { withEmbeddingCache } from './embedders/cached-embedder.js';
import type { Embedder } from './embedders/embedder.js';
import { createSifEmbedder } from './embedders/sif-embedder.js';
import { EmbedderMismatchError } from './errors.js';
import { type CandidateIndex, candidateIndexFor } from './index/candidate-index.js';
import { bypassReason, refusalToStore } from './match/cacheability.js';
import { chunkText, hierarchicalScore } from './match/hierarchical.js';
import type { CacheRequest, CacheResponse, CacheUsage } from './match/request.js';
import { exactKey, lastUserTurn, requestKeys, scopeKey } from './match/request-keys.js';
import { SingleFlight } from './match/single-flight.js';
import { DEFAULT_SIMILARITY_THRESHOLD, validateSimilarityThreshold } from './match/threshold.js';
import { type CacheMetrics, createMetrics, recordHitLatency } from './metrics.js';
import { decodePayload, encodePayload } from './payload-codec.js';
import type { LookupResult, SemanticCacheOptions, StoreOptions, StoreResult } from './semantic-cache-options.js';
import type { CacheEntry, CacheStore } from './stores/cache-store.js';
import { entryBytes } from './stores/cache-store.js';
import { MemoryStore } from './stores/memory-store.js';
import { canonicalText } from './verify/canonical-form.js';
import { type Lexicon, loadDefaultLexicon } from './verify/lexicon.js';
import { allPassed, type CheckResult, formOf, verifyMatch } from './verify/verify-match.js';

export type { LookupResult, SemanticCacheOptions, StoreOptions, StoreResult } from './semantic-cache-options.js';

export class SemanticCache {
  readonly embedder: Embedder;
  readonly storage: CacheStore;
  readonly similarityThreshold: number;
  readonly #options: SemanticCacheOptions;
  readonly #index: CandidateIndex;
  readonly #metrics: CacheMetrics = createMetrics();
  readonly #flights = new SingleFlight<CacheResponse>();
  #embedderChecked: Promise<void> | undefined;
  #lexicon: Promise<Lexicon> | undefined;

  constructor(options: SemanticCacheOptions = {}) {
    this.similarityThreshold =
      validateSimilarityThreshold(options as Record<string, unknown>) ?? DEFAULT_SIMILARITY_THRESHOLD;
    const weights = [options.hierarchical?.weightWhole ?? 0.6, options.hierarchical?.weightChunks ?? 0.4];
    if (Math.abs(weights[0]! + weights[1]! - 1) > 1e-9) {
      throw new ValidationError('invalid hierarchical weights', [
        {
          path: 'hierarchical',
          code: 'weights-sum',
          message: `weightWhole ${weights[0]} + weightChunks ${weights[1]} must sum to 1`,
        },
      ]);
    }
    this.#options = options;
    this.embedder = options.embedder ?? withEmbeddingCache(createSifEmbedder());
    // A library primitive has no project folder to assume, so it keeps nothing on disk unless given a store;
    // `enhance()` is what defaults to SQLite (`.baton/cache.db`).
    this.storage = options.store ?? new MemoryStore({ index: options.index });
    this.#index = candidateIndexFor(this.storage, this.embedder.dimension, options.index);
    if (options.contextInjection) resolveRelatedOptions(options.contextInjection);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /** Refuses a store that holds vectors of another embedder. */
  #checkEmbedder(): Promise<void> {
    this.#embedderChecked ??= (async () => {
      const mine = `${this.embedder.id}|${this.embedder.dimension}`;
      const stored = await this.storage.getMeta('embedder');
      if (stored === undefined) return this.storage.setMeta('embedder', mine);
      if (stored !== mine) {
        const [id, dimension] = stored.split('|');
        throw new EmbedderMismatchError(
          { id: id!, dimension: Number(dimension) },
          { id: this.embedder.id, dimension: this.embedder.dimension },
        );
      }
    })();
    this.#embedderChecked.catch(() => {
      this.#embedderChecked = undefined;
    });
    return this.#embedderChecked;
  }

  /** Refuses an entry made by another embedder: its vector and similarity mean nothing next to this one's. */
  #checkEntry(entry: CacheEntry): void {
    if (entry.embedder !== this.embedder.id || entry.dimension !== this.embedder.dimension) {
      throw new EmbedderMismatchError(
        { id: entry.embedder, dimension: entry.dimension },
        { id: this.embedder.id, dimension: this.embedder.dimension },
      );
    }
  }

  #alive(entry: CacheEntry): boolean {
    return entry.expiresAt === null || entry.expiresAt > this.#now();
  }

  async #hit(
    entry: CacheEntry,
    tier: 'exact' | 'semantic',
    similarity: number,
    checks: CheckResult[],
    started: number,
  ) {
    const now = this.#now();
    const expiresAt = entry.slidingTtlMs !== null ? now + entry.slidingTtlMs : entry.expiresAt;
    await this.storage.touch(entry.id, now, expiresAt);
    const { response, usage } = decodePayload(entry.id, entry.payload) as {
      response: CacheResponse;
      usage?: CacheUsage;
    };
    this.#metrics.hits[tier]++;
    recordHitLatency(this.#metrics, performance.now() - started);
    return { status: 'hit' as const, tier, similarity, checks, entryId: entry.id, response, usage };
  }

  /** The word similarities verification uses: `verify.lexicon`, or the default word vectors loaded on first need. */
  #loadLexicon(): Promise<Lexicon> {
    const given = this.#options.verify?.lexicon;
    if (given) return Promise.resolve(given);
    this.#lexicon ??= loadDefaultLexicon();
    this.#lexicon.catch(() => {
      this.#lexicon = undefined;
    });
    return this.#lexicon;
  }

  /**
   * Embeds what the user asks; for an embedder that asks for it (`canonicalInput`, the default SIF embedder), its
   * canonical form (see `verify/canonical-form.ts`): contractions, numbers, times, abbreviations and question frames
   * in one form, greetings and "please" left out, so prompts that say the same thing get the same vector.
   */
  async #embedWithChunks(userTurn: string): Promise<{ vector: Float32Array; chunks: Float32Array[] }> {
    const text = this.embedder.canonicalInput ? canonicalText(formOf(userTurn)) || userTurn : userTurn;
    const chunks = chunkText(text, this.#options.hierarchical ?? {});
    const [vector, ...chunkVectors] = await this.embedder.embed([text, ...chunks]);
    return { vector: vector!, chunks: chunkVectors };
  }

  /** A prompt past `semanticMaxChars`: matched by the exact tier only, and never embedded. */
  #isLong(text: string): boolean {
    return text.length > (this.#options.semanticMaxChars ?? 16_384);
  }

  /** Looks a request up: exact tier, then semantic tier with verification. */
  async lookup(request: CacheRequest): Promise<LookupResult> {
    const started = performance.now();
    const bypass = bypassReason(request, this.#options);
    if (bypass) {
      this.#metrics.bypasses++;
      return { status: 'bypass', reason: bypass };
    }
    await this.#checkEmbedder();
    const keys = requestKeys(request);
    const exact = await this.storage.getByExactKey(keys.exact);
    if (exact) this.#checkEntry(exact);
    const text = lastUserTurn(request.messages);
    const long = this.#isLong(text);
    // The exact key keeps case, so "-R" never finds the answer to "-r" here.
    if (exact && !exact.blocked && this.#alive(exact)) {
      return this.#hit(exact, 'exact', 1, [], started);
    }
    const rejected: { entryId: string; similarity: number; checks: CheckResult[] }[] = [];
    if (text.trim() === '' || request.exactOnly || long) {
      this.#metrics.misses++;
      return this.#contextInjection() ? { status: 'miss', rejected, related: [] } : { status: 'miss', rejected };
    }
    const partition = keys.partition;
    const query = await this.#embedWithChunks(text);
    const scored: { entry: CacheEntry; similarity: number }[] = [];
    for (const candidate of await this.#index.search(partition, query.vector, this.#options.candidates ?? 5)) {
      const entry = await this.storage.get(candidate.id);
      if (!entry) {
        this.#index.forget([candidate.id], partition);
        continue;
      }
      this.#checkEntry(entry);
      if (!this.#alive(entry)) {
        await this.#remove([entry.id]);
        continue;
      }
      if (entry.blocked) continue;
      // Exact either way: HNSW only approximates which candidates come back, not their scores (both indexes compute
      // the dot product of the stored vector with the query).
      const similarity = hierarchicalScore(
        candidate.similarity,
        query.chunks,
        entry.chunks,
        this.#options.hierarchical ?? {},
      );
      if (similarity >= this.similarityThreshold) scored.push({ entry, similarity });
    }
    scored.sort((a, b) => b.similarity - a.similarity);
    const verify = scored.length > 0 ? { ...this.#options.verify, lexicon: await this.#loadLexicon() } : {};
    for (const { entry, similarity } of scored) {
      const checks = verifyMatch(text, entry.text, verify);
      if (allPassed(checks)) return this.#hit(entry, 'semantic', similarity, checks, started);
      this.#metrics.rejectedByVerification++;
      rejected.push({ entryId: entry.id, similarity, checks });
    }
    this.#metrics.misses++;
    const injection = this.#contextInjection();
    if (!injection) return { status: 'miss', rejected };
    return { status: 'miss', rejected, related: await this.#related(partition, query.vector, injection) };
  }

  #contextInjection(): Required<RelatedOptions> | undefined {
    const options = this.#options.contextInjection;
    return options?.enabled ? resolveRelatedOptions(options) : undefined;
  }

  async #related(partition: string, vector: Float32Array, options: Required<RelatedOptions>): Promise<RelatedAnswer[]> {
    const related: RelatedAnswer[] = [];
    for (const candidate of await this.#index.search(partition, vector, options.topK * 2 + 4)) {
      if (related.length >= options.topK || candidate.similarity < options.minSimilarity) break;
      const entry = await this.storage.get(candidate.id);
      if (!entry) continue;
      this.#checkEntry(entry);
      if (entry.blocked || !this.#alive(entry)) continue;
      const { response } = decodePayload(entry.id, entry.payload) as { response: CacheResponse };
      if (typeof response?.text !== 'string' || response.text === '') continue;
      related.push({
        entryId: entry.id,
        question: entry.text,
        answer: response.text,
        similarity: candidate.similarity,
      });
    }
    return related;
  }

  /**
   * Answers to earlier questions related to this request, from its own partition only (same model, system prompt,
   * tools, scope and earlier conversation), most similar first. Entries without answer text are skipped.
   * @example
   * const related = await cache.related(request, { topK: 3, minSimilarity: 0.6 });
   * const context = formatContext(related);
   */
  async related(request: CacheRequest, options: RelatedOptions = {}): Promise<RelatedAnswer[]> {
    const resolved = resolveRelatedOptions(options);
    const text = lastUserTurn(request.messages);
    if (text.trim() === '' || request.exactOnly || this.#isLong(text)) return [];
    await this.#checkEmbedder();
    const { vector } = await this.#embedWithChunks(text);
    return this.#related(requestKeys(request).partition, vector, resolved);
  }

  /** Stores a response unless it must not be cached (see `refusalToStore`). */
  async store(
    request: CacheRequest,
    response: CacheResponse,
    usage?: CacheUsage,
    options: StoreOptions = {},
  ): Promise<StoreResult> {
    const refusal = refusalToStore(request, response, { ...this.#options, deterministic: options.deterministic });
    const keys = requestKeys(request);
    const key = keys.exact;
    const existing = refusal ? undefined : await this.storage.getByExactKey(key);
    const reason = refusal ?? (existing?.blocked ? 'this request was marked wrong by feedback' : undefined);
    if (reason) {
      this.#metrics.notStored++;
      return { stored: false, reason };
    }
    await this.#checkEmbedder();
    if (existing) this.#checkEntry(existing);
    const text = lastUserTurn(request.messages);
    // An exact-only entry (or a long prompt) is found by its key alone: embedding its text would only cost time.
    const { vector, chunks } =
      request.exactOnly || this.#isLong(text)
        ? { vector: new Float32Array(this.embedder.dimension), chunks: [] }
        : await this.#embedWithChunks(text);
    const now = this.#now();
    const ttlMs =
      options.ttlMs !== undefined ? options.ttlMs : this.#options.ttlMs !== undefined ? this.#options.ttlMs : 3_600_000;
    const partial = {
      id: randomUUID(),
      exactKey: key,
      partition: keys.partition,
      scope: scopeKey(request.scope),
      embedder: this.embedder.id,
      dimension: this.embedder.dimension,
      tags: options.tags ?? [],
      text,
      vector,
      chunks,
      payload: encodePayload({ response, usage }, this.#options),
      createdAt: now,
      lastAccessAt: now,
      expiresAt: ttlMs === null ? null : now + ttlMs,
      slidingTtlMs: this.#options.slidingTtl && ttlMs !== null ? ttlMs : null,
      blocked: false,
    };
    const entry: CacheEntry = { ...partial, bytes: entryBytes(partial) };
    await this.storage.put(entry);
    if (existing) this.#index.forget([existing.id], existing.partition);
    this.#metrics.stored++;
    await this.#evict();
    return { stored: true, entryId: entry.id };
  }

  /**
   * Returns the cached answer or computes it once: concurrent identical misses share one call.
   * @example
   * const response = await cache.getOrCompute(request, async () => ({ response: await callModel(), usage }));
   */
  async getOrCompute(
    request: CacheRequest,
    compute: () => Promise<{ response: CacheResponse; usage?: CacheUsage }>,
    options: StoreOptions = {},
  ): Promise<CacheResponse> {
    const found = await this.lookup(request);
    if (found.status === 'hit') return found.response;
    if (found.status === 'bypass') return (await compute()).response;
    return structuredClone(
      await this.#flights.run(exactKey(request), async () => {
        const { response, usage } = await compute();
        await this.store(request, response, usage, options);
        return response;
      }),
    );
  }

  async #evict(): Promise<void> {
    const maxEntries = this.#options.maxEntries ?? 10_000;
    const maxBytes = this.#options.maxBytes ?? Number.POSITIVE_INFINITY;
    let stats = await this.storage.stats();
    while (stats.entries > maxEntries || stats.bytes > maxBytes) {
      const excess = Math.max(1, stats.entries - maxEntries);
      const ids = await this.storage.leastRecentlyUsed(stats.bytes > maxBytes ? 1 : excess);
      if (ids.length === 0) break;
      await this.#remove(ids);
      stats = await this.storage.stats();
    }
  }

  async #remove(ids: readonly string[]): Promise<number> {
    this.#index.forget(ids);
    return this.storage.delete(ids);
  }

  /** Deletes the entry answering exactly this request. */
  async invalidate(request: CacheRequest): Promise<number> {
    const entry = await this.storage.getByExactKey(exactKey(request));
    return entry ? this.#remove([entry.id]) : 0;
  }

  async invalidateEntry(entryId: string): Promise<number> {
    return this.#remove([entryId]);
  }

  async invalidateTag(tag: string): Promise<number> {
    return this.#remove(await this.storage.idsByTag(tag));
  }

  async invalidateScope(scope: CacheRequest['scope']): Promise<number> {
    return this.#remove(await this.storage.idsByScope(scopeKey(scope)));
  }

  /**
   * Reports a served entry as wrong. `delete` removes it; `block` keeps a tombstone so it is never served and the
   * same exact request is not cached again until the entry is invalidated.
   */
  async feedback(entryId: string, verdict: { action: 'delete' | 'block' }): Promise<void> {
    const action = (verdict as { action?: unknown } | null | undefined)?.action;
    if (typeof entryId !== 'string' || entryId === '' || (action !== 'delete' && action !== 'block')) {
      throw new ValidationError('feedback: bad arguments', [
        ...(typeof entryId === 'string' && entryId !== ''
          ? []
          : [{ path: 'entryId', code: 'invalid', message: `must be an entry id, got ${describeValue(entryId)}` }]),
        ...(action === 'delete' || action === 'block'
          ? []
          : [
              {
                path: 'verdict',
                code: 'invalid',
                message: `must be { action: 'delete' } or { action: 'block' }, got ${describeValue(verdict)}`,
              },
            ]),
      ]);
    }
    if (verdict.action === 'delete') {
      await this.#remove([entryId]);
      return;
    }
    const entry = await this.storage.get(entryId);
    if (!entry) return;
    this.#index.forget([entryId], entry.partition);
    await this.storage.put({ ...entry, blocked: true, payload: 'j:null', expiresAt: null });
  }

  /**
   * Bytes the vector index holds in native memory (hnswlib graphs), which `process.memoryUsage()` does not show in
   * its heap or external figures; add them when measuring what the cache costs.
   */
  nativeMemoryBytes(): number {
    return this.#index.nativeBytes();
  }

  /**
   * Resolves once the HNSW graphs being built (a partition outgrowing exact search, or the index rebuilt from a
   * persistent store on the first lookup) are in place. Lookups never wait for this: they search exactly meanwhile.
   */
  whenIndexBuilt(): Promise<void> {
    return this.#index.whenBuilt();
  }

  /** A copy of the counters. */
  getMetrics(): CacheMetrics {
    return structuredClone(this.#metrics);
  }

  async close(): Promise<void> {
    await this.storage.close();
  }
}
