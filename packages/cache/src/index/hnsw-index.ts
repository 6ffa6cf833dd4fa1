/**
 * Approximate search with HNSW (hnswlib-node) for large partitions. Inner-product space over unit vectors, so
 * hnswlib's distance is 1 − cos and stored vectors come back exactly as given.
 *
 * Removal marks the element deleted and keeps its label on a free list; the next add reuses the label, which makes
 * hnswlib rewrite that element in place and repair its neighbours. `deleted` tells the owner when so much of the
 * graph is dead that a rebuild (`PartitionIndex` does it) is worth it.
 */
import { MissingDependencyError, requireOptional } from '@baton/core';
import { checkDimension, type SearchResult, type VectorIndex } from './vector-index.js';

interface Hnsw {
  initIndex(maxElements: number, m: number, efConstruction: number, randomSeed: number): void;
  resizeIndex(maxElements: number): void;
  getMaxElements(): number;
  addPoint(point: number[], label: number, replaceDeleted?: boolean): void;
  markDelete(label: number): void;
  setEf(ef: number): void;
  getPoint(label: number): number[];
  searchKnn(query: number[], k: number): { distances: number[]; neighbors: number[] };
}

export interface HnswIndexOptions {
  /** Graph degree (links per node; twice that on the bottom layer). @default 16 */
  m?: number;
  /** Build-time candidate list size. @default 100 */
  efConstruction?: number;
  /** Search-time candidate list size (at least k). @default 128 */
  efSearch?: number;
  /** Seed of the level generator, for reproducible graphs. @default 100 */
  seed?: number;
}

export const HNSW_DEFAULTS: Required<HnswIndexOptions> = { m: 16, efConstruction: 100, efSearch: 128, seed: 100 };

let available: boolean | undefined;

/** Whether hnswlib-node (an optional peer dependency) is installed; without it partitions stay exact (flat). */
export function hnswAvailable(): boolean {
  if (available === undefined) {
    try {
      requireOptional('hnswlib-node', 'HNSW search of large cache partitions', import.meta.url);
      available = true;
    } catch (error) {
      if (!MissingDependencyError.isInstance(error)) throw error;
      available = false;
    }
  }
  return available;
}

const INITIAL_CAPACITY = 1024;
/** hnswlib's fixed per-index cost: 65536 label-operation mutexes of 40 bytes. */
const FIXED_NATIVE_BYTES = 65_536 * 40;

export class HnswIndex implements VectorIndex {
  readonly dimension: number;
  readonly #index: Hnsw;
  readonly #options: Required<HnswIndexOptions>;
  readonly #labels = new Map<string, number>();
  /** Label → id; undefined for a deleted label waiting on `#free`. */
  readonly #ids: (string | undefined)[] = [];
  readonly #free: number[] = [];
  /** Reused argument for hnswlib, which only takes plain arrays. */
  readonly #point: number[];
  #capacity: number;

  constructor(dimension: number, options: HnswIndexOptions = {}, initialCapacity = INITIAL_CAPACITY) {
    const { HierarchicalNSW } = requireOptional<{ HierarchicalNSW: new (space: string, dimension: number) => Hnsw }>(
      'hnswlib-node',
      'HNSW search of large cache partitions',
      import.meta.url,
    );
    this.dimension = dimension;
    this.#options = { ...HNSW_DEFAULTS, ...options };
    this.#capacity = Math.max(16, initialCapacity);
    this.#index = new HierarchicalNSW('ip', dimension);
    this.#index.initIndex(this.#capacity, this.#options.m, this.#options.efConstruction, this.#options.seed);
    this.#point = new Array<number>(dimension).fill(0);
  }

  get size(): number {
    return this.#labels.size;
  }

  /** Labels marked deleted and not reused yet: dead nodes the graph still routes through. */
  get deleted(): number {
    return this.#free.length;
  }

  has(id: string): boolean {
    return this.#labels.has(id);
  }

  /** Refuses a vector of another length (`VectorDimensionError`) instead of reading past or short of it. */
  #toPoint(vector: Float32Array): number[] {
    checkDimension(this.dimension, vector);
    const point = this.#point;
    for (let d = 0; d < this.dimension; d++) point[d] = vector[d]!;
    return point;
  }

  add(id: string, vector: Float32Array): void {
    const point = this.#toPoint(vector);
    this.remove(id);
    const reused = this.#free.pop();
    const label = reused ?? this.#ids.length;
    if (reused === undefined && label >= this.#capacity) {
      this.#capacity = Math.ceil(this.#capacity * 1.5);
      this.#index.resizeIndex(this.#capacity);
    }
    // A reused label is marked deleted: hnswlib unmarks it and rewrites the element and its links in place.
    this.#index.addPoint(point, label, false);
    this.#labels.set(id, label);
    this.#ids[label] = id;
  }

  remove(id: string): void {
    const label = this.#labels.get(id);
    if (label === undefined) return;
    this.#index.markDelete(label);
    this.#labels.delete(id);
    this.#ids[label] = undefined;
    this.#free.push(label);
  }

  vectorOf(id: string): Float32Array | undefined {
    const label = this.#labels.get(id);
    return label === undefined ? undefined : Float32Array.from(this.#index.getPoint(label));
  }

  ids(): string[] {
    return [...this.#labels.keys()];
  }

  *entries(): Generator<[string, Float32Array]> {
    for (let label = 0; label < this.#ids.length; label++) {
      const id = this.#ids[label];
      if (id !== undefined) yield [id, Float32Array.from(this.#index.getPoint(label))];
    }
  }

  search(query: Float32Array, k: number): SearchResult[] {
    const count = Math.min(k, this.size);
    if (count <= 0) return [];
    this.#index.setEf(Math.max(this.#options.efSearch, count));
    const { distances, neighbors } = this.#index.searchKnn(this.#toPoint(query), count);
    const results: SearchResult[] = [];
    for (let i = 0; i < neighbors.length; i++) {
      const id = this.#ids[neighbors[i]!];
      if (id !== undefined) results.push({ id, similarity: Math.max(-1, Math.min(1, 1 - distances[i]!)) });
    }
    return results;
  }

  /**
   * hnswlib's allocations, estimated from its layout: per element the bottom layer (links of 2m ids, the vector,
   * the label) for every slot in use, and for every slot of capacity a lock, a level, a link-list pointer and a visit
   * mark; the label hash map and upper layers (a 1/m share of nodes) besides.
   */
  nativeBytes(): number {
    const { m } = this.#options;
    const used = this.#ids.length;
    const bottom = 2 * m * 4 + 4 + this.dimension * 4 + 8;
    const perSlot = 40 + 4 + 8 + 2;
    const labelMap = 48;
    const upper = ((m * 4 + 4 + 16) / m) * 1.1;
    return FIXED_NATIVE_BYTES + this.#capacity * perSlot + used * (bottom + labelMap + upper);
  }
}
