/**
 * The one contract every store passes. Each store's test file calls `runStoreContract` with a factory;
 * the cases are shared, so the memory, SQLite and Redis stores are held to the same behaviour.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VectorDimensionError } from '../errors.js';
import type { CacheEntry, CacheStore } from './cache-store.js';

let counter = 0;

export function makeEntry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  counter++;
  return {
    id: `id-${counter}`,
    exactKey: `key-${counter}`,
    partition: 'p1',
    scope: 't=a|p=|u=',
    embedder: 'test-embedder',
    dimension: 3,
    tags: [],
    text: `question ${counter}`,
    vector: Float32Array.from([1, 0, 0]),
    chunks: [],
    payload: JSON.stringify({ response: { text: `answer ${counter}` } }),
    createdAt: 1000,
    lastAccessAt: 1000 + counter,
    expiresAt: null,
    slidingTtlMs: null,
    blocked: false,
    bytes: 100,
    ...overrides,
  };
}

export function runStoreContract(name: string, create: () => Promise<CacheStore>): void {
  describe(`${name} store contract`, () => {
    let store: CacheStore;
    beforeEach(async () => {
      store = await create();
      await store.clear();
    });
    afterEach(async () => {
      await store.clear();
      await store.close();
    });

    it('round-trips an entry by id and by exact key, vectors and chunks included', async () => {
      const entry = makeEntry({ chunks: [Float32Array.from([0, 1, 0]), Float32Array.from([0, 0, 1])], tags: ['faq'] });
      await store.put(entry);
      const byId = await store.get(entry.id);
      expect(byId).toEqual(entry);
      expect(Array.from(byId!.chunks[1]!)).toEqual([0, 0, 1]);
      expect(await store.getByExactKey(entry.exactKey)).toEqual(entry);
      expect(await store.get('missing')).toBeUndefined();
    });

    it('replaces the entry with the same exact key', async () => {
      const first = makeEntry({ exactKey: 'same' });
      const second = makeEntry({ exactKey: 'same' });
      await store.put(first);
      await store.put(second);
      expect(await store.get(first.id)).toBeUndefined();
      expect((await store.getByExactKey('same'))!.id).toBe(second.id);
      expect(await store.stats()).toEqual({ entries: 1, bytes: 100 });
    });

    it('logs added vectors per partition and reads only what is new after a cursor', async () => {
      const a = makeEntry({ partition: 'p1' });
      const b = makeEntry({ partition: 'p2' });
      await store.put(a);
      await store.put(b);
      const first = await store.vectorsSince('p1', undefined);
      expect(first.items.map((item) => item.id)).toEqual([a.id]);
      expect(Array.from(first.items[0]!.vector)).toEqual([1, 0, 0]);
      const c = makeEntry({ partition: 'p1' });
      await store.put(c);
      const second = await store.vectorsSince('p1', first.cursor);
      expect(second.items.map((item) => item.id)).toEqual([c.id]);
      expect((await store.vectorsSince('p1', second.cursor)).items).toEqual([]);
    });

    it('deletes by id and finds ids by tag and by scope', async () => {
      const a = makeEntry({ tags: ['pricing', 'faq'], scope: 's1' });
      const b = makeEntry({ tags: ['faq'], scope: 's2' });
      await store.put(a);
      await store.put(b);
      expect((await store.idsByTag('faq')).sort()).toEqual([a.id, b.id].sort());
      expect(await store.idsByTag('pricing')).toEqual([a.id]);
      expect(await store.idsByScope('s2')).toEqual([b.id]);
      expect(await store.delete([a.id, 'missing'])).toBe(1);
      expect(await store.idsByTag('faq')).toEqual([b.id]);
      expect(await store.getByExactKey(a.exactKey)).toBeUndefined();
      expect(await store.stats()).toEqual({ entries: 1, bytes: 100 });
    });

    it('orders entries least recently used first, and touch moves an entry to the end', async () => {
      const a = makeEntry({ lastAccessAt: 10 });
      const b = makeEntry({ lastAccessAt: 20 });
      const c = makeEntry({ lastAccessAt: 30 });
      for (const entry of [a, b, c]) await store.put(entry);
      expect(await store.leastRecentlyUsed(2)).toEqual([a.id, b.id]);
      await store.touch(a.id, 40, 5000);
      expect(await store.leastRecentlyUsed(3)).toEqual([b.id, c.id, a.id]);
      const touched = await store.get(a.id);
      expect(touched!.lastAccessAt).toBe(40);
      expect(touched!.expiresAt).toBe(5000);
    });

    it('records the embedder id and dimension of each entry', async () => {
      const entry = makeEntry({ embedder: 'sif:a', dimension: 3, chunks: [Float32Array.from([0, 1, 0])] });
      await store.put(entry);
      expect(await store.get(entry.id)).toMatchObject({ embedder: 'sif:a', dimension: 3 });
      expect((await store.getByExactKey(entry.exactKey))!.embedder).toBe('sif:a');
    });

    it('refuses an entry whose vectors are not the dimension it records', async () => {
      const short = makeEntry({ dimension: 4 });
      await expect(store.put(short)).rejects.toSatisfy((error) => VectorDimensionError.isInstance(error));
      const badChunk = makeEntry({ chunks: [Float32Array.from([1, 0])] });
      await expect(store.put(badChunk)).rejects.toSatisfy((error) => VectorDimensionError.isInstance(error));
      expect(await store.get(short.id)).toBeUndefined();
      expect(await store.stats()).toEqual({ entries: 0, bytes: 0 });
    });

    it('keeps metadata and clears everything', async () => {
      await store.setMeta('embedder', 'sif:100');
      expect(await store.getMeta('embedder')).toBe('sif:100');
      await store.put(makeEntry());
      await store.clear();
      expect(await store.stats()).toEqual({ entries: 0, bytes: 0 });
      expect(await store.getMeta('embedder')).toBeUndefined();
    });
  });
}
