/**
 * An in-process store that keeps each vector once: in its own partitioned vector index, which it searches for the
 * cache (`SearchableStore`), instead of next to the entry and again in a cache-side index. Entries are compact
 * records; `get` returns copies, and `put` copies what it is given, so nothing a caller holds can change what is
 * stored. Partition and scope strings are shared between the entries that carry them.
 */
import { VectorDimensionError } from '../errors.js';
import { PartitionIndex, type PartitionIndexOptions } from '../index/partition-index.js';
import type { SearchResult } from '../index/vector-index.js';
import { assertEntryDimension, type CacheEntry, type CacheStore, type VectorLogPage } from './cache-store.js';
import type { SearchableStore } from './searchable-store.js';

export interface MemoryStoreOptions {
  /** How the store indexes its vectors (flat while small, HNSW past a threshold). */
  index?: PartitionIndexOptions;
}

interface StoredEntry {
  readonly id: string;
  readonly exactKey: string;
  readonly partition: string;
  readonly scope: string;
  readonly embedder: string;
  readonly dimension: number;
  readonly tags: readonly string[];
  readonly text: string;
  readonly chunks: readonly Float32Array[];
  readonly payload: string;
  readonly createdAt: number;
  lastAccessAt: number;
  expiresAt: number | null;
  readonly slidingTtlMs: number | null;
  readonly blocked: boolean;
  readonly bytes: number;
  /** Store-wide insertion number: the vector log's cursor. */
  readonly sequence: number;
  /** Only for blocked entries, which are never searched and so are kept out of the index. */
  readonly vector: Float32Array | undefined;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Returns `text` after making V8 flatten it in place. Strings built by concatenation (`randomUUID()`, template
 * literals) are trees of pieces, several times the size of their characters; once flat, the collector drops the
 * tree. Measured: 100k UUIDs and payloads take 330 bytes each unflattened, 79 flattened.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** Shares equal strings between entries; forgets a string when no entry holds it any more. */
class Interner {
  readonly #strings = new Map<string, { value: string; count: number }>();

  hold(value: string): string {
    const held = this.#strings.get(value);
    if (held) {
      held.count++;
      return held.value;
    }
    this.#strings.set(value, { value, count: 1 });
    return value;
  }

  release(value: string): void {
    const held = this.#strings.get(value);
    if (held && --held.count === 0) this.#strings.delete(value);
  }

  clear(): void {
    this.#strings.clear();
  }
}

export class MemoryStore implements CacheStore, SearchableStore {
  /** Map order is LRU order: touching an entry moves it to the end. */
  readonly #entries = new Map<string, StoredEntry>();
  readonly #byExactKey = new Map<string, StoredEntry>();
  readonly #strings = new Interner();
  readonly #indexOptions: PartitionIndexOptions | undefined;
  #index: PartitionIndex | undefined;
  #sequence = 0;
  readonly #settings = new Map<string, string>();
  #bytes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#indexOptions = options.index;
  }

