import { ValidationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from './embedders/cached-embedder.js';
import { createSifEmbedder } from './embedders/sif-embedder.js';
import { EmbedderMismatchError } from './errors.js';
import type { CacheRequest, CacheResponse } from './match/request.js';
import { SemanticCache, type SemanticCacheOptions } from './semantic-cache.js';
import { MemoryStore } from './stores/memory-store.js';

const embedder = withEmbeddingCache(createSifEmbedder());
const cache = (options: SemanticCacheOptions = {}) => new SemanticCache({ embedder, ...options });
const ask = (text: string, extra: Partial<CacheRequest> = {}): CacheRequest => ({
  model: 'gpt-x',
  messages: [{ role: 'user', content: text }],
  ...extra,
});
const answer = (text: string) => ({ finishReason: 'stop', text });

describe('SemanticCache matching', () => {
  it('hits the exact tier on the same prompt up to spacing and trailing punctuation', async () => {
    const c = cache();
    await c.store(ask('What is the capital of France?'), answer('Paris'), { inputTokens: 7 });
    const result = await c.lookup(ask('  What is the capital of   France '));
    expect(result).toMatchObject({
      status: 'hit',
      tier: 'exact',
      similarity: 1,
      response: { text: 'Paris' },
      usage: { inputTokens: 7 },
    });
  });

  it('keeps case in the exact key: case-sensitive codes never share an exact entry', async () => {
    const c = cache();
    await c.store(ask('What does ls -R do?'), answer('lists subdirectories recursively'));
    const result = await c.lookup(ask('What does ls -r do?'));
    expect(result.status === 'hit' && result.tier === 'exact').toBe(false);
  });

  it('never caches or serves an empty or punctuation-only prompt', async () => {
    const c = cache();
    for (const text of ['', '   ', '?', '...!?', '¿¡', '— …']) {
      expect(await c.store(ask(text), answer('anything')), JSON.stringify(text)).toMatchObject({ stored: false });
      expect(await c.lookup(ask(text))).toMatchObject({ status: 'bypass' });
    }
    expect(await c.store(ask('👍?'), answer('thumbs up'))).toMatchObject({ stored: true });
    expect(await c.lookup(ask('$?'))).toMatchObject({ status: 'miss' });
  });

  it('keeps tenants apart even when their scope values contain the separators', async () => {
    const c = cache();
    const a = { tenant: 'acme|p=x', project: '' };
    const b = { tenant: 'acme', project: 'x|p=' };
    expect(await c.store(ask('What is our refund policy?', { scope: a }), answer('acme: 30 days'))).toMatchObject({
      stored: true,
    });
    expect((await c.lookup(ask('What is our refund policy?', { scope: b }))).status).toBe('miss');
    const empty = await c.lookup(ask('What is our refund policy?', { scope: { tenant: 'acme|p=x' } }));
    expect(empty.status).toBe('miss');
  });

  it('hits the semantic tier on a paraphrase and reports similarity and checks', async () => {
    const c = cache();
    await c.store(ask('How much does the premium plan cost?'), answer('$20'));
    const result = await c.lookup(ask('What is the price of the premium plan?'));
    expect(result.status).toBe('hit');
    if (result.status !== 'hit') return;
    expect(result.tier).toBe('semantic');
    expect(result.similarity).toBeGreaterThan(0.8);
    expect(result.checks.every((check) => check.passed)).toBe(true);
  });

  it('refuses a similar candidate that names another entity, and says why', async () => {
    const c = cache();
    await c.store(ask('What is the weather in Paris today?'), answer('sunny'));
    const result = await c.lookup(ask('What is the weather in London today?'));
    expect(result.status).toBe('miss');
    if (result.status !== 'miss') return;
    expect(result.rejected[0]!.checks.find((check) => !check.passed)!.name).toBe('entities');
    expect(c.getMetrics().rejectedByVerification).toBe(1);
  });

  it('never matches across model, system prompt, tools, scope or earlier conversation', async () => {
    const c = cache();
    await c.store(ask('How do I reset my password?', { scope: { tenant: 'a' } }), answer('a'));
    for (const other of [
      { model: 'other', scope: { tenant: 'a' } },
      { system: 'be terse', scope: { tenant: 'a' } },
      { tools: [{ name: 'search' }], scope: { tenant: 'a' } },
      { scope: { tenant: 'b' } },
    ]) {
      expect((await c.lookup(ask('How do I reset my password?', other))).status).toBe('miss');
    }
    const followUp = (previous: string): CacheRequest => ({
      model: 'gpt-x',
      messages: [
        { role: 'user', content: previous },
        { role: 'assistant', content: 'It is sunny.' },
        { role: 'user', content: 'and tomorrow?' },
      ],
    });
    await c.store(followUp('weather in Paris'), answer('rain'));
    expect((await c.lookup(followUp('weather in Paris'))).status).toBe('hit');
    expect((await c.lookup(followUp('weather in Rome'))).status).toBe('miss');
  });

  it('matches a prompt past semanticMaxChars by the exact tier only, never embedding it', async () => {
    let embedded = 0;
    const counting = {
      ...embedder,
      embed: (texts: string[]) => {
        embedded += texts.length;
        return embedder.embed(texts);
      },
    };
    const c = new SemanticCache({ embedder: counting, semanticMaxChars: 2_000 });
    const long = 'Summarize this report on quarterly revenue growth and its risks. '.repeat(100);
    await c.store(ask(long), answer('summary'));
    expect(await c.lookup(ask(`${long}  `))).toMatchObject({ status: 'hit', tier: 'exact' });
    expect(await c.lookup(ask(long.replace('revenue', 'profit')))).toMatchObject({ status: 'miss', rejected: [] });
    expect(await c.lookup(ask(long.toUpperCase()))).toMatchObject({ status: 'miss' });
    expect(embedded).toBe(0);
  });

  it('refuses an exact-key hit whose case differs in a code: "-R" is not "-r"', async () => {
    const c = cache();
    await c.store(ask('What does ls -R do?'), answer('recursive'));
    expect(await c.lookup(ask('what does ls -R do'))).toMatchObject({ status: 'hit' });
    expect((await c.lookup(ask('What does ls -r do?'))).status).toBe('miss');
  });

  it('scores long prompts hierarchically when enabled', async () => {
    const long = (topic: string) =>
      `${'Please read the following report carefully and give me a short summary of the main points. '.repeat(4)} The report is about ${topic}.`;
    const c = cache({ hierarchical: { enabled: true, minWords: 20, chunkWords: 16 } });
    await c.store(ask(long('the price of quarterly tickets')), answer('summary'));
    const result = await c.lookup(ask(long('the cost of quarterly tickets')));
    expect(result.status).toBe('hit');
    if (result.status === 'hit') expect(result.similarity).toBeLessThan(1);
  });
});

describe('SemanticCache options', () => {
  it('rejects a threshold given as a distance, naming the conversion', () => {
    expect(() => cache({ distanceThreshold: 0.08 } as SemanticCacheOptions)).toThrow(/similarityThreshold 0.92/);
    expect(() => cache({ similarityThreshold: 0 })).toThrow(ValidationError);
    expect(() => cache({ similarityThreshold: -0.2 })).toThrow(/1 - d/);
    expect(() => cache({ similarityThreshold: 92 })).toThrow(/0.92/);
    expect(cache({ similarityThreshold: 0.9 }).similarityThreshold).toBe(0.9);
  });

  it('rejects hierarchical weights that do not sum to 1', () => {
    expect(() => cache({ hierarchical: { enabled: true, weightWhole: 0.7, weightChunks: 0.7 } })).toThrow(/sum to 1/);
  });

  it('refuses an entry recorded under another embedder, on the exact tier, the semantic tier and on insert', async () => {
    const store = new MemoryStore();
    const c = cache({ store });
    await c.store(ask('How much does the premium plan cost?'), answer('$20'));
    const [id] = await store.leastRecentlyUsed(1);
    const entry = (await store.get(id!))!;
    await store.put({ ...entry, embedder: 'onnx:other-model' });
    const isMismatch = (e: unknown) => EmbedderMismatchError.isInstance(e) && e.expected.id === 'onnx:other-model';
    await expect(c.lookup(ask('How much does the premium plan cost?'))).rejects.toSatisfy(isMismatch);
    await expect(c.lookup(ask('What is the price of the premium plan?'))).rejects.toSatisfy(isMismatch);
    await expect(c.store(ask('How much does the premium plan cost?'), answer('$21'))).rejects.toSatisfy(isMismatch);
  });

  it('refuses a store holding vectors of another embedder', async () => {
    const store = new MemoryStore();
    await cache({ store }).store(ask('hello there'), answer('hi'));
    const other = new SemanticCache({ store, embedder: createSifEmbedder({ smoothing: 0.01 }) });
    await expect(other.lookup(ask('hello there'))).rejects.toSatisfy((e) => EmbedderMismatchError.isInstance(e));
  });
});

describe('SemanticCache exact-only requests', () => {
  const structured = (text: string): CacheRequest => ({ ...ask(text), exactOnly: true });

  it('answers only the identical request, never a similar one, and embeds nothing', async () => {
    const seen: string[] = [];
    const spy = {
      ...embedder,
      embed: (texts: string[]) => {
        seen.push(...texts);
        return embedder.embed(texts);
      },
    };
    const c = cache({ embedder: spy });
    await c.store(structured('{"item":"coffee","size":"large"}'), answer('coffee'));
    expect(await c.lookup(structured('{"item":"coffee","size":"large"}'))).toMatchObject({
      status: 'hit',
      tier: 'exact',
    });
    expect((await c.lookup(structured('{"item":"tea","size":"large"}'))).status).toBe('miss');
    expect(seen).toEqual([]);
  });

  it('never shares a partition with the same text asked as a question', async () => {
    const c = cache();
    await c.store(structured('How much does the premium plan cost?'), answer('key'));
    expect((await c.lookup(ask('How much does the premium plan cost?'))).status).toBe('miss');
    expect(await c.related(structured('How much does the premium plan cost?'))).toEqual([]);
  });
});

describe('SemanticCache storing rules', () => {
  it.each<[string, CacheResponse]>([
    ['an error', { finishReason: 'stop', error: 'boom' }],
    ['a refusal', { finishReason: 'stop', refusal: 'I cannot help' }],
    ['an unfinished generation', { finishReason: 'length', text: 'cut' }],
    ['a tool call not marked deterministic', { finishReason: 'stop', toolCalls: [{ name: 'x' }] }],
    ['a refusal given as text', { finishReason: 'stop', text: "I'm sorry, but I can't help with that." }],
  ])('does not store %s', async (_, response) => {
    const c = cache();
    const result = await c.store(ask('question'), response);
    expect(result.stored).toBe(false);
    expect((await c.lookup(ask('question'))).status).toBe('miss');
  });

  it('stores a deterministic tool call when marked so', async () => {
    const c = cache();
    expect(
      (await c.store(ask('q'), { finishReason: 'stop', toolCalls: [{}] }, undefined, { deterministic: true })).stored,
    ).toBe(true);
  });

  it('bypasses temperature > 0 unless opted in', async () => {
    const hot = ask('tell me a joke', { params: { temperature: 0.7 } });
    const c = cache();
    expect(await c.lookup(hot)).toMatchObject({ status: 'bypass' });
    expect((await c.store(hot, answer('ha'))).stored).toBe(false);
    const optIn = cache({ cacheNonZeroTemperature: true });
    await optIn.store(hot, answer('ha'));
    expect((await optIn.lookup(hot)).status).toBe('hit');
    expect(c.getMetrics().bypasses).toBe(1);
  });

  it('returns copies: a caller cannot corrupt the cache', async () => {
    const c = cache();
    const response = { finishReason: 'stop', text: 'original', nested: { list: [1] } };
    await c.store(ask('q1'), response);
    response.nested.list.push(2);
    const first = await c.lookup(ask('q1'));
    if (first.status === 'hit') (first.response.nested as { list: number[] }).list.push(3);
    const second = await c.lookup(ask('q1'));
    expect(second.status === 'hit' && second.response.nested).toEqual({ list: [1] });
  });

  it('makes one call for concurrent identical misses', async () => {
    const c = cache();
    let calls = 0;
    const compute = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { response: answer('once') };
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => c.getOrCompute(ask('slow question'), compute)));
    expect(calls).toBe(1);
    expect(results.map((r) => r.text)).toEqual(Array(5).fill('once'));
    expect((await c.lookup(ask('slow question'))).status).toBe('hit');
  });
});

