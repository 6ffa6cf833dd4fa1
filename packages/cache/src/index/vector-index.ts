/** A nearest-neighbour index over unit vectors: cosine similarity is the dot product. */
export interface SearchResult {
  id: string;
  similarity: number;
}

export interface VectorIndex {
  readonly size: number;
  add(id: string, vector: Float32Array): void;
  remove(id: string): void;
  has(id: string): boolean;
  /** The `k` most similar ids, most similar first. */
  search(query: Float32Array, k: number): SearchResult[];
}
