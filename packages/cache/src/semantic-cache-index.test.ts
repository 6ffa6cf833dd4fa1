import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from './embedders/cached-embedder.js';
import { createSifEmbedder } from './embedders/sif-embedder.js';
import type { CacheRequest } from './match/request.js';
import { SemanticCache } from './semantic-cache.js';
import { MemoryStore } from './stores/memory-store.js';
import { SqliteStore } from './stores/sqlite-store.js';

const embedder = withEmbeddingCache(createSifEmbedder());
const ask = (text: string): CacheRequest => ({ model: 'gpt-x', messages: [{ role: 'user', content: text }] });
const answer = (text: string) => ({ finishReason: 'stop', text });
const PRODUCTS = ['starter', 'premium', 'business', 'family', 'travel', 'cloud', 'storage', 'backup', 'payroll'];
const stored = (i: number) => `How much does the ${PRODUCTS[i % 9]} plan cost for ${3 + i * 7} users?`;
const paraphrase = (i: number) => `What is the price of the ${PRODUCTS[i % 9]} plan for ${3 + i * 7} users?`;

/** The semantic tier over HNSW partitions (threshold lowered so a small test uses them). */
describe('SemanticCache over HNSW partitions', () => {
  it('serves paraphrases, never a wrong number, and forgets evicted and invalidated entries', async () => {
    const cache = new SemanticCache({ embedder, ttlMs: null, maxEntries: 80, index: { hnswThreshold: 20 } });
    for (let i = 0; i < 100; i++) await cache.store(ask(stored(i)), answer(`answer ${i}`));
    expect(cache.nativeMemoryBytes()).toBeGreaterThan(0);
    for (let i = 20; i < 100; i += 7) {
      const result = await cache.lookup(ask(paraphrase(i)));
      expect(result).toMatchObject({ status: 'hit', tier: 'semantic', response: { text: `answer ${i}` } });
    }
    expect((await cache.lookup(ask(paraphrase(5)))).status).toBe('miss');
    await cache.invalidate(ask(stored(50)));
    const gone = await cache.lookup(ask(paraphrase(50)));
    expect(gone.status).toBe('miss');
    expect(await cache.lookup(ask('What is the price of the starter plan for 9999 users?'))).toMatchObject({
      status: 'miss',
    });
  });

  it('rebuilds its index from a SQLite file when reopened, and finds entries another process adds', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'baton-cache-reopen-')), 'cache.db');
    const writer = new SemanticCache({ embedder, ttlMs: null, store: new SqliteStore({ path }) });
    for (let i = 0; i < 40; i++) await writer.store(ask(stored(i)), answer(`answer ${i}`));
    const reader = new SemanticCache({
      embedder,
      ttlMs: null,
      store: new SqliteStore({ path }),
      index: { hnswThreshold: 10 },
    });
    expect(await reader.lookup(ask(paraphrase(33)))).toMatchObject({ status: 'hit', response: { text: 'answer 33' } });
    await writer.store(ask(stored(40)), answer('answer 40'));
    expect(await reader.lookup(ask(paraphrase(40)))).toMatchObject({ status: 'hit', response: { text: 'answer 40' } });
    await writer.invalidate(ask(stored(12)));
    expect((await reader.lookup(ask(paraphrase(12)))).status).toBe('miss');
    await writer.close();
    await reader.close();
  });

  it('uses the memory store it is given for search, without an index of its own', async () => {
    const store = new MemoryStore({ index: { hnswThreshold: 10 } });
    const cache = new SemanticCache({ embedder, ttlMs: null, store });
    for (let i = 0; i < 30; i++) await cache.store(ask(stored(i)), answer(`answer ${i}`));
    expect(cache.nativeMemoryBytes()).toBe(store.nativeBytes());
    expect(await cache.lookup(ask(paraphrase(21)))).toMatchObject({ status: 'hit', response: { text: 'answer 21' } });
    const hit = await cache.lookup(ask(paraphrase(22)));
    if (hit.status !== 'hit') throw new Error('expected a hit');
    await cache.feedback(hit.entryId, { action: 'block' });
    expect((await cache.lookup(ask(paraphrase(22)))).status).toBe('miss');
    expect(
      (await store.searchVectors((await store.get(hit.entryId))!.partition, new Float32Array(100), 50)).map(
        (r) => r.id,
      ),
    ).not.toContain(hit.entryId);
  });
});