describe('SemanticCache lifecycle', () => {
  it('expires entries after ttlMs, or ttlMs after the last hit when sliding', async () => {
    let now = 1_000;
    const absolute = cache({ ttlMs: 100, now: () => now });
    await absolute.store(ask('q'), answer('a'));
    now += 60;
    expect((await absolute.lookup(ask('q'))).status).toBe('hit');
    now += 60;
    expect((await absolute.lookup(ask('q'))).status).toBe('miss');

    now = 1_000;
    const sliding = cache({ ttlMs: 100, slidingTtl: true, now: () => now });
    await sliding.store(ask('q'), answer('a'));
    for (let i = 0; i < 3; i++) {
      now += 60;
      expect((await sliding.lookup(ask('q'))).status).toBe('hit');
    }
    now += 150;
    expect((await sliding.lookup(ask('q'))).status).toBe('miss');
  });

  it('evicts the least recently used entry by count and by bytes', async () => {
    let now = 0;
    const byCount = cache({ maxEntries: 2, now: () => ++now });
    await byCount.store(ask('first question about apples'), answer('1'));
    await byCount.store(ask('second question about trains'), answer('2'));
    await byCount.lookup(ask('first question about apples'));
    await byCount.store(ask('third question about clouds'), answer('3'));
    expect((await byCount.lookup(ask('second question about trains'))).status).toBe('miss');
    expect((await byCount.lookup(ask('first question about apples'))).status).toBe('hit');

    const byBytes = cache({ maxBytes: 1500 });
    await byBytes.store(ask('one'), answer('x'.repeat(600)));
    await byBytes.store(ask('two'), answer('y'.repeat(600)));
    expect((await byBytes.storage.stats()).entries).toBe(1);
    expect((await byBytes.lookup(ask('two'))).status).toBe('hit');
  });

  it('compresses large payloads when asked, and reads them back', async () => {
    const c = cache({ compression: true, compressionMinBytes: 100 });
    const text = 'lorem ipsum '.repeat(200);
    await c.store(ask('long answer please'), answer(text));
    const entry = await c.storage.getByExactKey(
      (await import('./match/request-keys.js')).exactKey(ask('long answer please')),
    );
    expect(entry!.payload.startsWith('z:')).toBe(true);
    expect(entry!.payload.length).toBeLessThan(text.length / 4);
    const result = await c.lookup(ask('long answer please'));
    expect(result.status === 'hit' && result.response.text).toBe(text);
  });

  it('invalidates by request, by tag and by scope', async () => {
    const c = cache();
    await c.store(ask('alpha question', { scope: { user: 'u1' } }), answer('a'), undefined, { tags: ['greek'] });
    await c.store(ask('beta question', { scope: { user: 'u1' } }), answer('b'), undefined, { tags: ['greek'] });
    await c.store(ask('gamma question', { scope: { user: 'u2' } }), answer('c'));
    await c.store(ask('delta question', { scope: { user: 'u2' } }), answer('d'));
    expect(await c.invalidateTag('greek')).toBe(2);
    expect(await c.invalidateScope({ user: 'u2' })).toBe(1 + 1 - (await c.invalidate(ask('never stored'))));
    expect((await c.storage.stats()).entries).toBe(0);
  });

  it('feedback deletes or blocks a wrong entry', async () => {
    const c = cache();
    await c.store(ask('How much does the basic plan cost?'), answer('$5'));
    const hit = await c.lookup(ask('What does the basic plan cost?'));
    expect(hit.status).toBe('hit');
    if (hit.status !== 'hit') return;
    await c.feedback(hit.entryId, { action: 'block' });
    expect((await c.lookup(ask('What does the basic plan cost?'))).status).toBe('miss');
    expect((await c.lookup(ask('How much does the basic plan cost?'))).status).toBe('miss');
    expect(await c.store(ask('How much does the basic plan cost?'), answer('$5'))).toMatchObject({ stored: false });
    await c.store(ask('Is there a free trial?'), answer('yes'));
    const trial = await c.lookup(ask('Is there a free trial?'));
    if (trial.status === 'hit') await c.feedback(trial.entryId, { action: 'delete' });
    expect((await c.lookup(ask('Is there a free trial?'))).status).toBe('miss');
  });

  it('refuses feedback it cannot act on, naming the value, and leaves the entry served', async () => {
    const c = cache();
    await c.store(ask('How much does the pro plan cost?'), answer('$9'));
    const hit = await c.lookup(ask('How much does the pro plan cost?'));
    if (hit.status !== 'hit') throw new Error('expected a hit');
    for (const verdict of ['wrong', { action: 'remove' }, null]) {
      const error = await c.feedback(hit.entryId, verdict as never).catch((e: unknown) => e);
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).problems).toEqual([
        expect.objectContaining({ path: 'verdict', message: expect.stringContaining("{ action: 'delete' }") }),
      ]);
    }
    const noId = await c.feedback('', { action: 'block' }).catch((e: unknown) => e);
    expect((noId as ValidationError).problems?.[0]).toMatchObject({ path: 'entryId' });
    expect((await c.lookup(ask('How much does the pro plan cost?'))).status).toBe('hit');
  });

  it('counts hits per tier, misses and hit latency', async () => {
    const c = cache();
    await c.store(ask('How do I fix my bike?'), answer('tools'));
    await c.lookup(ask('How do I fix my bike?'));
    await c.lookup(ask('How can I repair my bike?'));
    await c.lookup(ask('Best pizza in Naples?'));
    const metrics = c.getMetrics();
    expect(metrics.hits).toEqual({ exact: 1, semantic: 1 });
    expect(metrics.misses).toBe(1);
    expect(metrics.hitLatencyMs).toHaveLength(2);
  });
});
