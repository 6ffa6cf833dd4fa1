/**
 * Compression of a long text toward a request (`relevance-scorer.ts`): the sentences most relevant to it, kept in
 * their original order, with `[…]` where sentences were left out; a JSON text keeps the most relevant items of its
 * largest array (`relevant-json-items.ts`). A sentence also takes a quarter of the relevance of the one before it:
 * it often goes on about the same thing without naming it ("Its root cause was…").
 */
import type { Embedder } from '@baton/cache';
import type { TokenCounter } from '../tokens/token-counter.js';
import { isJsonText } from './minify-json.js';
import { bestWithin, createRelevanceScorer, type RelevanceScorer } from './relevance-scorer.js';
import { compressJsonItems } from './relevant-json-items.js';
import { splitSentences } from './text-sentences.js';

const GAP = '[…] ';
const PREVIOUS_WEIGHT = 0.25;

export interface RelevanceCompressor {
  /**
   * The text cut to about `targetTokens` of its most relevant parts (prose keeps at least its most relevant sentence,
   * even when that is over the target), or `undefined` when it cannot be shorter.
   */
  compress(text: string, targetTokens: number): Promise<string | undefined>;
}

function withPrevious(scores: readonly number[]): number[] {
  let previous = 0;
  return scores.map((score) => {
    if (score === Number.NEGATIVE_INFINITY) return score;
    const smoothed = score + PREVIOUS_WEIGHT * previous;
    previous = score;
    return smoothed;
  });
}

function joinKept(sentences: readonly string[], kept: ReadonlySet<number>): string {
  let out = '';
  let previous = -1;
  for (let index = 0; index < sentences.length; index++) {
    if (!kept.has(index)) continue;
    if (index !== previous + 1) out += GAP;
    out += sentences[index];
    previous = index;
  }
  return previous === sentences.length - 1 ? out : `${out}${out.endsWith('\n') ? '' : ' '}${GAP.trim()}`;
}

/** A text cut to nothing but gap markers tells the model nothing: keep at least its most relevant sentence. */
function atLeastBest(relevance: readonly number[], kept: Set<number>): Set<number> {
  if (kept.size > 0) return kept;
  const best = relevance.reduce((top, score, index) => (score > relevance[top]! ? index : top), 0);
  return new Set([best]);
}

async function compressSentences(
  text: string,
  targetTokens: number,
  tools: { scorer: RelevanceScorer; counter: TokenCounter },
): Promise<string | undefined> {
  const sentences = splitSentences(text);
  const indexes = sentences.flatMap((sentence, index) => (sentence.trim() ? [index] : []));
  if (indexes.length < 2) return undefined;
  const scores = sentences.map(() => Number.NEGATIVE_INFINITY);
  const scored = await tools.scorer.score(indexes.map((index) => sentences[index]!));
  indexes.forEach((index, at) => {
    scores[index] = scored[at]!;
  });
  const tokens = sentences.map((sentence) => tools.counter.text(sentence));
  const relevance = withPrevious(scores);
  const choose = (budget: number) => joinKept(sentences, atLeastBest(relevance, bestWithin(relevance, tokens, budget)));
  let compressed = choose(targetTokens);
  // The gap markers and the joins cost tokens the sentences' own counts leave out: take them off and choose again.
  for (let budget = targetTokens, tries = 0; tries < 3; tries++) {
    const over = tools.counter.text(compressed) - targetTokens;
    if (over <= 0) break;
    budget -= over;
    compressed = choose(budget);
  }
  return tools.counter.text(compressed) < tools.counter.text(text) ? compressed : undefined;
}

/**
 * Compresses prose by sentences and JSON by the items of its largest array.
 *
 * @example
 * const compressor = createRelevanceCompressor({ embedder: createSifEmbedder(), counter: tokenCounter('gpt-4o'), query: 'When is the outage window?' });
 * await compressor.compress(incidentReport, 300); // the report's sentences about the outage window, in order
 */
export function createRelevanceCompressor(options: {
  embedder: Embedder;
  counter: TokenCounter;
  query: string;
}): RelevanceCompressor {
  const { counter } = options;
  const scorer = createRelevanceScorer(options.embedder, options.query);
  return {
    compress(text, targetTokens) {
      if (isJsonText(text)) return compressJsonItems(text, targetTokens, { scorer, counter });
      return compressSentences(text, targetTokens, { scorer, counter });
    },
  };
}
