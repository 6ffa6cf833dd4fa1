/** Turns reported token usage into dollars with a per-model price table and a flat fallback price. */
import type { CacheUsage } from '@baton/cache';
import type { ModelPrice } from '../config/enhance-config.js';

export interface TokenCount {
  inputTokens: number;
  outputTokens: number;
}

export function tokensOf(usage: CacheUsage | undefined): TokenCount {
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return { inputTokens: count(usage?.inputTokens), outputTokens: count(usage?.outputTokens) };
}

/** Dollars for `tokens` on `model`: the model's own prices when listed, else `fallbackPer1k` for every token. */
export function costOf(
  model: string,
  tokens: TokenCount,
  pricing: Readonly<Record<string, ModelPrice>>,
  fallbackPer1k: number,
): number {
  const price = pricing[model] ?? pricing[model.slice(model.indexOf(':') + 1)];
  if (price)
    return (tokens.inputTokens * price.inputPer1kTokens + tokens.outputTokens * price.outputPer1kTokens) / 1000;
  return ((tokens.inputTokens + tokens.outputTokens) * fallbackPer1k) / 1000;
}
