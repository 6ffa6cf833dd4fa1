import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { BreakerOpenError } from '@baton/core';
import { generateText, streamText } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnhanceConfig } from '../config/enhance-config.js';
import { enhance } from '../enhance.js';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { temporaryWorkingDirectory } from '../testing/temporary-working-directory.js';

/** Each test gets its own working directory, so the default store (`.baton/cache.db`) starts empty there. */
const workingDirectory = temporaryWorkingDirectory();
beforeEach(workingDirectory.enter);
afterEach(workingDirectory.leave);

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

const provider = () => createOpenAICompatible({ name: 'local', baseURL: server.baseURL, includeUsage: true });
const model = (config: EnhanceConfig = {}, id = 'test-model') => enhance(provider().chatModel(id), config);
const ask = (m: ReturnType<typeof model>, prompt: string, extra: Record<string, unknown> = {}) =>
  generateText({ model: m, prompt, maxRetries: 0, ...extra });

describe('enhance(AI SDK model) through the real HTTP client', () => {
  it('serves a second identical call from the cache without calling the server', async () => {
    const m = model();
    const first = await ask(m, 'What is the capital of France?');
    const calls = server.calls;
    const second = await ask(m, 'What is the capital of France?');
    expect(server.calls).toBe(calls);
    expect(second.text).toBe(first.text);
    expect(second.providerMetadata?.baton).toMatchObject({ cached: true, tier: 'exact', similarity: 1 });
    expect(second.usage.inputTokens).toBe(0);
  });

  it('answers a paraphrase from the semantic tier', async () => {
    const m = model();
    const first = await ask(m, 'How much does the premium plan cost?');
    const calls = server.calls;
    const second = await ask(m, 'What is the price of the premium plan?');
    expect(server.calls).toBe(calls);
    expect(second.text).toBe(first.text);
    expect(second.providerMetadata?.baton).toMatchObject({ tier: 'semantic' });
  });

  it('does not serve the weather in Paris for the weather in London', async () => {
    const m = model();
    await ask(m, 'What is the weather in Paris today?');
    const calls = server.calls;
    const london = await ask(m, 'What is the weather in London today?');
    expect(server.calls).toBe(calls + 1);
    expect(london.text).toBe('answer to: What is the weather in London today?');
  });

  it('keeps answers apart by model, system prompt and user', async () => {
    const m = model({ name: 'shared' });
    const prompt = 'How do I reset my password?';
    await ask(m, prompt, { providerOptions: { baton: { scope: { user: 'alice' } } } });
    let calls = server.calls;
    await ask(m, prompt, { providerOptions: { baton: { scope: { user: 'bob' } } } });
    expect(server.calls).toBe(++calls);
    await ask(m, prompt, { system: 'Answer like a pirate.', providerOptions: { baton: { scope: { user: 'alice' } } } });
    expect(server.calls).toBe(++calls);
    const other = enhance(provider().chatModel('other-model'), {
      store: m.cache!.storage,
      embedder: m.cache!.embedder,
    });
    await ask(other, prompt, { providerOptions: { baton: { scope: { user: 'alice' } } } });
    expect(server.calls).toBe(++calls);
    await ask(m, prompt, { providerOptions: { baton: { scope: { user: 'alice' } } } });
    expect(server.calls).toBe(calls);
  });

  it("refuses a call's scope with a misspelt key, which would let users share answers, before any request", async () => {
    const m = model();
    const calls = server.calls;
    for (const baton of [
      { scope: { userId: 'x' } },
      { scope: 'user-z' },
      { scope: { user: 7 } },
      { scopes: { user: 'x' } },
    ]) {
      const error = await ask(m, 'What is my account balance?', { providerOptions: { baton } }).catch((e) => e);
      expect(error, JSON.stringify(baton)).toMatchObject({ name: 'ValidationError' });
    }
    expect(server.calls).toBe(calls);
    const scoped = (user: string) =>
      ask(m, 'What is my account balance?', { providerOptions: { baton: { scope: { user } } } });
    await scoped('x');
    await scoped('y');
    expect(server.calls).toBe(calls + 2);
  });

  it('refuses a scope function that answers with a misspelt key', async () => {
    const m = model({ scope: () => ({ userId: 'x' }) as never });
    const error = await ask(m, 'What is my account balance?').catch((e) => e);
    expect(error).toMatchObject({ name: 'ValidationError', problems: [{ path: 'scope().userId' }] });
  });

  it('replays a cached answer as a stream, with text deltas and a finish part', async () => {
    const m = model();
    const live = streamText({ model: m, prompt: 'Explain what a circuit breaker does', maxRetries: 0 });
    const liveText = await live.text;
    const calls = server.calls;
    const replay = streamText({ model: m, prompt: 'Explain what a circuit breaker does', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of replay.textStream) deltas.push(delta);
    expect(server.calls).toBe(calls);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(liveText);
    expect(await replay.finishReason).toBe('stop');
    expect((await replay.providerMetadata)?.baton).toMatchObject({ cached: true, tier: 'exact' });
    expect((await replay.usage).outputTokens).toBe(0);
  });

  it('serves a streamed call from an answer that was generated, and the reverse', async () => {
    const m = model();
    await ask(m, 'Name three primary colours');
    const calls = server.calls;
    expect(await streamText({ model: m, prompt: 'Name three primary colours', maxRetries: 0 }).text).toBe(
      'answer to: Name three primary colours',
    );
    expect(server.calls).toBe(calls);
  });

  it('bypasses the cache when temperature > 0 unless cacheNonZeroTemperature is set', async () => {
    const m = model();
    await ask(m, 'Write a haiku about the sea', { temperature: 0.7 });
    const calls = server.calls;
    await ask(m, 'Write a haiku about the sea', { temperature: 0.7 });
    expect(server.calls).toBe(calls + 1);
    expect(m.getMetrics()).toMatchObject({ bypasses: 2, misses: 0 });

    const opted = model({ cacheNonZeroTemperature: true });
    await ask(opted, 'Write a haiku about the sea', { temperature: 0.7 });
    const before = server.calls;
    await ask(opted, 'Write a haiku about the sea', { temperature: 0.7 });
    expect(server.calls).toBe(before);
  });

  it('does not cache errors or unfinished generations', async () => {
    const m = model();
    server.failWith(500);
    await expect(ask(m, 'What is the boiling point of water?')).rejects.toThrow();
    server.failWith(undefined);
    server.setFinishReason('length');
    await ask(m, 'What is the boiling point of water?');
    server.setFinishReason('stop');
    const calls = server.calls;
    await ask(m, 'What is the boiling point of water?');
    expect(server.calls).toBe(calls + 1);
    expect(m.getRecords().map((record) => record.outcome)).toEqual(['failure', 'miss', 'miss']);
    expect(m.getRecords()[1]!.reason).toMatch(/finish reason is "length"/);
  });

  it('does not cache a stream that ended in an error', async () => {
    const m = model();
    server.failWith(503);
    const failed = streamText({ model: m, prompt: 'Tell me a joke', maxRetries: 0, onError: () => {} });
    await expect(failed.text).rejects.toThrow();
    server.failWith(undefined);
    const calls = server.calls;
    await streamText({ model: m, prompt: 'Tell me a joke', maxRetries: 0 }).text;
    expect(server.calls).toBe(calls + 1);
    expect(m.getMetrics()).toMatchObject({ failures: 1, misses: 1 });
  });

  it('opens the circuit breaker after N server errors and then fails fast', async () => {
    const m = model({ enableCircuitBreaker: true, circuitBreakerThreshold: 3, circuitBreakerTimeout: 60 });
    server.failWith(500);
    try {
      for (let i = 0; i < 3; i++) await expect(ask(m, `question number ${i} about breakers`)).rejects.toThrow();
      const calls = server.calls;
      const error = await ask(m, 'one more question about breakers').catch((e: unknown) => e);
      expect(BreakerOpenError.isInstance(error)).toBe(true);
      expect(server.calls).toBe(calls);
      expect(m.getMetrics()).toMatchObject({ failures: 4, breakerRejections: 1 });
    } finally {
      server.failWith(undefined);
    }
  });

  it('counts streams cut short against the breaker, ended or dropped half-way, not only calls that cannot start', async () => {
    const m = model({ enableCircuitBreaker: true, circuitBreakerThreshold: 2, circuitBreakerTimeout: 60 });
    const stream = (prompt: string) => {
      const errors: unknown[] = [];
      const result = streamText({ model: m, prompt, maxRetries: 0, onError: ({ error }) => void errors.push(error) });
      return { result, errors };
    };
    try {
      for (const how of ['end', 'reset'] as const) {
        server.cutStreams(how);
        const { result, errors } = stream(`a long story cut by ${how}`);
        await result.consumeStream();
        expect(errors.length).toBeGreaterThan(0);
      }
      server.cutStreams(undefined);
      expect(m.getMetrics()).toMatchObject({ failures: 2 });
      const calls = server.calls;
      const { result, errors } = stream('one more story');
      await result.consumeStream();
      expect(BreakerOpenError.isInstance(errors[0])).toBe(true);
      expect(server.calls).toBe(calls);
    } finally {
      server.cutStreams(undefined);
    }
  });

  it('a stream read to its end or cancelled by its reader does not count against the breaker', async () => {
    const m = model({ enableCircuitBreaker: true, circuitBreakerThreshold: 1, circuitBreakerTimeout: 60 });
    const cancelled = streamText({ model: m, prompt: 'a story I stop reading', maxRetries: 0 });
    for await (const _part of cancelled.textStream) break;
    await streamText({ model: m, prompt: 'a story I read to the end', maxRetries: 0 }).text;
    expect(await ask(m, 'a question after both')).toMatchObject({ text: 'answer to: a question after both' });
    expect(m.getMetrics()).toMatchObject({ failures: 0, breakerRejections: 0 });
  });

  it('says when an open breaker lets a trial call through', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2030-01-01T00:00:00.000Z'));
      const m = model({ enableCircuitBreaker: true, circuitBreakerThreshold: 1, circuitBreakerTimeout: 60 });
      server.failWith(500);
      await expect(ask(m, 'a question that fails first')).rejects.toThrow();
      server.failWith(undefined);
      vi.setSystemTime(new Date('2030-01-01T00:00:15.000Z'));
      const error = (await ask(m, 'a question refused while open').catch((e: unknown) => e)) as BreakerOpenError;
      expect(BreakerOpenError.isInstance(error)).toBe(true);
      expect(error.retryAt).toBe(Date.parse('2030-01-01T00:01:00.000Z'));
      expect(error.message).toContain('calls fail fast until 2030-01-01T00:01:00.000Z (in 45 s), when it lets a trial');
    } finally {
      server.failWith(undefined);
      vi.useRealTimers();
    }
  });

  it('half-opens after circuitBreakerTimeout seconds and closes on a successful trial', async () => {
    // Only the clock is faked (the breaker reads Date.now()), so the open period ends when the test says, not when
    // a slow machine happens to get there.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const m = model({ enableCircuitBreaker: true, circuitBreakerThreshold: 1, circuitBreakerTimeout: 0.05 });
      server.failWith(500);
      await expect(ask(m, 'first failing question')).rejects.toThrow();
      server.failWith(undefined);
      await expect(ask(m, 'second question')).rejects.toSatisfy(BreakerOpenError.isInstance);
      vi.setSystemTime(Date.now() + 80);
      expect((await ask(m, 'third question')).text).toBe('answer to: third question');
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts a breaker failure only for provider errors, not for 400s', async () => {
    const m = model({ enableCircuitBreaker: true, circuitBreakerThreshold: 1 });
    server.failWith(400);
    await expect(ask(m, 'a bad request')).rejects.toThrow();
    server.failWith(undefined);
    expect((await ask(m, 'a good request')).text).toBe('answer to: a good request');
  });
});
