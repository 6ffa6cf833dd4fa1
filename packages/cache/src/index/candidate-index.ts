/**
 * Where the cache looks for semantic candidates. Over a store that searches its own vectors (the memory store) that
 * is the store itself, so each vector is held once. Over any other store (SQLite, Redis) it is an in-process
 * `PartitionIndex` fed from the store's vector log: read from the start on a partition's first search (the rebuild
 * when a cache opens over an existing store) and from the last cursor afterwards, so entries that other processes
 * add become searchable.
 */
import type { CacheStore } from '../stores/cache-store.js';
import { isSearchableStore, type SearchableStore } from '../stores/searchable-store.js';
import { PartitionIndex, type PartitionIndexOptions } from './partition-index.js';
import type { SearchResult } from './vector-index.js';

export interface CandidateIndex {
  /** The `k` most similar indexed entries of a partition, most similar first. */
  search(partition: string, query: Float32Array, k: number): Promise<SearchResult[]>;
  /** Drops ids the cache deleted or found gone from the store. */
  forget(ids: readonly string[], partition?: string): void;
  /** Native bytes held by graph indexes, which V8 does not report. */
  nativeBytes(): number;
  /** Resolves once every graph being built is in place (searches are exact meanwhile). */
  whenBuilt(): Promise<void>;
}

class StoreSearch implements CandidateIndex {
  constructor(private readonly store: SearchableStore) {}

  search(partition: string, query: Float32Array, k: number): Promise<SearchResult[]> {
    return this.store.searchVectors(partition, query, k);
  }

  /** The store keeps its index in step with its entries. */
  forget(): void {}

  nativeBytes(): number {
    return this.store.nativeBytes();
  }

  whenBuilt(): Promise<void> {
    return this.store.whenBuilt();
  }
}

/** An index over a store's vector log (see the file comment). */
export class LogIndex implements CandidateIndex {
  readonly #store: CacheStore;
  readonly #index: PartitionIndex;
  readonly #cursors = new Map<string, string | number>();
  readonly #syncing = new Map<string, Promise<void>>();

  constructor(store: CacheStore, dimension: number, options?: PartitionIndexOptions) {
    this.#store = store;
    this.#index = new PartitionIndex(dimension, options);
  }

  /** Reads the partition's log from its cursor; concurrent callers share one read. */
  sync(partition: string): Promise<void> {
    let running = this.#syncing.get(partition);
    if (!running) {
      running = (async () => {
        const page = await this.#store.vectorsSince(partition, this.#cursors.get(partition));
        this.#index.addAll(partition, page.items);
        this.#cursors.set(partition, page.cursor);
      })().finally(() => this.#syncing.delete(partition));
      this.#syncing.set(partition, running);
    }
    return running;
  }

  async search(partition: string, query: Float32Array, k: number): Promise<SearchResult[]> {
    await this.sync(partition);
    return this.#index.search(partition, query, k);
  }

  forget(ids: readonly string[], partition?: string): void {
    for (const id of ids) this.#index.remove(id, partition);
  }

  kind(partition: string): 'flat' | 'hnsw' | 'building' | undefined {
    return this.#index.kind(partition);
  }

  /** Resolves once every graph being built is in place. */
  whenBuilt(): Promise<void> {
    return this.#index.whenBuilt();
  }

  nativeBytes(): number {
    return this.#index.nativeBytes();
  }
}

export function candidateIndexFor(
  store: CacheStore,
  dimension: number,
  options?: PartitionIndexOptions,
): CandidateIndex {
  return isSearchableStore(store) ? new StoreSearch(store) : new LogIndex(store, dimension, options);
}
