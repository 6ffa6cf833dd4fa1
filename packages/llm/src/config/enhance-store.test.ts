import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CacheStore,
  CacheStoreError,
  EmbedderMismatchError,
  MemoryStore,
  ModelNotFoundError,
  SqliteStore,
} from '@baton/cache';
import { ValidationError } from '@baton/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enhance } from '../enhance.js';
import { temporaryWorkingDirectory } from '../testing/temporary-working-directory.js';
import type { EnhanceConfig } from './enhance-config.js';

const workingDirectory = temporaryWorkingDirectory();
beforeEach(workingDirectory.enter);
afterEach(workingDirectory.leave);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answerQuestion(question: string) {
  return `answer to ${question}`;
}

function counted(config: EnhanceConfig = {}, answer = (q: string) => `answer to ${q}`) {
  const calls: string[] = [];
  const fn = enhance(async (question: string) => {
    calls.push(question);
    return answer(question);
  }, config);
  return { fn, calls };
}

describe('enhance() store: SQLite at .baton/cache.db by default', () => {
  it('keeps answers in .baton/cache.db under the working directory, for the next process too', async () => {
    const first = enhance(answerQuestion);
    expect(first.cache!.storage).toBeInstanceOf(SqliteStore);
    await first('How long is the trial?');
    expect(existsSync(join(workingDirectory.path, '.baton', 'cache.db'))).toBe(true);
    await first.close();
    const restarted = enhance(answerQuestion);
    await restarted('How long is the trial?');
    expect(restarted.getMetrics()).toMatchObject({ calls: 1, hits: { exact: 1 } });
    await restarted.close();
  });

  it('does not share answers between two different unnamed functions in the default file', async () => {
    const upper = enhance(async (text: string) => text.toUpperCase());
    const lower = enhance(async (text: string) => text.toLowerCase());
    expect(await upper('Hello There')).toBe('HELLO THERE');
    expect(await lower('Hello There')).toBe('hello there');
  });

  it('refuses a second unnamed closure of the same source in the default file, which would share its answers', async () => {
    const translator = (lang: string) => async (text: string) => `${lang}:${text}`;
    const fr = translator('fr');
    const french = enhance(fr);
    expect(await french('Translate hello')).toBe('fr:Translate hello');
    // The same function enhanced again keeps its answers.
    expect(await enhance(fr)('Translate hello')).toBe('fr:Translate hello');
    expect(() => enhance(translator('de'))).toThrow(/give each its own name/);
    // Named, each keeps its own answers; a memory store is the function's alone.
    const german = enhance(translator('de'), { name: 'translate-de' });
    expect(await german('Translate hello')).toBe('de:Translate hello');
    const alone = enhance(translator('it'), { store: 'memory' });
    expect(await alone('Translate hello')).toBe('it:Translate hello');
  });

  it('cachePath: the SQLite file goes where it says', async () => {
    const { fn } = counted({ cachePath: 'data/answers.db' });
    await fn('What is the SLA?');
    expect(existsSync(join(workingDirectory.path, 'data', 'answers.db'))).toBe(true);
    expect(existsSync(join(workingDirectory.path, '.baton'))).toBe(false);
  });

  it("store: 'memory' keeps answers in memory and writes no file", async () => {
    const { fn, calls } = counted({ store: 'memory' });
    await fn('What is the SLA?');
    await fn('What is the SLA?');
    expect(calls).toHaveLength(1);
    expect(fn.cache!.storage).toBeInstanceOf(MemoryStore);
    expect(existsSync(join(workingDirectory.path, '.baton'))).toBe(false);
  });

  it.each([
    [{ store: 'sqlite' }, 'store', 'must be a CacheStore'],
    [{ store: 'memory', redisUrl: 'redis://127.0.0.1:6379' }, 'store', 'both pick a store'],
    [{ cachePath: 'x.db', store: 'memory' }, 'cachePath', 'only read for the default SQLite store'],
    [{ cachePath: '' }, 'cachePath', 'non-empty string'],
    [{ maxCacheBytes: 0 }, 'maxCacheBytes', '> 0'],
    [{ slidingTtl: 'yes' }, 'slidingTtl', 'true or false'],
    [{ cacheToolCalls: 1 }, 'cacheToolCalls', 'true or false'],
    [{ prompt: 'question' }, 'prompt', 'must be a function'],
  ])('refuses %j', (config, path, message) => {
    try {
      enhance(async () => 1, config as EnhanceConfig);
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).problems.find((p) => p.path === path)?.message).toContain(message);
    }
  });
});

