/**
 * Compression of a JSON text toward a request: its largest array (the records of a payload, at most three levels
 * down) keeps the items most relevant to the request, in their order, and says how many it left out in a last string
 * item. The result is still JSON. A text whose numbers or strings would not survive a parse and re-serialisation
 * (integers past 2^53, escapes written another way) is left alone.
 */
import type { TokenCounter } from '../tokens/token-counter.js';
import { minifyJson } from './minify-json.js';
import { bestWithin, type RelevanceScorer } from './relevance-scorer.js';

const MAX_DEPTH = 3;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function largestArray(value: Json, depth = 0): Json[] | undefined {
  let best: Json[] | undefined;
  let bestSize = 0;
  const consider = (candidate: Json[] | undefined) => {
    const size = candidate ? JSON.stringify(candidate).length : 0;
    if (candidate && candidate.length > 1 && size > bestSize) {
      best = candidate;
      bestSize = size;
    }
  };
  if (Array.isArray(value)) consider(value);
  if (depth < MAX_DEPTH && typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) consider(largestArray(child, depth + 1));
  }
  return best;
}

function parseFaithfully(text: string): Json | undefined {
  try {
    const value = JSON.parse(text) as Json;
    return JSON.stringify(value) === (minifyJson(text) ?? text.trim()) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @example
 * await compressJsonItems(ordersPayload, 400, { scorer, counter }); // '{"data":[{"id":"ORD-20260433",…},"[… 26 of 27 items left out]"],…}'
 */
export async function compressJsonItems(
  text: string,
  targetTokens: number,
  tools: { scorer: RelevanceScorer; counter: TokenCounter },
): Promise<string | undefined> {
  const value = parseFaithfully(text);
  const items = value === undefined ? undefined : largestArray(value);
  if (!items) return undefined;
  const texts = items.map((item) => JSON.stringify(item));
  const all = [...items];
  items.length = 0;
  const frame = tools.counter.text(JSON.stringify(value));
  const tokens = texts.map((item) => tools.counter.text(item) + 1);
  const kept = bestWithin(await tools.scorer.score(texts), tokens, targetTokens - frame - 16);
  items.push(...all.filter((_, index) => kept.has(index)));
  if (kept.size < all.length) items.push(`[… ${all.length - kept.size} of ${all.length} items left out]`);
  const compressed = JSON.stringify(value);
  return kept.size > 0 && tools.counter.text(compressed) < tools.counter.text(text) ? compressed : undefined;
}
