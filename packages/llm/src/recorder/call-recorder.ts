/**
 * A bounded, in-memory record of every call through an enhanced target: what was asked, how it was answered (cache
 * tier and similarity, or the provider), how long it took and what it cost. The oldest records go first.
 */
import { randomUUID } from 'node:crypto';
import type { CacheUsage, CheckResult } from '@baton/cache';

export interface CallRecord {
  id: string;
  /** Epoch ms when the call started. */
  startedAt: number;
  durationMs: number;
  target: string;
  /** The text the cache keyed on (the last user turn, or the input). */
  prompt: string;
  outcome: 'hit' | 'miss' | 'bypass' | 'failure';
  tier?: 'exact' | 'semantic' | 'coalesced';
  similarity?: number;
  /**
   * The cache entry that answered a hit, or that a miss was stored as: pass it to `feedback(entryId, verdict)` when
   * the answer was wrong.
   */
  entryId?: string;
  /** The verification checks a semantic hit passed. */
  checks?: CheckResult[];
  /** Why the cache was skipped, or the error message of a failure. */
  reason?: string;
  usage?: CacheUsage;
  /** Past answers injected into the prompt on a miss. */
  injectedContext?: number;
}

export class CallRecorder {
  readonly #limit: number;
  readonly #records: CallRecord[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(record: Omit<CallRecord, 'id'>): void {
    this.#records.push({ id: randomUUID(), ...record });
    if (this.#records.length > this.#limit) this.#records.shift();
  }

  /** Copies of the records, oldest first. */
  list(): CallRecord[] {
    return structuredClone(this.#records);
  }
}
