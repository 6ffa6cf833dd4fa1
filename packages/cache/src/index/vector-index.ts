/** A nearest-neighbour index over unit vectors: cosine similarity is the dot product. */
import { VectorDimensionError } from '../errors.js';

export interface SearchResult {
  id: string;
  similarity: number;
}

export interface VectorIndex {
  readonly size: number;
  add(id: string, vector: Float32Array): void;
  remove(id: string): void;
  has(id: string): boolean;
  /** A copy of the stored vector, or undefined when the id is not indexed. */
  vectorOf(id: string): Float32Array | undefined;
  /** Every indexed id. */
  ids(): string[];
  /** Every indexed id with a copy of its vector. */
  entries(): Generator<[string, Float32Array]>;
  /** The `k` most similar ids, most similar first. */
  search(query: Float32Array, k: number): SearchResult[];
  /** Bytes the index holds outside the JS heap and ArrayBuffers V8 reports (native memory), for honest accounting. */
  nativeBytes(): number;
}

/** Refuses a vector of another length (`VectorDimensionError`) instead of reading past or short of it. */
export function checkDimension(expected: number, vector: Float32Array): void {
  if (vector.length !== expected) {
    throw new VectorDimensionError(
      'index',
      expected,
      vector.length,
      'vectors from another embedder cannot share an index',
    );
  }
}
