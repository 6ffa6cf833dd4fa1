import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

const model = (config: EnhanceConfig = {}) =>
  enhance(createOpenAICompatible({ name: 'local', baseURL: server.baseURL }).chatModel('priced-model'), config);

describe('metrics from real usage', () => {
  it('prices saved tokens from the usage the provider reported on the original call', async () => {
    const m = model({ pricing: { 'priced-model': { inputPer1kTokens: 1, outputPer1kTokens: 2 } } });
    const first = await generateText({ model: m, prompt: 'How much does the premium plan cost?', maxRetries: 0 });
    await generateText({ model: m, prompt: 'How much does the premium plan cost?', maxRetries: 0 });
    await generateText({ model: m, prompt: 'What is the price of the premium plan?', maxRetries: 0 });
    const { inputTokens, outputTokens } = first.usage;
    expect(inputTokens).toBeGreaterThan(0);
    const metrics = m.getMetrics();
    expect(metrics).toMatchObject({
      calls: 3,
      hits: { exact: 1, semantic: 1, coalesced: 0 },
      misses: 1,
      tokensSpent: { input: inputTokens, output: outputTokens },
      tokensSaved: { input: 2 * inputTokens!, output: 2 * outputTokens! },
    });
    expect(metrics.costSpentUsd).toBeCloseTo((inputTokens! * 1 + outputTokens! * 2) / 1000, 9);
    expect(metrics.costSavedUsd).toBeCloseTo((2 * (inputTokens! * 1 + outputTokens! * 2)) / 1000, 9);
    expect(metrics.hitLatencyMs.samples).toBe(2);
    expect(metrics.hitLatencyMs.p95).toBeGreaterThanOrEqual(metrics.hitLatencyMs.p50);
    expect(metrics.hitLatencyMs.p50).toBeGreaterThan(0);
  });

  it('prices models missing from the table with llmCostPer1kTokens', async () => {
    const m = model({ llmCostPer1kTokens: 0.5 });
    const first = await generateText({ model: m, prompt: 'How many legs does a spider have?', maxRetries: 0 });
    await generateText({ model: m, prompt: 'How many legs does a spider have?', maxRetries: 0 });
    const tokens = first.usage.inputTokens! + first.usage.outputTokens!;
    expect(m.getMetrics().costSavedUsd).toBeCloseTo((tokens * 0.5) / 1000, 9);
  });

  it('never reports a hit rate above 100 %, with concurrent identical calls coalesced into one provider call', async () => {
    const calls: number[] = [];
    const fn = enhance(async (question: string) => {
      calls.push(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return `answer: ${question}`;
    });
    const results = await Promise.all(Array.from({ length: 20 }, () => fn('what is the meaning of life')));
    for (let i = 0; i < 30; i++) await fn('what is the meaning of life');
    expect(new Set(results)).toEqual(new Set(['answer: what is the meaning of life']));
    expect(calls).toHaveLength(1);
    const metrics = fn.getMetrics();
    const hits = metrics.hits.exact + metrics.hits.semantic + metrics.hits.coalesced;
    expect(metrics.calls).toBe(50);
    expect(hits + metrics.misses + metrics.bypasses + metrics.failures).toBe(metrics.calls);
    expect(metrics.hits.coalesced).toBe(19);
    expect(metrics.hitRate).toBeLessThanOrEqual(1);
    expect(metrics.hitRate).toBeCloseTo(49 / 50, 9);
  });

  it('exportMetrics writes the snapshot as JSON', async () => {
    const fn = enhance(async (q: string) => q.length);
    await fn('one');
    await fn('one');
    const path = join(tmpdir(), `baton-metrics-${process.pid}-${Date.now()}.json`);
    try {
      const exported = await fn.exportMetrics(path);
      const written = JSON.parse(await readFile(path, 'utf8'));
      expect(written).toMatchObject({ calls: 2, hitRate: 0.5, hits: { exact: 1 } });
      expect(written.exportedAt).toEqual(expect.any(String));
      expect(exported.calls).toBe(2);
    } finally {
      await rm(path, { force: true });
    }
  });

  it('returns copies: a caller cannot change what the next hit returns', async () => {
    const fn = enhance(async (_question: string) => ({ items: ['a', 'b'] }));
    const first = (await fn('list the items')) as { items: string[] };
    first.items.push('mutated');
    const second = (await fn('list the items')) as { items: string[] };
    second.items.push('mutated again');
    expect(await fn('list the items')).toEqual({ items: ['a', 'b'] });
  });
});
