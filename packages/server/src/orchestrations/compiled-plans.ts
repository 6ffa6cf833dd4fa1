/**
 * The plans this server validated lately, by their project-scoped form and the schema revision each service resolved
 * to: an application that submits the same plan again and again (most do) pays for its validation once. A service
 * registered again with another schema gives another key, and a deleted one a problem before the cache is asked, so
 * the plan is validated afresh. Only valid plans are kept, the latest `capacity` of them, and none whose key is over
 * 64 KiB.
 */
import type { Engine } from '@baton/core';

export interface CompiledPlan {
  compiled: ReturnType<Engine['compile']>;
  parallelGroups: readonly (readonly string[])[];
}

/** Longer keys (plans carrying large inputs) are not kept: 256 of them must stay small in memory. */
const MAX_KEY_CHARS = 64 * 1024;

export class CompiledPlans {
  readonly #plans = new Map<string, CompiledPlan>();

  constructor(private readonly capacity = 256) {}

  /** The compiled plan under `key` (the scoped plan and its revisions as JSON), if it was validated lately. */
  get(key: string): CompiledPlan | undefined {
    const hit = this.#plans.get(key);
    if (hit === undefined) return undefined;
    // Most recently used last, so the oldest is the first to go.
    this.#plans.delete(key);
    this.#plans.set(key, hit);
    return hit;
  }

  set(key: string, plan: CompiledPlan): void {
    if (key.length > MAX_KEY_CHARS) return;
    this.#plans.delete(key);
    this.#plans.set(key, plan);
    if (this.#plans.size > this.capacity) this.#plans.delete(this.#plans.keys().next().value as string);
  }
}
