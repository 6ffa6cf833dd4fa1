/** Counters the cache keeps for the enhance() layer: hits per tier, misses, bypasses, stores, and hit latencies. */
export interface CacheMetrics {
  hits: { exact: number; semantic: number };
  misses: number;
  bypasses: number;
  stored: number;
  notStored: number;
  /** Semantic candidates that were similar enough but failed a verification check. */
  rejectedByVerification: number;
  /** Latest hit latencies in milliseconds (at most 1000 samples, oldest dropped first). */
  hitLatencyMs: number[];
}

export function createMetrics(): CacheMetrics {
  return {
    hits: { exact: 0, semantic: 0 },
    misses: 0,
    bypasses: 0,
    stored: 0,
    notStored: 0,
    rejectedByVerification: 0,
    hitLatencyMs: [],
  };
}

export function recordHitLatency(metrics: CacheMetrics, milliseconds: number): void {
  metrics.hitLatencyMs.push(milliseconds);
  if (metrics.hitLatencyMs.length > 1000) metrics.hitLatencyMs.shift();
}
