import { describe, expect, it } from 'vitest';
import { normalize } from '../embedders/embedder.js';
import { MemoryStore } from '../stores/memory-store.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { makeEntry } from '../stores/store-contract.js';
import { candidateIndexFor, LogIndex } from './candidate-index.js';

const unit = (...values: number[]) => normalize(Float32Array.from(values));

describe('candidateIndexFor', () => {
  it('searches a memory store through the store itself (no second copy of the vectors)', async () => {
    const store = new MemoryStore();
    const index = candidateIndexFor(store, 3);
    expect(index).not.toBeInstanceOf(LogIndex);
    const entry = makeEntry({ vector: unit(0, 1, 0) });
    await store.put(entry);
    expect((await index.search('p1', unit(0, 1, 0), 1))[0]!.id).toBe(entry.id);
  });

  it('builds an index from a SQLite store log on first search, then reads only what is new', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const first = makeEntry({ vector: unit(1, 0, 0) });
    await store.put(first);
    const index = candidateIndexFor(store, 3);
    expect(index).toBeInstanceOf(LogIndex);
    expect((await index.search('p1', unit(1, 0, 0), 5)).map((r) => r.id)).toEqual([first.id]);
    const second = makeEntry({ vector: unit(0, 1, 0) });
    await store.put(second);
    expect((await index.search('p1', unit(0, 1, 0), 1))[0]!.id).toBe(second.id);
    index.forget([second.id]);
    expect((await index.search('p1', unit(0, 1, 0), 5)).map((r) => r.id)).toEqual([first.id]);
    await store.close();
  });

  it('shares one log read between concurrent searches of a partition', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.put(makeEntry({ vector: unit(1, 0, 0) }));
    let reads = 0;
    const read = store.vectorsSince.bind(store);
    store.vectorsSince = (partition, cursor) => {
      reads++;
      return read(partition, cursor);
    };
    const index = new LogIndex(store, 3);
    const results = await Promise.all([1, 2, 3].map(() => index.search('p1', unit(1, 0, 0), 5)));
    expect(reads).toBe(1);
    expect(results.map((r) => r.length)).toEqual([1, 1, 1]);
    await store.close();
  });

  it('switches a large partition to HNSW while rebuilding from the log', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const entries = Array.from({ length: 60 }, (_, i) => makeEntry({ vector: unit(Math.cos(i), Math.sin(i), i / 60) }));
    for (const entry of entries) await store.put(entry);
    const index = new LogIndex(store, 3, { hnswThreshold: 30 });
    expect((await index.search('p1', entries[17]!.vector, 1))[0]!.id).toBe(entries[17]!.id);
    await index.whenBuilt();
    expect(index.kind('p1')).toBe('hnsw');
    expect((await index.search('p1', entries[42]!.vector, 1))[0]!.id).toBe(entries[42]!.id);
    expect(index.nativeBytes()).toBeGreaterThan(0);
    await store.close();
  });
});
