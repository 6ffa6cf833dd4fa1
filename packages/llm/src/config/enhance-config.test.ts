import { randomUUID } from 'node:crypto';
import { type Embedder, MemoryStore, ModelNotFoundError } from '@baton/cache';
import { ValidationError } from '@baton/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enhance } from '../enhance.js';
import { type ChatServer, EMBEDDING_DIMENSION, startChatServer } from '../testing/openai-compatible-server.js';
import { temporaryWorkingDirectory } from '../testing/temporary-working-directory.js';
import type { EnhanceConfig } from './enhance-config.js';

/** Each test gets its own working directory, so the default store (`.baton/cache.db`) starts empty there. */
const workingDirectory = temporaryWorkingDirectory();
beforeEach(workingDirectory.enter);
afterEach(workingDirectory.leave);

/**
 * A function whose calls are counted, enhanced with `config`; its answers are kept in memory (so each one starts
 * empty) unless the config picks a store.
 */
function counted(config: EnhanceConfig = {}, answer = (q: unknown) => `answer to ${JSON.stringify(q)}`) {
  const calls: unknown[] = [];
  const picksStore = config.store !== undefined || config.redisUrl !== undefined || config.cachePath !== undefined;
  const fn = enhance(
    async (question: unknown) => {
      calls.push(question);
      return answer(question);
    },
    picksStore ? config : { store: 'memory', ...config },
  );
  return { fn, calls };
}

const invalid = (config: Record<string, unknown>) => {
  try {
    enhance(async () => 1, config as EnhanceConfig);
  } catch (error) {
    expect(ValidationError.isInstance(error)).toBe(true);
    return (error as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('enhance() config: validation', () => {
  it.each([
    [{ similarityThreshold: 1.5 }, 'similarityThreshold', '1.5'],
    [{ hierarchicalWeightL1: 0.9, hierarchicalWeightL2: 0.4 }, 'hierarchicalWeightL1', '0.9'],
    [{ cacheTtl: -5 }, 'cacheTtl', '-5'],
    [{ maxCacheSize: 2.5 }, 'maxCacheSize', '2.5'],
    [{ enableCache: 'yes' }, 'enableCache', '"yes"'],
    [{ redisUrl: 'http://localhost' }, 'redisUrl', 'http://localhost'],
    [{ contextInjectionTopK: 0 }, 'contextInjectionTopK', '0'],
    [{ contextInjectionTemplate: 'no placeholder' }, 'contextInjectionTemplate', 'no placeholder'],
    [{ contextInjectionMinSimilarity: 2 }, 'contextInjectionMinSimilarity', '2'],
    [{ llmCostPer1kTokens: -1 }, 'llmCostPer1kTokens', '-1'],
    [{ pricing: { 'gpt-x': { inputPer1kTokens: 1 } } }, 'pricing.gpt-x.outputPer1kTokens', 'undefined'],
    [{ circuitBreakerThreshold: 0 }, 'circuitBreakerThreshold', '0'],
    [{ circuitBreakerTimeout: 0 }, 'circuitBreakerTimeout', '0'],
    [{ circuitBreakerTimeout: 60_000 }, 'circuitBreakerTimeout', 'not milliseconds'],
    [{ similarityThreshold: Number.NaN }, 'similarityThreshold', 'NaN'],
    [{ recorderLimit: -1 }, 'recorderLimit', '-1'],
    [{ embeddingModel: '' }, 'embeddingModel', '""'],
    [{ scope: 'alice' }, 'scope', '"alice"'],
  ])('refuses %j naming the option and the value', (config, path, value) => {
    const problems = invalid(config);
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.find((p) => p.path === path)!.message).toContain(value);
  });

  it.each([null, 'memory', [1]])('refuses options that are no object (%j), saying so once', (config) => {
    const problems = invalid(config as never);
    expect(problems).toEqual([expect.objectContaining({ message: expect.stringMatching(/must be an object, got/) })]);
  });

  it('names every problem at once, the threshold among them, with long values cut short', () => {
    const problems = invalid({
      similarityThreshold: 2,
      distance: 0.1,
      cacheTtl: -1,
      enableCache: 'yes',
      name: 'x'.repeat(100_000),
      store: 'disk',
    });
    expect([...new Set(problems.map((p) => p.path))].sort()).toEqual(
      ['cacheTtl', 'distance', 'enableCache', 'similarityThreshold', 'store'].sort(),
    );
    const long = invalid({ scope: 'y'.repeat(100_000) });
    expect(long[0]!.message.length).toBeLessThan(300);
  });

  it('names every problem at once, the threshold and the embedder name among them', () => {
    const problems = invalid({
      similarityThreshold: 92,
      distanceThreshold: 0.1,
      cacheTtl: -5,
      embeddingModel: 'openai:text-embedding-3-small',
      scope: { tenant: 7, team: 'x' },
      maxCacheSize: 0,
      similarity_threshold: 0.9,
    });
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        'cacheTtl',
        'distanceThreshold',
        'embeddingModel',
        'maxCacheSize',
        'scope.team',
        'scope.tenant',
        'similarityThreshold',
        'similarity_threshold',
      ].sort(),
    );
    for (const problem of problems) expect(Object.keys(problem).sort()).toEqual(['code', 'message', 'path']);
  });

  it('refuses a threshold given as a distance, and says how to convert it', () => {
    expect(() => enhance(async () => 1, { distanceThreshold: 0.1 } as EnhanceConfig)).toThrow(/1 - distance/);
  });

  it('refuses unknown options, suggesting the camelCase name', () => {
    expect(invalid({ similarity_threshold: 0.9 })[0]!.message).toMatch(/did you mean similarityThreshold/);
    expect(invalid({ enableToolSearch: true })[0]).toMatchObject({
      path: 'enableToolSearch',
      code: 'unknown-option',
      message: 'unknown option (value true): it is not an enhance() option',
    });
  });

  it('refuses an unknown embedder name and a missing ONNX model directory', () => {
    expect(invalid({ embeddingModel: 'all-MiniLM-L6-v2' })[0]!.message).toMatch(/not a known embedder/);
    expect(() => enhance(async () => 1, { embeddingModel: `onnx:/nowhere/${randomUUID()}:384` })).toThrow(
      ModelNotFoundError,
    );
  });

  it('refuses a target it cannot wrap, such as a model id string', () => {
    expect(() => enhance('openai/gpt-4o' as never)).toThrow(/not a model id string/);
  });
});

