/**
 * Compression of a long text toward a request: the sentences most relevant to it, kept in their original order,
 * with `[…]` where sentences were left out. A sentence's relevance is the cosine of its embedding with the
 * request's (the offline SIF embedder by default) plus half the share of the request's words (three letters or more)
 * it contains, so a sentence that names the asked-for thing outright is not lost to one that merely sounds alike.
 * A sentence also takes a quarter of the relevance of the one before it: it often goes on about the same thing
 * without naming it ("Its root cause was…").
 */
import { cosine, type Embedder, wordTokens } from '@baton/cache';
import type { TokenCounter } from '../tokens/token-counter.js';
import { splitSentences } from './text-sentences.js';

const GAP = '[…] ';
const WORD_WEIGHT = 0.5;
const PREVIOUS_WEIGHT = 0.25;

export interface RelevanceCompressor {
  /** The text cut to about `targetTokens` of its most relevant sentences, or `undefined` when it cannot be shorter. */
  compress(text: string, targetTokens: number): Promise<string | undefined>;
}

const contentWords = (text: string) => new Set(wordTokens(text).filter((word) => word.length >= 3));

function wordShare(query: ReadonlySet<string>, sentence: string): number {
  if (query.size === 0) return 0;
  let found = 0;
  for (const word of contentWords(sentence)) if (query.has(word)) found++;
  return found / query.size;
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

/** Indexes of the sentences to keep: best first while they fit in `targetTokens` (smaller ones may still fit). */
function chooseSentences(scores: readonly number[], tokens: readonly number[], targetTokens: number): Set<number> {
  const order = scores.map((_, index) => index).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const kept = new Set<number>();
  let used = 0;
  for (const index of order) {
    if (used + tokens[index]! > targetTokens) continue;
    kept.add(index);
    used += tokens[index]!;
  }
  return kept;
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

/**
 * @example
 * const compressor = createRelevanceCompressor({ embedder: createSifEmbedder(), counter: tokenCounter('gpt-4o'), query: 'When is the outage window?' });
 * await compressor.compress(incidentReport, 300); // the report's sentences about the outage window, in order
 */
export function createRelevanceCompressor(options: {
  embedder: Embedder;
  counter: TokenCounter;
  query: string;
}): RelevanceCompressor {
  const { embedder, counter, query } = options;
  const queryWords = contentWords(query);
  let queryVector: Promise<Float32Array> | undefined;
  return {
    async compress(text, targetTokens) {
      const sentences = splitSentences(text);
      const indexes = sentences.flatMap((sentence, index) => (sentence.trim() ? [index] : []));
      if (indexes.length < 2) return undefined;
      queryVector ??= embedder.embed([query]).then(([vector]) => vector!);
      const [target, vectors] = await Promise.all([
        queryVector,
        embedder.embed(indexes.map((index) => sentences[index]!)),
      ]);
      const scores = sentences.map(() => Number.NEGATIVE_INFINITY);
      indexes.forEach((index, at) => {
        scores[index] = cosine(target, vectors[at]!) + WORD_WEIGHT * wordShare(queryWords, sentences[index]!);
      });
      const tokens = sentences.map((sentence) => counter.text(sentence));
      const kept = chooseSentences(withPrevious(scores), tokens, targetTokens);
      for (const index of kept) if (scores[index] === Number.NEGATIVE_INFINITY) kept.delete(index);
      const compressed = joinKept(sentences, kept);
      return counter.text(compressed) < counter.text(text) ? compressed : undefined;
    },
  };
}
