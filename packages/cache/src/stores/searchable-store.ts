/**
 * A store that keeps its vectors in its own index and searches them (the memory store). A cache over such a store
 * needs no index of its own, so each vector is held once.
 */
import type { SearchResult } from '../index/vector-index.js';
import type { CacheStore } from './cache-store.js';

export interface SearchableStore extends CacheStore {
  /** The `k` most similar searchable (not blocked) entries of a partition, most similar first. */
  searchVectors(partition: string, query: Float32Array, k: number): Promise<SearchResult[]>;
  /** Bytes held in native memory (graph indexes), which V8's heap and ArrayBuffer figures do not show. */
  nativeBytes(): number;
  /** Resolves once every graph index being built is in place. */
  whenBuilt(): Promise<void>;
}

export function isSearchableStore(store: CacheStore): store is SearchableStore {
  return typeof (store as Partial<SearchableStore>).searchVectors === 'function';
}
