/**
 * Content-word alignment: every content word on each side must have a counterpart on the other side — the same
 * stem, a listed synonym, or a word whose vector similarity reaches `bound`. A sentence embedding averages words, so
 * "a poem about the ocean" and "a poem about the desert" score 0.89; here "ocean" finds nothing closer than "desert"
 * (0.57) and the candidate is refused, naming the unmatched words.
 */
import { allWords, contentWords } from './content-words.js';
import type { Lexicon } from './lexicon.js';

export interface UnmatchedWord {
  word: string;
  /** The closest word on the other side, and its similarity. */
  closest: string | undefined;
  similarity: number;
}

function unmatched(from: string, to: string, lexicon: Lexicon, bound: number): UnmatchedWord[] {
  const counterparts = [...new Set(allWords(to))];
  const missing: UnmatchedWord[] = [];
  for (const word of new Set(contentWords(from))) {
    let closest: string | undefined;
    let best = Number.NEGATIVE_INFINITY;
    for (const other of counterparts) {
      const similarity = lexicon.similarity(word, other);
      if (similarity > best) {
        best = similarity;
        closest = other;
      }
      if (best >= 1) break;
    }
    if (best < bound) missing.push({ word, closest, similarity: Math.max(best, 0) });
  }
  return missing;
}

/** Content words of `query` without a counterpart in `candidate`, and the reverse. */
export function alignContentWords(
  query: string,
  candidate: string,
  lexicon: Lexicon,
  bound: number,
): { query: UnmatchedWord[]; candidate: UnmatchedWord[] } {
  return { query: unmatched(query, candidate, lexicon, bound), candidate: unmatched(candidate, query, lexicon, bound) };
}

export function describeUnmatched(words: readonly UnmatchedWord[]): string {
  return words
    .map((w) => (w.closest ? `"${w.word}" (closest "${w.closest}" ${w.similarity.toFixed(2)})` : `"${w.word}"`))
    .join(', ');
}
