/**
 * One vector index per partition: flat (exact) while small, moved to HNSW once a partition passes `hnswThreshold`
 * entries, and back to flat when it shrinks below half of that. An HNSW partition whose graph holds more deleted
 * nodes than live ones gets a fresh graph. Graphs are built a slice at a time (`RebuildingIndex`) while the previous
 * index answers searches, so neither the switch nor a 100k rebuild on open stalls one request: slices run when the
 * event loop is idle, and every add and search also advances the build a little, so it finishes even under a
 * steady stream of calls that never yields to timers.
 * Searching one partition never sees another's vectors.
 */
import { FlatIndex } from './flat-index.js';
import { HnswIndex, type HnswIndexOptions, hnswAvailable } from './hnsw-index.js';
import { RebuildingIndex } from './rebuilding-index.js';
import type { SearchResult, VectorIndex } from './vector-index.js';

export interface PartitionIndexOptions {
  /** Entries in one partition above which HNSW replaces exact search. @default 8192 */
  hnswThreshold?: number;
  hnsw?: HnswIndexOptions;
  /** Build graphs a slice at a time between lookups instead of all at once. @default true */
  buildInBackground?: boolean;
}

export const DEFAULT_HNSW_THRESHOLD = 8192;
/** Longest stretch of graph building per idle turn of the event loop, and per search. */
const IDLE_SLICE_MS = 8;
const SEARCH_SLICE_MS = 1;
/** Vectors copied into the graph per add while building: it catches up with any rate of adds. */
const ITEMS_PER_ADD = 2;

export class PartitionIndex {
  readonly #dimension: number;
  readonly #options: PartitionIndexOptions;
  readonly #partitions = new Map<string, VectorIndex>();
  readonly #builds = new Set<RebuildingIndex>();

  constructor(dimension: number, options: PartitionIndexOptions = {}) {
    this.#dimension = dimension;
    this.#options = options;
  }

  get dimension(): number {
    return this.#dimension;
  }

  get #threshold(): number {
    return this.#options.hnswThreshold ?? DEFAULT_HNSW_THRESHOLD;
  }

  add(partition: string, id: string, vector: Float32Array): void {
    this.#insert(partition, id, vector, true);
  }

  /** Adds many vectors at once (a rebuild from a store): a graph this starts is left to build in slices. */
  addAll(partition: string, items: Iterable<{ id: string; vector: Float32Array }>): void {
    for (const item of items) this.#insert(partition, item.id, item.vector, false);
  }

  #insert(partition: string, id: string, vector: Float32Array, advance: boolean): void {
    let index = this.#partitions.get(partition);
    if (!index) {
      index = new FlatIndex(this.#dimension);
      this.#partitions.set(partition, index);
    }
    index.add(id, vector);
    if (index instanceof FlatIndex && index.size > this.#threshold && hnswAvailable()) this.#build(partition, index);
    else if (advance && index instanceof RebuildingIndex) {
      this.#advance(partition, index, SEARCH_SLICE_MS, ITEMS_PER_ADD);
    }
  }

  /** Moves a build forward; swaps the graph in when complete. */
  #advance(partition: string, building: RebuildingIndex, budgetMs: number, items?: number): void {
    if (this.#partitions.get(partition) !== building) return;
    if (building.step(budgetMs, items)) this.#partitions.set(partition, building.next);
  }

  remove(id: string, partition?: string): void {
    if (partition === undefined) {
      for (const [name, index] of this.#partitions) if (index.has(id)) this.#removeFrom(name, index, id);
      return;
    }
    const index = this.#partitions.get(partition);
    if (index) this.#removeFrom(partition, index, id);
  }

  #removeFrom(partition: string, index: VectorIndex, id: string): void {
    index.remove(id);
    if (index.size === 0) this.#partitions.delete(partition);
    else if (index instanceof HnswIndex) {
      if (index.size < this.#threshold / 2) {
        const flat = new FlatIndex(this.#dimension, index.size);
        for (const [entryId, vector] of index.entries()) flat.add(entryId, vector);
        this.#partitions.set(partition, flat);
      } else if (index.deleted > index.size) this.#build(partition, index);
    }
  }

  /** Starts a fresh graph holding `current`'s vectors; `current` answers searches until it is complete. */
  #build(partition: string, current: VectorIndex): void {
    const next = new HnswIndex(this.#dimension, this.#options.hnsw, Math.ceil(current.size * 1.25));
    const building = new RebuildingIndex(current, next);
    this.#partitions.set(partition, building);
    if (this.#options.buildInBackground === false) {
      this.#advance(partition, building, Number.POSITIVE_INFINITY);
      return;
    }
    // Unreferenced: a build never keeps the process alive by itself (`whenBuilt` does, for whoever waits).
    const slice = () => {
      this.#advance(partition, building, IDLE_SLICE_MS);
      if (this.#partitions.get(partition) === building) setTimeout(slice, 0).unref();
      else this.#builds.delete(building);
    };
    this.#builds.add(building);
    setTimeout(slice, 0).unref();
  }

  /** Resolves once every graph being built is in place. */
  async whenBuilt(): Promise<void> {
    while (this.#builds.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  search(partition: string, query: Float32Array, k: number): SearchResult[] {
    const index = this.#partitions.get(partition);
    if (index instanceof RebuildingIndex) this.#advance(partition, index, SEARCH_SLICE_MS);
    return this.#partitions.get(partition)?.search(query, k) ?? [];
  }

  has(partition: string, id: string): boolean {
    return this.#partitions.get(partition)?.has(id) ?? false;
  }

  /** A copy of an indexed vector. */
  vectorOf(partition: string, id: string): Float32Array | undefined {
    return this.#partitions.get(partition)?.vectorOf(id);
  }

  /** `building`: a graph is being filled while the previous index answers. */
  kind(partition: string): 'flat' | 'hnsw' | 'building' | undefined {
    const index = this.#partitions.get(partition);
    if (index === undefined) return undefined;
    return index instanceof FlatIndex ? 'flat' : index instanceof HnswIndex ? 'hnsw' : 'building';
  }

  size(partition: string): number {
    return this.#partitions.get(partition)?.size ?? 0;
  }

  /** Native (non-V8) bytes held by the partitions' graph indexes. */
  nativeBytes(): number {
    let bytes = 0;
    for (const index of this.#partitions.values()) bytes += index.nativeBytes();
    return bytes;
  }

  clear(): void {
    this.#partitions.clear();
  }
}
