/**
 * How relevant texts are to a request: the cosine of their embedding with the request's (the offline SIF embedder
 * by default) plus half the share of the request's words (three letters or more) each contains, so a text that names
 * the asked-for thing outright ("ORD-20260433", "rate limit") is not lost to one that merely sounds alike.
 */
import { cosine, type Embedder, wordTokens } from '@baton/cache';

const WORD_WEIGHT = 0.5;

export interface RelevanceScorer {
  /** One score per text, higher is more relevant. */
  score(texts: readonly string[]): Promise<number[]>;
}

const contentWords = (text: string) => new Set(wordTokens(text).filter((word) => word.length >= 3));

function wordShare(query: ReadonlySet<string>, text: string): number {
  if (query.size === 0) return 0;
  let found = 0;
  for (const word of contentWords(text)) if (query.has(word)) found++;
  return found / query.size;
}

/**
 * @example
 * const scorer = createRelevanceScorer(createSifEmbedder(), 'What is the rate limit?');
 * await scorer.score(['Each key may send 600 requests per minute.', 'Lunch is at noon.']); // first higher
 */
export function createRelevanceScorer(embedder: Embedder, query: string): RelevanceScorer {
  const queryWords = contentWords(query);
  let queryVector: Promise<Float32Array> | undefined;
  return {
    async score(texts) {
      if (texts.length === 0) return [];
      queryVector ??= embedder.embed([query]).then(([vector]) => vector!);
      const [target, vectors] = await Promise.all([queryVector, embedder.embed([...texts])]);
      return texts.map((text, at) => cosine(target, vectors[at]!) + WORD_WEIGHT * wordShare(queryWords, text));
    },
  };
}

/** Indexes to keep: the best first while they fit in `budget` tokens (smaller ones may still fit after a miss). */
export function bestWithin(scores: readonly number[], tokens: readonly number[], budget: number): Set<number> {
  const order = scores.map((_, index) => index).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const kept = new Set<number>();
  let used = 0;
  for (const index of order) {
    if (scores[index] === Number.NEGATIVE_INFINITY || used + tokens[index]! > budget) continue;
    kept.add(index);
    used += tokens[index]!;
  }
  return kept;
}
