/**
 * The storage contract behind the cache. A store keeps entries and a per-partition log of added vectors that each
 * process's in-memory index reads from its cursor, so entries added by another process become searchable.
 * Expiry, LRU order and the embedder check are decided by the cache; the store only records — and refuses an entry
 * whose vectors do not have the dimension it says it has.
 */
import { VectorDimensionError } from '../errors.js';

export interface CacheEntry {
  id: string;
  exactKey: string;
  partition: string;
  /** `scopeKey()` of the request's scope. */
  scope: string;
  tags: string[];
  /** Id of the embedder that made `vector` and `chunks` (`Embedder.id`); the cache refuses to compare across ids. */
  embedder: string;
  /** Length of `vector` and of every chunk vector. */
  dimension: number;
  /** The text that was embedded (the last user turn), for verification. */
  text: string;
  vector: Float32Array;
  /** Chunk vectors for hierarchical matching; empty for short texts. */
  chunks: Float32Array[];
  /** The encoded `{ response, usage }`: JSON, or `z:` + base64 of deflated JSON. */
  payload: string;
  createdAt: number;
  lastAccessAt: number;
  /** Epoch ms after which the entry is dead; null for no expiry. */
  expiresAt: number | null;
  /** For sliding expiry: each hit moves `expiresAt` to now + ttlMs. */
  slidingTtlMs: number | null;
  /** Marked wrong by feedback: never served, and its exact key is not cached again. */
  blocked: boolean;
  /** Approximate size for byte-based eviction. */
  bytes: number;
}

export interface VectorLogPage {
  items: { id: string; vector: Float32Array }[];
  cursor: string | number;
}

export interface CacheStore {
  get(id: string): Promise<CacheEntry | undefined>;
  getByExactKey(exactKey: string): Promise<CacheEntry | undefined>;
  /** Inserts, replacing any entry with the same id or exact key. */
  put(entry: CacheEntry): Promise<void>;
  touch(id: string, lastAccessAt: number, expiresAt: number | null): Promise<void>;
  delete(ids: readonly string[]): Promise<number>;
  idsByTag(tag: string): Promise<string[]>;
  idsByScope(scope: string): Promise<string[]>;
  /** Vectors added to a partition after `cursor` (undefined: from the start), and the new cursor. */
  vectorsSince(partition: string, cursor: string | number | undefined): Promise<VectorLogPage>;
  /** Ids in least-recently-used order, oldest first. */
  leastRecentlyUsed(limit: number): Promise<string[]>;
  stats(): Promise<{ entries: number; bytes: number }>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Throws `VectorDimensionError` when a vector of the entry is not `entry.dimension` long. */
export function assertEntryDimension(entry: CacheEntry): void {
  // A blocked tombstone read back from the memory store may have lost its vector; it is never searched.
  const vectors = entry.blocked && entry.vector.length === 0 ? entry.chunks : [entry.vector, ...entry.chunks];
  for (const vector of vectors) {
    if (vector.length !== entry.dimension) {
      throw new VectorDimensionError(
        `store (entry ${entry.id}, embedder ${entry.embedder})`,
        entry.dimension,
        vector.length,
      );
    }
  }
}

/** Approximate bytes an entry holds: payload, text and vectors. */
export function entryBytes(entry: Omit<CacheEntry, 'bytes'>): number {
  return (
    entry.payload.length +
    entry.text.length +
    entry.vector.byteLength +
    entry.chunks.reduce((n, c) => n + c.byteLength, 0)
  );
}

export function vectorToBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function vectorFromBytes(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** Plain JSON form of an entry (vectors as base64), for stores that hold text. Never a code-executing format. */
export function entryToJson(entry: CacheEntry): string {
  return JSON.stringify({ ...entry, vector: vectorToBase64(entry.vector), chunks: entry.chunks.map(vectorToBase64) });
}

export function entryFromJson(json: string): CacheEntry {
  const raw = JSON.parse(json) as Omit<CacheEntry, 'vector' | 'chunks'> & { vector: string; chunks: string[] };
  return {
    ...raw,
    vector: vectorFromBytes(Buffer.from(raw.vector, 'base64')),
    chunks: raw.chunks.map((chunk) => vectorFromBytes(Buffer.from(chunk, 'base64'))),
  };
}
