/**
 * The recent-embeddings LRU behind `withEmbeddingCache`: vectors live in one Float32Array of fixed-size slots
 * (grown on demand up to `maxEntries`), so an entry costs its floats and a map slot instead of a typed array object
 * and buffer each. Reads return copies.
 */
export class EmbeddingLru {
  readonly #maxEntries: number;
  readonly #dimension: number;
  /** Map order is recency order, oldest first. */
  readonly #slots = new Map<string, number>();
  #vectors = new Float32Array(0);
  #used = 0;

  constructor(maxEntries: number, dimension: number) {
    this.#maxEntries = Math.max(0, Math.floor(maxEntries));
    this.#dimension = dimension;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** A copy of the remembered vector, marking it recently used. */
  get(text: string): Float32Array | undefined {
    const slot = this.#slots.get(text);
    if (slot === undefined) return undefined;
    this.#slots.delete(text);
    this.#slots.set(text, slot);
    const start = slot * this.#dimension;
    return this.#vectors.slice(start, start + this.#dimension);
  }

  /** Remembers a vector (vectors of another length than the embedder's dimension are not kept). */
  set(text: string, vector: Float32Array): void {
    if (this.#maxEntries === 0 || vector.length !== this.#dimension) return;
    let slot = this.#slots.get(text);
    if (slot !== undefined) this.#slots.delete(text);
    else if (this.#slots.size >= this.#maxEntries) {
      const [oldest, freed] = this.#slots.entries().next().value!;
      this.#slots.delete(oldest);
      slot = freed;
    } else slot = this.#allocate();
    text.charCodeAt(0); // flattens a concatenated key in place, so the map does not keep its pieces
    this.#slots.set(text, slot);
    this.#vectors.set(vector, slot * this.#dimension);
  }

  #allocate(): number {
    if ((this.#used + 1) * this.#dimension > this.#vectors.length) {
      const rows = Math.min(this.#maxEntries, Math.max(64, this.#used * 2));
      const grown = new Float32Array(rows * this.#dimension);
      grown.set(this.#vectors);
      this.#vectors = grown;
    }
    return this.#used++;
  }
}
