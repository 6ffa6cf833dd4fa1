/**
 * Approximate search with HNSW (hnswlib-node) for partitions beyond the flat index's range (~100k entries).
 * Cosine space on unit vectors; hnswlib reports distance 1 − cos, converted back to similarity here.
 */
import { createRequire } from 'node:module';
import type { SearchResult, VectorIndex } from './vector-index.js';

interface Hnsw {
  initIndex(maxElements: number, m?: number, efConstruction?: number): void;
  resizeIndex(maxElements: number): void;
  getMaxElements(): number;
  addPoint(point: number[] | Float32Array, label: number, replaceDeleted?: boolean): void;
  markDelete(label: number): void;
  setEf(ef: number): void;
  searchKnn(query: number[] | Float32Array, k: number): { distances: number[]; neighbors: number[] };
}

export interface HnswIndexOptions {
  /** Graph degree. @default 16 */
  m?: number;
  /** Build-time candidate list size. @default 200 */
  efConstruction?: number;
  /** Search-time candidate list size. @default 64 */
  efSearch?: number;
}

export class HnswIndex implements VectorIndex {
  readonly #index: Hnsw;
  readonly #labels = new Map<string, number>();
  readonly #ids = new Map<number, string>();
  readonly #free: number[] = [];
  #nextLabel = 0;
  readonly #efSearch: number;

  constructor(dimension: number, options: HnswIndexOptions = {}) {
    const { HierarchicalNSW } = createRequire(import.meta.url)('hnswlib-node') as {
      HierarchicalNSW: new (space: string, dimension: number) => Hnsw;
    };
    this.#index = new HierarchicalNSW('cosine', dimension);
    this.#index.initIndex(1024, options.m ?? 16, options.efConstruction ?? 200);
    this.#efSearch = options.efSearch ?? 64;
  }

  get size(): number {
    return this.#labels.size;
  }

  has(id: string): boolean {
    return this.#labels.has(id);
  }

  add(id: string, vector: Float32Array): void {
    this.remove(id);
    const reused = this.#free.pop();
    const label = reused ?? this.#nextLabel++;
    if (reused === undefined && label >= this.#index.getMaxElements())
      this.#index.resizeIndex(this.#index.getMaxElements() * 2);
    this.#index.addPoint(Array.from(vector), label, reused !== undefined);
    this.#labels.set(id, label);
    this.#ids.set(label, id);
  }

  remove(id: string): void {
    const label = this.#labels.get(id);
    if (label === undefined) return;
    this.#index.markDelete(label);
    this.#labels.delete(id);
    this.#ids.delete(label);
    this.#free.push(label);
  }

  search(query: Float32Array, k: number): SearchResult[] {
    const count = Math.min(k, this.size);
    if (count === 0) return [];
    this.#index.setEf(Math.max(this.#efSearch, count));
    const { distances, neighbors } = this.#index.searchKnn(Array.from(query), count);
    return neighbors.map((label, i) => ({ id: this.#ids.get(label)!, similarity: 1 - distances[i]! }));
  }
}
