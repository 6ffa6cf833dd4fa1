import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { CacheStoreError } from '../errors.js';
import { RedisStore } from './redis-store.js';
import { makeEntry, runStoreContract } from './store-contract.js';

/** Runs against a real server (BATON_TEST_REDIS_URL, default the local one); never skipped, also under CI=true. */
const url = process.env.BATON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `baton-test:${randomUUID()}:`;
let n = 0;
runStoreContract('redis', async () => new RedisStore({ url, keyPrefix: `${runPrefix}${n++}:` }));

it('shares entries between two clients with the same prefix, and stores plain JSON', async () => {
  const keyPrefix = `${runPrefix}shared:`;
  const a = new RedisStore({ url, keyPrefix });
  const b = new RedisStore({ url, keyPrefix });
  const entry = makeEntry();
  await a.put(entry);
  expect((await b.getByExactKey(entry.exactKey))!.payload).toBe(entry.payload);
  const { Redis } = await import('ioredis');
  const raw = new Redis(url);
  expect(JSON.parse((await raw.get(`${keyPrefix}e:${entry.id}`))!).text).toBe(entry.text);
  await raw.quit();
  await a.clear();
  await a.close();
  await b.close();
});

it('lets a second cache instance (another process) find entries the first one stored', async () => {
  const { SemanticCache } = await import('../semantic-cache.js');
  const keyPrefix = `${runPrefix}cache:`;
  const first = new SemanticCache({ store: new RedisStore({ url, keyPrefix }) });
  const second = new SemanticCache({ store: new RedisStore({ url, keyPrefix }) });
  const ask = (text: string) => ({ model: 'm', messages: [{ role: 'user', content: text }] });
  await first.store(ask('How much does the premium plan cost?'), { finishReason: 'stop', text: '$4' });
  const result = await second.lookup(ask('What is the price of the premium plan?'));
  expect(result).toMatchObject({ status: 'hit', tier: 'semantic', response: { text: '$4' } });
  await first.storage.clear();
  await first.close();
  await second.close();
});

it('clears only its own keys when its prefix holds glob characters', async () => {
  const mine = new RedisStore({ url, keyPrefix: `${runPrefix}glob?:` });
  const other = new RedisStore({ url, keyPrefix: `${runPrefix}globX:` });
  const entry = makeEntry();
  await other.put(entry);
  await mine.put(makeEntry());
  await mine.clear();
  expect(await mine.stats()).toEqual({ entries: 0, bytes: 0 });
  expect((await other.get(entry.id))?.id).toBe(entry.id);
  await other.clear();
  await mine.close();
  await other.close();
});

it('a server nobody listens on: operations fail at once with a retryable CacheStoreError naming it, and close returns', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const store = new RedisStore({ url: `redis://:secret@127.0.0.1:${port}` });
  // The first call waits for one failed attempt to connect; once the client knows, each fails without waiting.
  let refusal: unknown;
  for (let attempt = 0; attempt < 100 && refusal === undefined; attempt++) {
    const error = await store.getByExactKey('k').then(
      () => new Error('answered'),
      (e: unknown) => e,
    );
    if (CacheStoreError.isInstance(error)) refusal = error;
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(refusal).toMatchObject({ retryable: true, location: `redis://:***@127.0.0.1:${port}` });
  expect((refusal as Error).message).toContain(`the Redis server at redis://:***@127.0.0.1:${port} cannot be reached`);
  expect((refusal as Error).message).toContain('ECONNREFUSED');
  await expect(store.put(makeEntry())).rejects.toSatisfy((e) => CacheStoreError.isInstance(e));
  await store.close();
});
