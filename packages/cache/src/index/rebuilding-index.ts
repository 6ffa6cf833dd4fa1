/**
 * A partition whose HNSW graph is being built (from a flat index that outgrew it, or from an old graph with too many
 * deleted nodes) without stopping lookups: searches keep using the current index, exactly as before, while the new
 * graph is filled a time slice at a time. Adds are queued for it and removals go to both, so nothing is missed when
 * the owner swaps the finished graph in.
 */
import type { HnswIndex } from './hnsw-index.js';
import type { SearchResult, VectorIndex } from './vector-index.js';

export class RebuildingIndex implements VectorIndex {
  readonly current: VectorIndex;
  readonly next: HnswIndex;
  readonly #queue: string[];
  #position = 0;

  constructor(current: VectorIndex, next: HnswIndex) {
    this.current = current;
    this.next = next;
    this.#queue = current.ids();
  }

  get size(): number {
    return this.current.size;
  }

  get done(): boolean {
    return this.#position >= this.#queue.length;
  }

  /** Copies up to `items` queued vectors into the new graph, for about `budgetMs` at most; true once all are in. */
  step(budgetMs: number, items = Number.POSITIVE_INFINITY): boolean {
    const until = performance.now() + budgetMs;
    for (let copied = 0; copied < items && this.#position < this.#queue.length; copied++) {
      const id = this.#queue[this.#position++]!;
      if (!this.next.has(id)) {
        const vector = this.current.vectorOf(id);
        if (vector) this.next.add(id, vector);
      }
      if ((copied & 7) === 7 && performance.now() >= until) break;
    }
    return this.done;
  }

  /** Goes to the current index now and to the new graph in a later slice (a stale copy there is dropped). */
  add(id: string, vector: Float32Array): void {
    this.current.add(id, vector);
    this.next.remove(id);
    this.#queue.push(id);
  }

  remove(id: string): void {
    this.current.remove(id);
    this.next.remove(id);
  }

  has(id: string): boolean {
    return this.current.has(id);
  }

  vectorOf(id: string): Float32Array | undefined {
    return this.current.vectorOf(id);
  }

  ids(): string[] {
    return this.current.ids();
  }

  entries(): Generator<[string, Float32Array]> {
    return this.current.entries();
  }

  search(query: Float32Array, k: number): SearchResult[] {
    return this.current.search(query, k);
  }

  nativeBytes(): number {
    return this.current.nativeBytes() + this.next.nativeBytes();
  }
}
