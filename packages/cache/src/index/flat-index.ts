/**
 * Exact search: every vector lives in one contiguous Float32Array and a query is one pass of dot products.
 * Used for partitions too small to be worth a graph index (see `PartitionIndex`); it never misses.
 */
import { checkDimension, type SearchResult, type VectorIndex } from './vector-index.js';

const INITIAL_ROWS = 16;

export class FlatIndex implements VectorIndex {
  readonly dimension: number;
  #vectors: Float32Array;
  #ids: string[] = [];
  readonly #rows = new Map<string, number>();
  /** Reused per search: the running top-k rows and scores. */
  #topRows = new Int32Array(8);
  #topScores = new Float64Array(8);

  constructor(dimension: number, initialCapacity = INITIAL_ROWS) {
    this.dimension = dimension;
    this.#vectors = new Float32Array(dimension * Math.max(1, initialCapacity));
  }

  get size(): number {
    return this.#ids.length;
  }

  has(id: string): boolean {
    return this.#rows.has(id);
  }

  /** Refuses a vector of another length (`VectorDimensionError`): truncating or padding it would corrupt scores. */
  add(id: string, vector: Float32Array): void {
    checkDimension(this.dimension, vector);
    if (this.#rows.has(id)) this.remove(id);
    const row = this.#ids.length;
    if ((row + 1) * this.dimension > this.#vectors.length) this.#resize(this.#vectors.length * 2);
    this.#vectors.set(vector, row * this.dimension);
    this.#ids.push(id);
    this.#rows.set(id, row);
  }

  /** Moves the last row into the removed one, so rows stay contiguous; gives memory back when mostly empty. */
  remove(id: string): void {
    const row = this.#rows.get(id);
    if (row === undefined) return;
    const last = this.#ids.length - 1;
    if (row !== last) {
      const lastId = this.#ids[last]!;
      this.#vectors.copyWithin(row * this.dimension, last * this.dimension, (last + 1) * this.dimension);
      this.#ids[row] = lastId;
      this.#rows.set(lastId, row);
    }
    this.#ids.pop();
    this.#rows.delete(id);
    const capacity = this.#vectors.length / this.dimension;
    if (capacity > INITIAL_ROWS && this.#ids.length < capacity / 4) this.#resize(this.#vectors.length / 2);
  }

  #resize(length: number): void {
    const resized = new Float32Array(length);
    resized.set(this.#vectors.subarray(0, Math.min(length, this.#ids.length * this.dimension)));
    this.#vectors = resized;
  }

  vectorOf(id: string): Float32Array | undefined {
    const row = this.#rows.get(id);
    return row === undefined ? undefined : this.#vectors.slice(row * this.dimension, (row + 1) * this.dimension);
  }

  ids(): string[] {
    return [...this.#ids];
  }

  *entries(): Generator<[string, Float32Array]> {
    for (let row = 0; row < this.#ids.length; row++) {
      yield [this.#ids[row]!, this.#vectors.slice(row * this.dimension, (row + 1) * this.dimension)];
    }
  }

  search(query: Float32Array, k: number): SearchResult[] {
    checkDimension(this.dimension, query);
    const count = Math.min(k, this.#ids.length);
    if (count <= 0) return [];
    if (this.#topRows.length < count) {
      this.#topRows = new Int32Array(count);
      this.#topScores = new Float64Array(count);
    }
    const topRows = this.#topRows;
    const topScores = this.#topScores;
    let filled = 0;
    const vectors = this.#vectors;
    const dimension = this.dimension;
    const rows = this.#ids.length;
    const tail = dimension & ~3;
    for (let row = 0; row < rows; row++) {
      const base = row * dimension;
      let a = 0;
      let b = 0;
      let c = 0;
      let e = 0;
      let d = 0;
      for (; d < tail; d += 4) {
        a += vectors[base + d]! * query[d]!;
        b += vectors[base + d + 1]! * query[d + 1]!;
        c += vectors[base + d + 2]! * query[d + 2]!;
        e += vectors[base + d + 3]! * query[d + 3]!;
      }
      for (; d < dimension; d++) a += vectors[base + d]! * query[d]!;
      const dot = a + b + c + e;
      if (filled === count && dot <= topScores[count - 1]!) continue;
      let position = filled < count ? filled++ : count - 1;
      while (position > 0 && topScores[position - 1]! < dot) {
        topScores[position] = topScores[position - 1]!;
        topRows[position] = topRows[position - 1]!;
        position--;
      }
      topScores[position] = dot;
      topRows[position] = row;
    }
    const results: SearchResult[] = new Array(filled);
    for (let i = 0; i < filled; i++) {
      results[i] = { id: this.#ids[topRows[i]!]!, similarity: Math.max(-1, Math.min(1, topScores[i]!)) };
    }
    return results;
  }

  nativeBytes(): number {
    return 0;
  }
}
