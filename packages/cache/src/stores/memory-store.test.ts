import { describe, expect, it } from 'vitest';
import { normalize } from '../embedders/embedder.js';
import { MemoryStore } from './memory-store.js';
import { isSearchableStore } from './searchable-store.js';
import { makeEntry, runStoreContract } from './store-contract.js';

runStoreContract('memory', async () => new MemoryStore());

const unit = (...values: number[]) => normalize(Float32Array.from(values));

describe('MemoryStore search', () => {
  it('searches its own vectors per partition, leaving blocked entries out', async () => {
    const store = new MemoryStore();
    expect(isSearchableStore(store)).toBe(true);
    const a = makeEntry({ vector: unit(1, 0, 0) });
    const b = makeEntry({ vector: unit(1, 1, 0) });
    const blocked = makeEntry({ vector: unit(1, 0, 0), blocked: true });
    const elsewhere = makeEntry({ vector: unit(1, 0, 0), partition: 'p2' });
    for (const entry of [a, b, blocked, elsewhere]) await store.put(entry);
    const found = await store.searchVectors('p1', unit(1, 0, 0), 5);
    expect(found.map((r) => r.id)).toEqual([a.id, b.id]);
    expect(Array.from((await store.get(blocked.id))!.vector)).toEqual(Array.from(unit(1, 0, 0)));
    await store.delete([a.id]);
    expect((await store.searchVectors('p1', unit(1, 0, 0), 5)).map((r) => r.id)).toEqual([b.id]);
    expect(await store.searchVectors('nowhere', unit(1, 0, 0), 5)).toEqual([]);
  });

  it('keeps its own copies: changing what was put or what was read changes nothing stored', async () => {
    const store = new MemoryStore();
    const entry = makeEntry({ vector: unit(0, 1, 0), tags: ['t'], chunks: [unit(0, 0, 1)] });
    await store.put(entry);
    entry.vector[0] = 5;
    entry.tags.push('x');
    entry.chunks[0]![0] = 5;
    const read = (await store.get(entry.id))!;
    expect(Array.from(read.vector)).toEqual(Array.from(unit(0, 1, 0)));
    read.vector[1] = 7;
    read.tags.push('y');
    const again = (await store.get(entry.id))!;
    expect(Array.from(again.vector)).toEqual(Array.from(unit(0, 1, 0)));
    expect(again.tags).toEqual(['t']);
    expect(Array.from(again.chunks[0]!)).toEqual(Array.from(unit(0, 0, 1)));
  });

  it('moves a large partition to HNSW and keeps search, deletes and the vector log right', async () => {
    const store = new MemoryStore({ index: { hnswThreshold: 40 } });
    const entries = Array.from({ length: 100 }, (_, i) =>
      makeEntry({ partition: 'big', vector: unit(Math.cos(i / 10), Math.sin(i / 10), (i % 7) / 10) }),
    );
    for (const entry of entries) await store.put(entry);
    expect(store.nativeBytes()).toBeGreaterThan(0);
    expect((await store.searchVectors('big', entries[42]!.vector, 1))[0]!.id).toBe(entries[42]!.id);
    await store.delete(entries.slice(0, 50).map((e) => e.id));
    expect((await store.searchVectors('big', entries[10]!.vector, 3)).map((r) => r.id)).not.toContain(entries[10]!.id);
    expect((await store.searchVectors('big', entries[77]!.vector, 1))[0]!.id).toBe(entries[77]!.id);
    const log = await store.vectorsSince('big', undefined);
    expect(log.items.map((item) => item.id)).toEqual(entries.slice(50).map((e) => e.id));
    expect(Array.from(log.items[27]!.vector)).toEqual(Array.from(entries[77]!.vector));
  });
});