describe('enhance() cache failures: configuration errors reach the caller, transient ones are bypassed', () => {
  it('a model that cannot be loaded fails the call with ModelNotFoundError, never calling the target silently', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'baton-broken-')), 'model');
    mkdirSync(join(directory, 'onnx'), { recursive: true });
    writeFileSync(join(directory, 'config.json'), '{"model_type":"bert"}');
    writeFileSync(join(directory, 'onnx', 'model.onnx'), 'not a model');
    const { fn, calls } = counted({ store: 'memory', embeddingModel: `onnx:${directory}:384` });
    await expect(fn('hello')).rejects.toSatisfy((error) => ModelNotFoundError.isInstance(error));
    expect(calls).toEqual([]);
    expect(fn.getMetrics()).toMatchObject({ calls: 1, failures: 1, bypasses: 0, cacheFailures: 0 });
  });

  it('a store that holds another embedder’s vectors fails the call with EmbedderMismatchError', async () => {
    const store = new MemoryStore();
    const first = counted({ store, name: 'faq' });
    await first.fn('How do I reset my password?');
    const inner = first.fn.cache!.embedder;
    const other = { id: 'other-embedder', dimension: inner.dimension, embed: inner.embed.bind(inner) };
    const second = counted({ store, name: 'faq', embedder: other });
    await expect(second.fn('How do I reset my password?')).rejects.toSatisfy((e) =>
      EmbedderMismatchError.isInstance(e),
    );
    expect(second.calls).toEqual([]);
  });

  it('a cache file that is not a SQLite database is a CacheStoreError from enhance()', () => {
    writeFileSync(join(workingDirectory.path, 'broken.db'), 'not a database '.repeat(200));
    expect(() => counted({ cachePath: 'broken.db' })).toThrow(CacheStoreError);
  });

  it('an unreachable store is bypassed: the target answers, and the failure is counted', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
    const store = new MemoryStore();
    store.getByExactKey = () => Promise.reject(unreachable);
    const { fn, calls } = counted({ store: store as CacheStore });
    expect(await fn('What is the SLA?')).toBe('answer to What is the SLA?');
    expect(calls).toHaveLength(1);
    expect(fn.getMetrics()).toMatchObject({ calls: 1, bypasses: 1, cacheFailures: 1, failures: 0 });
    expect(fn.getRecords()[0]!.reason).toMatch(/the cache failed: connect ECONNREFUSED/);
  });

  it('a Redis server nobody listens on: every call is answered by the target at once, and each failure is counted', async () => {
    const port = await freePort();
    const { fn, calls } = counted({ redisUrl: `redis://127.0.0.1:${port}` });
    try {
      // ioredis's defaults held each call through twenty reconnection attempts, over a minute: the test's timeout.
      for (const question of ['What is the SLA?', 'Who is on call?', 'What is the SLA?']) {
        expect(await fn(question)).toBe(`answer to ${question}`);
      }
      expect(calls).toHaveLength(3);
      expect(fn.getMetrics()).toMatchObject({ calls: 3, bypasses: 3, failures: 0 });
      expect(fn.getMetrics().cacheFailures).toBeGreaterThanOrEqual(3);
      expect(fn.getRecords().at(-1)!.reason).toMatch(/the cache failed: /);
    } finally {
      await fn.close();
    }
  });
});

describe('enhance() options: slidingTtl, maxCacheBytes, feedback', () => {
  it('slidingTtl: each hit extends the answer’s life; without it the answer expires on time', async () => {
    const sliding = counted({ store: 'memory', cacheTtl: 0.5, slidingTtl: true });
    const fixed = counted({ store: 'memory', cacheTtl: 0.5 });
    await Promise.all([sliding.fn('what is the status'), fixed.fn('what is the status')]);
    for (let i = 0; i < 3; i++) {
      await sleep(250);
      await Promise.all([sliding.fn('what is the status'), fixed.fn('what is the status')]);
    }
    expect(sliding.calls).toHaveLength(1);
    expect(fixed.calls.length).toBeGreaterThan(1);
  });

  it('maxCacheBytes: the least recently used answer goes once the bytes are exceeded', async () => {
    const { fn, calls } = counted({ store: 'memory', maxCacheBytes: 1500 }, (q) => `${q} `.repeat(60));
    await fn('first long question');
    await fn('second long question');
    await fn('first long question');
    expect(calls).toEqual(['first long question', 'second long question', 'first long question']);
    expect((await fn.cache!.storage.stats()).bytes).toBeLessThanOrEqual(1500);
  });

  it('feedback: the entryId of a hit, from the call record, blocks a wrong answer', async () => {
    const { fn, calls } = counted({ store: 'memory' });
    await fn('How much is the basic plan?');
    await fn('What does the basic plan cost?');
    const hit = fn.getRecords()[1]!;
    expect(hit).toMatchObject({ outcome: 'hit', tier: 'semantic', entryId: expect.any(String) });
    expect(hit.checks!.every((check) => check.passed)).toBe(true);
    expect(fn.getRecords()[0]!.entryId).toBe(hit.entryId);
    await fn.feedback(hit.entryId!, { action: 'block' });
    await fn('What does the basic plan cost?');
    expect(calls).toHaveLength(2);
  });
});

/** A port nothing listens on: one the system just gave out and took back. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
