/**
 * Converts between AI SDK v6 generate results and what the cache keeps. Only text, reasoning, tool calls and sources
 * are kept; a result with other content (generated files) gets a finish reason the cache refuses to store, and a text
 * that reads as a refusal ("I'm sorry, but I can't help with that") is marked as one, so it is not stored either. A
 * cached answer is returned with zero usage (nothing was spent) and `providerMetadata.baton` saying how it was served,
 * with the `entryId` that `feedback` takes.
 */
import type {
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { type CacheResponse, type CacheUsage, isRefusalText } from '@baton/cache';
import type { RunResult } from '../runtime/enhance-runtime.js';

const KEPT = new Set(['text', 'reasoning', 'tool-call', 'source']);

export function toCacheResponse(
  content: LanguageModelV3Content[],
  finishReason: LanguageModelV3FinishReason,
): CacheResponse {
  const kept = content.every((part) => KEPT.has(part.type));
  const text = content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  const refused = finishReason.unified === 'content-filter' || isRefusalText(text);
  return {
    finishReason: kept ? finishReason.unified : 'unsupported-content',
    text,
    toolCalls: content.filter((part) => part.type === 'tool-call'),
    content,
    ...(refused ? { refusal: true } : {}),
  };
}

export function toCacheUsage(usage: LanguageModelV3Usage): CacheUsage {
  return { inputTokens: usage.inputTokens.total, outputTokens: usage.outputTokens.total };
}

export const ZERO_USAGE: LanguageModelV3Usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};

export type CacheHit = Extract<RunResult, { source: 'cache' }>;

/** What `providerMetadata.baton` holds on a cached answer. */
export function hitMetadata(hit: Omit<CacheHit, 'source' | 'response'>) {
  return {
    baton: {
      cached: true,
      tier: hit.tier,
      similarity: hit.similarity,
      entryId: hit.entryId ?? null,
      checks: hit.checks.map((check) => ({ name: check.name, passed: check.passed, reason: check.reason })),
      originalUsage: {
        inputTokens: (hit.usage?.inputTokens as number | undefined) ?? null,
        outputTokens: (hit.usage?.outputTokens as number | undefined) ?? null,
      },
    },
  };
}

export function cachedGenerateResult(hit: CacheHit, modelId: string): LanguageModelV3GenerateResult {
  return {
    content: (hit.response.content as LanguageModelV3Content[] | undefined) ?? [
      { type: 'text', text: hit.response.text ?? '' },
    ],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: ZERO_USAGE,
    providerMetadata: hitMetadata(hit),
    response: { modelId, timestamp: new Date() },
    warnings: [],
  };
}
