import type { LanguageModelV3, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { journaledModel, type StoredGenerateResult, storedResult } from './journaled-model.js';

const answer: LanguageModelV3GenerateResult = {
  content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Oslo"}' }],
  finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
  usage: {
    inputTokens: { total: 12, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 3, text: undefined, reasoning: undefined },
  },
  warnings: [],
  response: { id: 'r1', modelId: 'm', timestamp: new Date('2026-01-02T03:04:05.000Z'), body: { huge: true } },
};

/** A stand-in model for this unit: counts its calls. */
function countingModel() {
  const model = {
    specificationVersion: 'v3',
    provider: 'p',
    modelId: 'm',
    supportedUrls: {},
    calls: 0,
    doGenerate: async () => {
      model.calls++;
      return answer;
    },
    doStream: async () => {
      throw new Error('not streamed');
    },
  };
  return model;
}

describe('journaledModel', () => {
  it('hands each answer to keep as JSON and revives what it keeps', async () => {
    const inner = countingModel();
    const kept: StoredGenerateResult[] = [];
    const model = journaledModel(inner as unknown as LanguageModelV3, async (generate) => {
      const stored = await generate();
      kept.push(stored);
      return JSON.parse(JSON.stringify(stored)) as StoredGenerateResult;
    });
    const result = await model.doGenerate({ prompt: [] });
    expect(kept[0]?.response).toEqual({ id: 'r1', modelId: 'm', timestamp: '2026-01-02T03:04:05.000Z' });
    expect(result.content).toEqual(answer.content);
    expect(result.response?.timestamp).toEqual(new Date('2026-01-02T03:04:05.000Z'));
    expect(result.usage.inputTokens.total).toBe(12);
  });

  it('answers from what keep returns without calling the model (a replay)', async () => {
    const inner = countingModel();
    const stored = storedResult(answer);
    const model = journaledModel(inner as unknown as LanguageModelV3, async () => stored);
    const result = await model.doGenerate({ prompt: [] });
    expect(inner.calls).toBe(0);
    expect(result.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_calls' });
  });
});
