/**
 * How alike two words are, for the content-word alignment: 1 for the same stem or a listed synonym, otherwise the
 * cosine of their word vectors (0 when either is unknown). Without vectors only stems and synonyms count, which is
 * stricter, never looser.
 */
import { ensureWordVectors, type WordVectors } from '../embedders/word-vectors.js';
import { stem } from './content-words.js';
import { areSynonyms } from './synonyms.js';

export interface Lexicon {
  /** Similarity in [−1, 1] of two lowercase words. */
  similarity(a: string, b: string): number;
}

function rowVector(words: WordVectors, row: number): Float32Array {
  const vector = new Float32Array(words.dimension);
  let norm = 0;
  for (let d = 0; d < words.dimension; d++) {
    const value = words.values[row * words.dimension + d]!;
    vector[d] = value;
    norm += value * value;
  }
  const scale = 1 / (Math.sqrt(norm) || 1);
  for (let d = 0; d < words.dimension; d++) vector[d] = vector[d]! * scale;
  return vector;
}

/**
 * @example
 * const lexicon = createLexicon(await ensureWordVectors());
 * lexicon.similarity('ocean', 'desert'); // ≈ 0.57
 */
export function createLexicon(words?: WordVectors): Lexicon {
  const vectors = new Map<string, Float32Array | null>();
  const vectorOf = (word: string): Float32Array | null => {
    let vector = vectors.get(word);
    if (vector === undefined) {
      const row = words?.rows.get(word);
      vector = row === undefined ? null : rowVector(words!, row);
      if (vectors.size > 50_000) vectors.clear();
      vectors.set(word, vector);
    }
    return vector;
  };
  const stems = new Map<string, string>();
  const stemOf = (word: string): string => {
    let stemmed = stems.get(word);
    if (stemmed === undefined) {
      stemmed = stem(word);
      if (stems.size > 50_000) stems.clear();
      stems.set(word, stemmed);
    }
    return stemmed;
  };
  return {
    similarity(a, b) {
      if (a === b || stemOf(a) === stemOf(b) || areSynonyms(a, b)) return 1;
      const va = vectorOf(a);
      const vb = vectorOf(b);
      if (!va || !vb) return 0;
      let dot = 0;
      for (let d = 0; d < va.length; d++) dot += va[d]! * vb[d]!;
      return Math.max(-1, Math.min(1, dot));
    },
  };
}

/** The lexicon over the default word vectors (built on first use, like the default embedder's). */
export async function loadDefaultLexicon(vectorsPath?: string): Promise<Lexicon> {
  return createLexicon(await ensureWordVectors(vectorsPath));
}