  #vectorOf(stored: StoredEntry): Float32Array {
    return stored.vector?.slice() ?? this.#index?.vectorOf(stored.partition, stored.id) ?? new Float32Array(0);
  }

  /**
   * A copy of the entry. Its `vector` is read from the index on first access (reading it back from HNSW costs more
   * than the rest of the copy, and lookups never need it); it is empty if the entry was deleted in between.
   */
  #toEntry(stored: StoredEntry): CacheEntry {
    let vector: Float32Array | undefined;
    const vectorOf = () => this.#vectorOf(stored);
    return {
      id: stored.id,
      exactKey: stored.exactKey,
      partition: stored.partition,
      scope: stored.scope,
      embedder: stored.embedder,
      dimension: stored.dimension,
      tags: [...stored.tags],
      text: stored.text,
      get vector() {
        vector ??= vectorOf();
        return vector;
      },
      set vector(value) {
        vector = value;
      },
      chunks: stored.chunks.map((chunk) => chunk.slice()),
      payload: stored.payload,
      createdAt: stored.createdAt,
      lastAccessAt: stored.lastAccessAt,
      expiresAt: stored.expiresAt,
      slidingTtlMs: stored.slidingTtlMs,
      blocked: stored.blocked,
      bytes: stored.bytes,
    };
  }

  async get(id: string): Promise<CacheEntry | undefined> {
    const stored = this.#entries.get(id);
    return stored && this.#toEntry(stored);
  }

  async getByExactKey(exactKey: string): Promise<CacheEntry | undefined> {
    const stored = this.#byExactKey.get(exactKey);
    return stored && this.#toEntry(stored);
  }

  async put(entry: CacheEntry): Promise<void> {
    assertEntryDimension(entry);
    if (this.#index && !entry.blocked && entry.dimension !== this.#index.dimension) {
      throw new VectorDimensionError(
        'memory store',
        this.#index.dimension,
        entry.dimension,
        'one store holds one embedder',
      );
    }
    const previous = this.#byExactKey.get(entry.exactKey);
    this.#deleteOne(entry.id);
    if (previous) this.#deleteOne(previous.id);
    const stored: StoredEntry = {
      id: flat(entry.id),
      exactKey: flat(entry.exactKey),
      partition: this.#strings.hold(flat(entry.partition)),
      scope: this.#strings.hold(flat(entry.scope)),
      embedder: this.#strings.hold(flat(entry.embedder)),
      dimension: entry.dimension,
      tags: entry.tags.length === 0 ? NONE : entry.tags.map(flat),
      text: flat(entry.text),
      chunks: entry.chunks.length === 0 ? NONE : entry.chunks.map((chunk) => chunk.slice()),
      payload: flat(entry.payload),
      createdAt: entry.createdAt,
      lastAccessAt: entry.lastAccessAt,
      expiresAt: entry.expiresAt,
      slidingTtlMs: entry.slidingTtlMs,
      blocked: entry.blocked,
      bytes: entry.bytes,
      sequence: ++this.#sequence,
      vector: entry.blocked ? entry.vector.slice() : undefined,
    };
    if (!entry.blocked) {
      this.#index ??= new PartitionIndex(entry.vector.length, this.#indexOptions);
      this.#index.add(stored.partition, stored.id, entry.vector);
    }
    this.#entries.set(stored.id, stored);
    this.#byExactKey.set(stored.exactKey, stored);
    this.#bytes += stored.bytes;
  }

  async touch(id: string, lastAccessAt: number, expiresAt: number | null): Promise<void> {
    const stored = this.#entries.get(id);
    if (!stored) return;
    stored.lastAccessAt = lastAccessAt;
    stored.expiresAt = expiresAt;
    this.#entries.delete(id);
    this.#entries.set(id, stored);
  }

  #deleteOne(id: string): boolean {
    const stored = this.#entries.get(id);
    if (!stored) return false;
    this.#entries.delete(id);
    if (this.#byExactKey.get(stored.exactKey) === stored) this.#byExactKey.delete(stored.exactKey);
    if (!stored.blocked) this.#index?.remove(id, stored.partition);
    this.#strings.release(stored.partition);
    this.#strings.release(stored.scope);
    this.#strings.release(stored.embedder);
    this.#bytes -= stored.bytes;
    return true;
  }

  async delete(ids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const id of ids) if (this.#deleteOne(id)) deleted++;
    return deleted;
  }

  async idsByTag(tag: string): Promise<string[]> {
    const ids: string[] = [];
    for (const stored of this.#entries.values()) if (stored.tags.includes(tag)) ids.push(stored.id);
    return ids;
  }

  async idsByScope(scope: string): Promise<string[]> {
    const ids: string[] = [];
    for (const stored of this.#entries.values()) if (stored.scope === scope) ids.push(stored.id);
    return ids;
  }

  /** The most similar entries of a partition that are not blocked. */
  async searchVectors(partition: string, query: Float32Array, k: number): Promise<SearchResult[]> {
    return this.#index?.search(partition, query, k) ?? [];
  }

  /**
   * The cursor is the store-wide sequence number of the last item read. A scan over all entries: caches search this
   * store directly and never read its log, so only other readers of the contract pay for it.
   */
  async vectorsSince(partition: string, cursor: string | number | undefined): Promise<VectorLogPage> {
    const after = typeof cursor === 'number' ? cursor : 0;
    const matching: StoredEntry[] = [];
    for (const stored of this.#entries.values()) {
      if (stored.partition === partition && stored.sequence > after) matching.push(stored);
    }
    matching.sort((a, b) => a.sequence - b.sequence);
    return {
      items: matching.map((stored) => ({ id: stored.id, vector: this.#vectorOf(stored) })),
      cursor: matching.length > 0 ? matching[matching.length - 1]!.sequence : after,
    };
  }

  async leastRecentlyUsed(limit: number): Promise<string[]> {
    const ids: string[] = [];
    for (const id of this.#entries.keys()) {
      if (ids.length >= limit) break;
      ids.push(id);
    }
    return ids;
  }

  async stats(): Promise<{ entries: number; bytes: number }> {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  /** Bytes the store's graph indexes hold in native memory, outside what V8 reports. */
  nativeBytes(): number {
    return this.#index?.nativeBytes() ?? 0;
  }

  async whenBuilt(): Promise<void> {
    await this.#index?.whenBuilt();
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.#settings.get(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.#settings.set(key, value);
  }

  async clear(): Promise<void> {
    this.#entries.clear();
    this.#byExactKey.clear();
    this.#strings.clear();
    this.#index = undefined;
    this.#settings.clear();
    this.#bytes = 0;
  }

  async close(): Promise<void> {}
}
