/**
 * Reuses plans the model made. A plan is found again for an action with the same meaning (the embedder and the
 * verifier of the semantic cache, request values masked on both sides), the same request field names and the same
 * registry fingerprint, so it is never used for services that changed. Plans are stored only in a form that reads
 * every request value the action writes through a reference (`liftRequestValues`), so a reused plan runs with the
 * new values; one that cannot be put in that form is not stored. When the model saw the request's values, a plan is
 * reused only for the very same values.
 */
import { createHash } from 'node:crypto';
import { cosine } from '@baton/cache';
import { canonicalJson, type Plan } from '@baton/core';
import { liftRequestValues } from './lift-request-values.js';
import { MeaningJudge, type MeaningJudgeOptions } from './meaning-judge.js';
import { MAX_SLOTS, maskAction, slotWord, valueText } from './param-slots.js';

export interface PlanCacheOptions extends MeaningJudgeOptions {
  /** Plans kept at most; the least recently used go first. @default 1000 */
  maxEntries?: number;
}

export interface PlanCacheKey {
  action: string;
  data: Readonly<Record<string, unknown>>;
  /** `registryFingerprint(targets)` of the targets the plan was made with. */
  fingerprint: string;
  /** Whether the model was shown the request's values. @default false */
  valuesShared?: boolean;
}

export interface CachedPlan {
  readonly plan: Plan;
  /** The action the plan was made for. */
  readonly cachedAction: string;
  readonly similarity: number;
}

interface Entry {
  readonly partition: string;
  readonly action: string;
  readonly masked: string;
  readonly vector: Float32Array;
  readonly plan: Plan;
}

export class PlanCache {
  readonly #judge: MeaningJudge;
  readonly #maxEntries: number;
  /** Entries by partition; the map's order across all of them is the recency order. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: PlanCacheOptions) {
    this.#judge = new MeaningJudge(options);
    this.#maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError(`PlanCache: maxEntries must be a whole number ≥ 1, got ${String(options.maxEntries)}`);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Keeps `plan` for later actions like `key.action`; false when it carries request values it cannot read by reference. */
  async store(key: PlanCacheKey, plan: Plan): Promise<boolean> {
    const lifted = key.valuesShared ? plan : liftRequestValues(plan, key.data, key.action);
    if (!lifted) return false;
    const masked = maskedAction(key);
    const [vector] = await this.#judge.embed([masked]);
    const partition = partitionOf(key);
    const id = `${partition}\u0000${masked}`;
    this.#entries.delete(id);
    this.#entries.set(id, { partition, action: key.action, masked, vector: vector as Float32Array, plan: lifted });
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    return true;
  }

  async lookup(key: PlanCacheKey): Promise<CachedPlan | undefined> {
    const partition = partitionOf(key);
    const masked = maskedAction(key);
    const exact = this.#entries.get(`${partition}\u0000${masked}`);
    if (exact) return this.#hit(exact, 1);
    const inPartition = [...this.#entries.values()].filter((entry) => entry.partition === partition);
    if (inPartition.length === 0) return undefined;
    const [vector] = await this.#judge.embed([masked]);
    const scored = inPartition
      .map((entry) => ({ entry, similarity: cosine(vector as Float32Array, entry.vector) }))
      .filter(({ similarity }) => similarity >= this.#judge.threshold)
      .sort((a, b) => b.similarity - a.similarity);
    if (scored.length === 0) return undefined;
    for (const { entry, similarity } of scored) {
      if (await this.#judge.same(masked, entry.masked)) return this.#hit(entry, similarity);
    }
    return undefined;
  }

  clear(): void {
    this.#entries.clear();
  }

  #hit(entry: Entry, similarity: number): CachedPlan {
    const id = `${entry.partition}\u0000${entry.masked}`;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return { plan: structuredClone(entry.plan), cachedAction: entry.action, similarity };
  }
}

/** Registry, request field names and, when the model saw them, the values. */
function partitionOf({ data, fingerprint, valuesShared }: PlanCacheKey): string {
  const fields = Object.keys(data).sort();
  const described = valuesShared ? { fingerprint, data } : { fingerprint, fields };
  return createHash('sha256').update(canonicalJson(described)).digest('hex');
}

/** The action with each request value replaced by its field's slot word (fields in name order). */
function maskedAction({ action, data }: PlanCacheKey): string {
  const names = Object.keys(data).sort().slice(0, MAX_SLOTS);
  const slots = new Map(names.map((name, i) => [name, slotWord(i)]));
  const values = new Map<string, string>();
  for (const name of names) {
    const text = valueText(data[name]);
    if (text !== undefined) values.set(name, text);
  }
  return maskAction(action, values, slots);
}
