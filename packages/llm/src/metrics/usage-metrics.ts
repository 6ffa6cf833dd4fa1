/**
 * What an enhanced target reports: every call counted exactly once (hit, miss, bypass or failure), hits per tier, hit
 * latency percentiles, and tokens and dollars spent and saved — saved figures come from the usage the provider
 * reported on the call whose answer was reused. Because each call lands in one bucket, the hit rate cannot pass 100 %.
 */
import { writeFile } from 'node:fs/promises';
import type { CacheUsage } from '@baton/cache';
import type { ModelPrice } from '../config/enhance-config.js';
import { costOf, tokensOf } from './pricing.js';

/** `coalesced`: a concurrent identical call that waited for another call's answer instead of calling the provider. */
export type HitTier = 'exact' | 'semantic' | 'coalesced';

export interface EnhanceMetrics {
  /** Calls made to the enhanced target. Always hits + misses + bypasses + failures. */
  calls: number;
  hits: Record<HitTier, number>;
  misses: number;
  /** Calls that skipped the cache (temperature > 0, cache disabled, a transient cache failure). */
  bypasses: number;
  /** Calls that threw (provider errors, open breaker). */
  failures: number;
  /** Calls refused at once because the circuit breaker was open (also counted in failures). */
  breakerRejections: number;
  /**
   * Cache operations (lookup, store, context injection) that failed transiently — store or embedding endpoint
   * unreachable or busy — and were stepped around; a lookup that failed so also counts its call as a bypass.
   * Configuration errors are never counted here: they reach the caller.
   */
  cacheFailures: number;
  /** Hits / calls, in [0, 1]. */
  hitRate: number;
  hitLatencyMs: { p50: number; p95: number; samples: number };
  tokensSpent: { input: number; output: number };
  tokensSaved: { input: number; output: number };
  costSpentUsd: number;
  costSavedUsd: number;
}

export type CallOutcome = 'hit' | 'miss' | 'bypass' | 'failure';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export class MetricsCollector {
  readonly #pricing: Readonly<Record<string, ModelPrice>>;
  readonly #fallbackPer1k: number;
  readonly #latencies: number[] = [];
  readonly #counts = {
    hits: { exact: 0, semantic: 0, coalesced: 0 },
    misses: 0,
    bypasses: 0,
    failures: 0,
    cacheFailures: 0,
  };
  readonly #money = { spent: 0, saved: 0, breakerRejections: 0 };
  readonly #tokens = { spent: { input: 0, output: 0 }, saved: { input: 0, output: 0 } };

  constructor(pricing: Readonly<Record<string, ModelPrice>>, fallbackPer1k: number) {
    this.#pricing = pricing;
    this.#fallbackPer1k = fallbackPer1k;
  }

  hit(tier: HitTier, model: string, originalUsage: CacheUsage | undefined, latencyMs: number): void {
    this.#counts.hits[tier]++;
    this.#latencies.push(latencyMs);
    if (this.#latencies.length > 10_000) this.#latencies.shift();
    const tokens = tokensOf(originalUsage);
    this.#tokens.saved.input += tokens.inputTokens;
    this.#tokens.saved.output += tokens.outputTokens;
    this.#money.saved += costOf(model, tokens, this.#pricing, this.#fallbackPer1k);
  }

  /** A call the target answered: `bypass` when the cache was skipped, else a miss. */
  computed(kind: 'miss' | 'bypass', model: string, usage: CacheUsage | undefined): void {
    if (kind === 'miss') this.#counts.misses++;
    else this.#counts.bypasses++;
    const tokens = tokensOf(usage);
    this.#tokens.spent.input += tokens.inputTokens;
    this.#tokens.spent.output += tokens.outputTokens;
    this.#money.spent += costOf(model, tokens, this.#pricing, this.#fallbackPer1k);
  }

  cacheFailure(): void {
    this.#counts.cacheFailures++;
  }

  failure(breakerOpen: boolean): void {
    this.#counts.failures++;
    if (breakerOpen) this.#money.breakerRejections++;
  }

  snapshot(): EnhanceMetrics {
    const { hits, misses, bypasses, failures } = this.#counts;
    const hitCount = hits.exact + hits.semantic + hits.coalesced;
    const calls = hitCount + misses + bypasses + failures;
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    return {
      calls,
      hits: { ...hits },
      misses,
      bypasses,
      failures,
      breakerRejections: this.#money.breakerRejections,
      cacheFailures: this.#counts.cacheFailures,
      hitRate: calls === 0 ? 0 : hitCount / calls,
      hitLatencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), samples: sorted.length },
      tokensSpent: { ...this.#tokens.spent },
      tokensSaved: { ...this.#tokens.saved },
      costSpentUsd: this.#money.spent,
      costSavedUsd: this.#money.saved,
    };
  }

  /** Writes the snapshot as pretty JSON to `path` and returns it. */
  async export(path: string): Promise<EnhanceMetrics> {
    const snapshot = this.snapshot();
    await writeFile(path, `${JSON.stringify({ exportedAt: new Date().toISOString(), ...snapshot }, null, 2)}\n`);
    return snapshot;
  }
}
