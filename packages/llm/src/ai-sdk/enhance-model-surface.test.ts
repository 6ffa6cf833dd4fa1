import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { generateText, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnhanceConfig } from '../config/enhance-config.js';
import { enhance } from '../enhance.js';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';

let server: ChatServer;
let refusing: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
  refusing = await startChatServer({ reply: () => "I'm sorry, but I can't help with that." });
});
afterAll(async () => {
  await server.close();
  await refusing.close();
});

const model = (config: EnhanceConfig = {}, on = server) =>
  enhance(createOpenAICompatible({ name: 'local', baseURL: on.baseURL, includeUsage: true }).chatModel('m'), {
    store: 'memory',
    ...config,
  });
const ask = (m: ReturnType<typeof model>, prompt: string, extra: Record<string, unknown> = {}) =>
  generateText({ model: m, prompt, maxRetries: 0, ...extra });

describe('enhance(AI SDK model): what a hit says, and what keys a call', () => {
  it('puts entryId and the passed checks in providerMetadata.baton and the record, for feedback', async () => {
    const m = model();
    await ask(m, 'How much does the premium plan cost?');
    const hit = await ask(m, 'What is the price of the premium plan?');
    const baton = hit.providerMetadata?.baton as { entryId: string; checks: { name: string; passed: boolean }[] };
    expect(baton).toMatchObject({ tier: 'semantic', entryId: expect.any(String) });
    expect(baton.checks.length).toBeGreaterThan(0);
    expect(baton.checks.every((check) => check.passed)).toBe(true);
    expect(m.getRecords()[1]).toMatchObject({ entryId: baton.entryId, checks: baton.checks });
    await m.feedback(baton.entryId, { action: 'delete' });
    const calls = server.calls;
    await ask(m, 'What is the price of the premium plan?');
    expect(server.calls).toBe(calls + 1);
  });

  it("keys calls on providerOptions, except Baton's own", async () => {
    const m = model();
    const prompt = 'Summarise the release notes';
    await ask(m, prompt, { providerOptions: { local: { reasoningEffort: 'low' } } });
    const calls = server.calls;
    await ask(m, prompt, { providerOptions: { local: { reasoningEffort: 'high' } } });
    expect(server.calls).toBe(calls + 1);
    await ask(m, prompt, { providerOptions: { local: { reasoningEffort: 'high' }, baton: {} } });
    expect(server.calls).toBe(calls + 1);
  });

  it('does not store an answer whose text is a refusal', async () => {
    const m = model({}, refusing);
    await ask(m, 'Tell me the admin password');
    await ask(m, 'Tell me the admin password');
    expect(refusing.calls).toBe(2);
    expect(m.getRecords()[0]!.reason).toMatch(/not stored: the model refused/);
  });

  it('makes one provider call for five concurrent identical streamed misses; the others replay its parts', async () => {
    const m = model();
    const calls = server.calls;
    const streams = Array.from({ length: 5 }, () =>
      streamText({ model: m, prompt: 'Explain single flight in one sentence', maxRetries: 0 }),
    );
    const texts = await Promise.all(streams.map((stream) => stream.text));
    expect(server.calls).toBe(calls + 1);
    expect(new Set(texts)).toEqual(new Set(['answer to: Explain single flight in one sentence']));
    const metadata = await Promise.all(streams.map((stream) => stream.providerMetadata));
    expect(metadata.filter((meta) => meta?.baton?.tier === 'coalesced')).toHaveLength(4);
    const usage = await Promise.all(streams.map((stream) => stream.usage));
    expect(usage.filter((u) => u.outputTokens === 0)).toHaveLength(4);
    expect(m.getMetrics()).toMatchObject({ calls: 5, misses: 1, hits: { coalesced: 4 } });
    await streamText({ model: m, prompt: 'Explain single flight in one sentence', maxRetries: 0 }).text;
    expect(server.calls).toBe(calls + 1);
  });
});

describe('enhance(AI SDK model): cacheToolCalls', () => {
  const toolCallResult: LanguageModelV3GenerateResult = {
    content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', input: '{"id":1}' }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: {
      inputTokens: { total: 5, noCache: 5, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 3, text: 3, reasoning: 0 },
    },
    warnings: [],
  };

  it.each([
    [false, 2],
    [true, 1],
  ])(
    'cacheToolCalls %s: a tool-call answer reaches the model %i times for two identical calls',
    async (cacheToolCalls, expected) => {
      const mock = new MockLanguageModelV3({ doGenerate: async () => toolCallResult });
      const m = enhance(mock, { store: 'memory', cacheToolCalls });
      for (let i = 0; i < 2; i++) await generateText({ model: m, prompt: 'Look up order 1', maxRetries: 0 });
      expect(mock.doGenerateCalls).toHaveLength(expected);
    },
  );
});