describe('enhance() config: every option is read', () => {
  it('similarityThreshold: a strict threshold turns a paraphrase into a miss', async () => {
    const loose = counted();
    await loose.fn('How much does the premium plan cost?');
    await loose.fn('What is the price of the premium plan?');
    expect(loose.calls).toHaveLength(1);
    const strict = counted({ similarityThreshold: 0.999 });
    await strict.fn('How do I mend my bike?');
    await strict.fn('How can I fix my bike?');
    expect(strict.calls).toHaveLength(2);
  });

  it('embedder: the given instance embeds the prompts', async () => {
    const { fn } = counted();
    const seen: string[] = [];
    const inner = fn.cache!.embedder;
    const spy: Embedder = {
      id: inner.id,
      dimension: inner.dimension,
      embed: (texts) => {
        seen.push(...texts);
        return inner.embed(texts);
      },
    };
    const { fn: withSpy } = counted({ embedder: spy });
    await withSpy('How tall is the Eiffel tower?');
    expect(seen).toContain('How tall is the Eiffel tower?');
  });

  describe('embeddingModel: openai:<model>:<dimension> embeds through the endpoint at OPENAI_BASE_URL', () => {
    let server: ChatServer;
    beforeAll(async () => {
      server = await startChatServer();
    });
    afterAll(() => server.close());

    it('sends the prompts to /v1/embeddings', async () => {
      const previous = process.env.OPENAI_BASE_URL;
      process.env.OPENAI_BASE_URL = server.baseURL;
      try {
        const { fn, calls } = counted({ embeddingModel: `openai:test-embed:${EMBEDDING_DIMENSION}` });
        await fn('why is the sky blue');
        await fn('why is the sky blue');
        expect(server.embedded).toContain('why is the sky blue');
        expect(calls).toHaveLength(1);
        expect(fn.cache!.embedder.id).toContain('test-embed');
      } finally {
        if (previous === undefined) delete process.env.OPENAI_BASE_URL;
        else process.env.OPENAI_BASE_URL = previous;
      }
    });
  });

  it('enableHierarchical and its weights change how long prompts are scored', async () => {
    const long = (topic: string) =>
      `${'Please read the following report carefully and give me a short summary of the main points it makes. '.repeat(4)}The report is about ${topic}.`;
    const similarity = async (config: EnhanceConfig) => {
      const { fn } = counted({ similarityThreshold: 0.3, ...config });
      // WordNet synonyms outside the everyday list embed apart, so the weighting shows.
      await fn(long('a film about whales'));
      await fn(long('a picture about whales'));
      return fn.getRecords()[1]!.similarity;
    };
    const flat = await similarity({});
    const wholeOnly = await similarity({ enableHierarchical: true, hierarchicalWeightL1: 1, hierarchicalWeightL2: 0 });
    const chunked = await similarity({
      enableHierarchical: true,
      hierarchicalWeightL1: 0.2,
      hierarchicalWeightL2: 0.8,
    });
    expect(flat).toBeDefined();
    expect(wholeOnly).toBeCloseTo(flat!, 6);
    expect(Math.abs(chunked! - flat!)).toBeGreaterThan(1e-4);
  });

  it('enableCache: false sends every call to the target and counts it as a bypass', async () => {
    const { fn, calls } = counted({ enableCache: false });
    await fn('same question');
    await fn('same question');
    expect(calls).toHaveLength(2);
    expect(fn.cache).toBeUndefined();
    expect(fn.getMetrics()).toMatchObject({ calls: 2, bypasses: 2, hitRate: 0 });
  });

  it('cacheTtl: answers expire after the given seconds', async () => {
    const { fn, calls } = counted({ cacheTtl: 0.05 });
    await fn('what time is it in Tokyo');
    await fn('what time is it in Tokyo');
    expect(calls).toHaveLength(1);
    await sleep(80);
    await fn('what time is it in Tokyo');
    expect(calls).toHaveLength(2);
  });

  it('maxCacheSize: the least recently used answer is evicted', async () => {
    const { fn, calls } = counted({ maxCacheSize: 2 });
    for (const q of ['alpha question one', 'bravo question two', 'charlie question three', 'alpha question one']) {
      await fn({ q, id: q });
    }
    expect(calls).toHaveLength(4);
    await fn({ q: 'charlie question three', id: 'charlie question three' });
    expect(calls).toHaveLength(4);
  });

  it('store: two enhanced targets with one store and one name share answers', async () => {
    const store = new MemoryStore();
    const a = counted({ store, name: 'faq' });
    const b = counted({ store, name: 'faq' });
    const other = counted({ store, name: 'billing' });
    await a.fn('How do I change my email address?');
    await b.fn('How do I change my email address?');
    await other.fn('How do I change my email address?');
    expect([a.calls.length, b.calls.length, other.calls.length]).toEqual([1, 0, 1]);
  });

  it('redisUrl and redisKeyPrefix: a Redis store shared by prefix', async () => {
    const redisUrl = process.env.BATON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const prefix = `baton-test:llm:${randomUUID()}:`;
    const a = counted({ redisUrl, redisKeyPrefix: prefix, name: 'faq' });
    const b = counted({ redisUrl, redisKeyPrefix: prefix, name: 'faq' });
    const c = counted({ redisUrl, redisKeyPrefix: `${prefix}other:`, name: 'faq' });
    try {
      await a.fn('How do I cancel my subscription?');
      await b.fn('How do I cancel my subscription?');
      await c.fn('How do I cancel my subscription?');
      expect([a.calls.length, b.calls.length, c.calls.length]).toEqual([1, 0, 1]);
    } finally {
      await a.fn.cache!.storage.clear();
      await c.fn.cache!.storage.clear();
      await Promise.all([a.fn.close(), b.fn.close(), c.fn.close()]);
    }
  });

  it('enableCompression: large answers are stored deflated', async () => {
    const payloads = async (enableCompression: boolean) => {
      const { fn } = counted({ enableCompression }, () => 'a long answer. '.repeat(200));
      await fn('give me a long answer');
      const [id] = await fn.cache!.storage.leastRecentlyUsed(1);
      return (await fn.cache!.storage.get(id!))!.payload.slice(0, 2);
    };
    expect(await payloads(true)).toBe('z:');
    expect(await payloads(false)).toBe('j:');
  });

  it('enableRecorder and recorderLimit: records are kept, bounded, or not at all', async () => {
    const on = counted({ recorderLimit: 2 });
    for (const q of ['first question here', 'second question here', 'third question here']) await on.fn(q);
    expect(on.fn.getRecords().map((r) => r.prompt)).toEqual(['second question here', 'third question here']);
    expect(on.fn.getRecords()[0]).toMatchObject({ outcome: 'miss', target: expect.any(String) });
    const off = counted({ enableRecorder: false });
    await off.fn('first question here');
    expect(off.fn.getRecords()).toEqual([]);
  });

  it('scope: answers never cross scopes, whether the scope is fixed or computed per call', async () => {
    const store = new MemoryStore();
    const alice = counted({ store, name: 's', scope: { user: 'alice' } });
    const bob = counted({ store, name: 's', scope: { user: 'bob' } });
    await alice.fn('what is on my calendar today');
    await bob.fn('what is on my calendar today');
    expect(bob.calls).toHaveLength(1);
    const perCall = counted({
      scope: (call) => (call.kind === 'function' ? { user: (call.args[0] as { user: string }).user } : undefined),
    });
    await perCall.fn({ user: 'alice', question: 'what is on my calendar today' });
    await perCall.fn({ user: 'bob', question: 'what is on my calendar today' });
    await perCall.fn({ user: 'alice', question: 'what is on my calendar today' });
    expect(perCall.calls).toHaveLength(2);
  });

  it('name: names the target in records', async () => {
    const { fn } = counted({ name: 'support-bot' });
    await fn('hello there');
    expect(fn.getRecords()[0]!.target).toBe('support-bot');
  });
});
