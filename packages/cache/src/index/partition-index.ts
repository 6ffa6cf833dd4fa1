/**
 * One vector index per partition: flat (exact) while small, switched to HNSW once a partition passes
 * `hnswThreshold` entries. Searching one partition never sees another's vectors.
 */
import { FlatIndex } from './flat-index.js';
import { HnswIndex, type HnswIndexOptions } from './hnsw-index.js';
import type { SearchResult, VectorIndex } from './vector-index.js';

export interface PartitionIndexOptions {
  /** Entries in one partition above which HNSW replaces exact search. @default 100000 */
  hnswThreshold?: number;
  hnsw?: HnswIndexOptions;
}

export class PartitionIndex {
  readonly #dimension: number;
  readonly #options: PartitionIndexOptions;
  readonly #partitions = new Map<string, VectorIndex>();
  /** Per partition, how far the store's log of added vectors has been read. */
  readonly cursors = new Map<string, string | number>();

  constructor(dimension: number, options: PartitionIndexOptions = {}) {
    this.#dimension = dimension;
    this.#options = options;
  }

  add(partition: string, id: string, vector: Float32Array): void {
    let index = this.#partitions.get(partition);
    if (!index) {
      index = new FlatIndex(this.#dimension);
      this.#partitions.set(partition, index);
    }
    index.add(id, vector);
    if (index instanceof FlatIndex && index.size > (this.#options.hnswThreshold ?? 100_000)) {
      const hnsw = new HnswIndex(this.#dimension, this.#options.hnsw);
      for (const [entryId, entryVector] of index.entries()) hnsw.add(entryId, entryVector);
      this.#partitions.set(partition, hnsw);
    }
  }

  remove(id: string, partition?: string): void {
    if (partition !== undefined) this.#partitions.get(partition)?.remove(id);
    else for (const index of this.#partitions.values()) index.remove(id);
  }

  search(partition: string, query: Float32Array, k: number): SearchResult[] {
    return this.#partitions.get(partition)?.search(query, k) ?? [];
  }

  kind(partition: string): 'flat' | 'hnsw' | undefined {
    const index = this.#partitions.get(partition);
    return index === undefined ? undefined : index instanceof FlatIndex ? 'flat' : 'hnsw';
  }

  size(partition: string): number {
    return this.#partitions.get(partition)?.size ?? 0;
  }

  clear(): void {
    this.#partitions.clear();
    this.cursors.clear();
  }
}
