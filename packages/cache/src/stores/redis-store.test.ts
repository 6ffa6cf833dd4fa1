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

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const refusal = (error: unknown) => CacheStoreError.isInstance(error) && error.retryable;

it('a server nobody listens on: every operation fails with a retryable CacheStoreError naming it, and close returns', async () => {
  const port = await closedPort();
  const store = new RedisStore({ url: `redis://:secret@127.0.0.1:${port}` });
  // The first waits for one attempt to connect; those after it fail without waiting (the test's timeout bounds both).
  for (let call = 0; call < 3; call++) {
    const error = await store.getByExactKey('k').then(
      () => new Error('answered'),
      (e: unknown) => e,
    );
    expect(refusal(error), String(error)).toBe(true);
    expect(error).toMatchObject({ location: `redis://:***@127.0.0.1:${port}` });
    expect((error as Error).message).toContain(`the Redis server at redis://:***@127.0.0.1:${port} cannot be reached`);
    expect((error as Error).message).toContain('ECONNREFUSED');
  }
  await expect(store.put(makeEntry())).rejects.toSatisfy(refusal);
  await expect(store.stats()).rejects.toSatisfy(refusal);
  await store.close();
});

it('a server that takes the connection and never answers: the call fails as unreachable, and close returns', async () => {
  const sockets: import('node:net').Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  const store = new RedisStore({ url: `redis://127.0.0.1:${port}` });
  try {
    await expect(store.get('id')).rejects.toSatisfy(refusal);
  } finally {
    await store.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
