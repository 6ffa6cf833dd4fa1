/** An in-process store. Entries are kept as JSON text, so nothing a caller holds can change what is stored. */
import { type CacheEntry, type CacheStore, entryFromJson, entryToJson, type VectorLogPage } from './cache-store.js';

export class MemoryStore implements CacheStore {
  /** Map order is LRU order: touching an entry moves it to the end. */
  readonly #entries = new Map<string, string>();
  readonly #meta = new Map<
    string,
    { exactKey: string; partition: string; scope: string; tags: string[]; bytes: number }
  >();
  readonly #byExactKey = new Map<string, string>();
  readonly #logs = new Map<string, { id: string; vector: Float32Array; sequence: number }[]>();
  #sequence = 0;
  readonly #settings = new Map<string, string>();
  #bytes = 0;

  async get(id: string): Promise<CacheEntry | undefined> {
    const json = this.#entries.get(id);
    return json === undefined ? undefined : entryFromJson(json);
  }

  async getByExactKey(exactKey: string): Promise<CacheEntry | undefined> {
    const id = this.#byExactKey.get(exactKey);
    return id === undefined ? undefined : this.get(id);
  }

  async put(entry: CacheEntry): Promise<void> {
    const previous = this.#byExactKey.get(entry.exactKey);
    await this.delete([entry.id, ...(previous === undefined ? [] : [previous])]);
    this.#entries.set(entry.id, entryToJson(entry));
    this.#meta.set(entry.id, { ...entry, tags: [...entry.tags] });
    this.#byExactKey.set(entry.exactKey, entry.id);
    this.#bytes += entry.bytes;
    const log = this.#logs.get(entry.partition) ?? [];
    log.push({ id: entry.id, vector: entry.vector.slice(), sequence: ++this.#sequence });
    this.#logs.set(entry.partition, log);
  }

  async touch(id: string, lastAccessAt: number, expiresAt: number | null): Promise<void> {
    const json = this.#entries.get(id);
    if (json === undefined) return;
    this.#entries.delete(id);
    this.#entries.set(id, entryToJson({ ...entryFromJson(json), lastAccessAt, expiresAt }));
  }

  async delete(ids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const id of ids) {
      const meta = this.#meta.get(id);
      if (!meta) continue;
      this.#entries.delete(id);
      this.#meta.delete(id);
      if (this.#byExactKey.get(meta.exactKey) === id) this.#byExactKey.delete(meta.exactKey);
      const log = this.#logs.get(meta.partition);
      if (log)
        this.#logs.set(
          meta.partition,
          log.filter((item) => item.id !== id),
        );
      this.#bytes -= meta.bytes;
      deleted++;
    }
    return deleted;
  }

  async idsByTag(tag: string): Promise<string[]> {
    return [...this.#meta].filter(([, meta]) => meta.tags.includes(tag)).map(([id]) => id);
  }

  async idsByScope(scope: string): Promise<string[]> {
    return [...this.#meta].filter(([, meta]) => meta.scope === scope).map(([id]) => id);
  }

  /** The cursor is the store-wide sequence number of the last item read. */
  async vectorsSince(partition: string, cursor: string | number | undefined): Promise<VectorLogPage> {
    const after = typeof cursor === 'number' ? cursor : 0;
    const items = (this.#logs.get(partition) ?? []).filter((item) => item.sequence > after);
    return {
      items: items.map((item) => ({ id: item.id, vector: item.vector.slice() })),
      cursor: items.length > 0 ? items[items.length - 1]!.sequence : after,
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

  async getMeta(key: string): Promise<string | undefined> {
    return this.#settings.get(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.#settings.set(key, value);
  }

  async clear(): Promise<void> {
    this.#entries.clear();
    this.#meta.clear();
    this.#byExactKey.clear();
    this.#logs.clear();
    this.#settings.clear();
    this.#bytes = 0;
  }

  async close(): Promise<void> {}
}
