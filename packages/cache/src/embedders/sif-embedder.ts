/**
 * The default, offline sentence embedder: a SIF-weighted average of GloVe-derived word vectors (Arora et al. 2017,
 * "A Simple but Tough-to-Beat Baseline for Sentence Embeddings").
 *
 * Each known word w contributes `a / (a + p(w))` times its vector, where p(w) is estimated from the word's
 * frequency rank r with Zipf's law: `p(w) = 1 / ((r + 1) · H)`, `H = ln(N) + 0.5772`. Frequent words ("the", "how")
 * fade out; content words carry the meaning. The common component (the first principal component of the vocabulary)
 * is projected out, and the result is L2-normalized. Unknown words get a fixed pseudo-random vector derived from a
 * hash of the word, so two texts that differ only by an unknown word are not identical.
 */
import type { Embedder } from './embedder.js';
import { normalize } from './embedder.js';
import { wordTokens } from './tokenize.js';
import { ensureWordVectors, type WordVectors } from './word-vectors.js';

export interface SifEmbedderOptions {
  /** Path of a binary vector file from `buildWordVectors`. @default the file shipped in the package, `data/word-vectors.bin` */
  vectorsPath?: string;
  /** SIF smoothing `a`: larger keeps more weight on frequent words. @default 0.001 */
  smoothing?: number;
  /** Project out the common component. @default true */
  removePrincipalComponent?: boolean;
  /** Give unknown words a hashed vector instead of ignoring them. @default true */
  unknownWordVectors?: boolean;
}

export interface SifEmbedder extends Embedder {
  /** Loads the vectors now (otherwise the first `embed` does). */
  load(): Promise<void>;
  /** The SIF weight of one word (0 when the vocabulary is not loaded yet). */
  weightOf(word: string): number;
  /** The unit vector of one word, or undefined when it is unknown. */
  wordVector(word: string): Promise<Float32Array | undefined>;
}

/**
 * @example
 * const embedder = createSifEmbedder();
 * const [a, b] = await embedder.embed(['what does it cost', 'what is the price']);
 */
export function createSifEmbedder(options: SifEmbedderOptions = {}): SifEmbedder {
  const smoothing = options.smoothing ?? 0.001;
  const removeComponent = options.removePrincipalComponent ?? true;
  const unknownVectors = options.unknownWordVectors ?? true;
  let vectors: WordVectors | undefined;
  let harmonic = 1;

  const load = async () => {
    if (vectors) return;
    vectors = await ensureWordVectors(options.vectorsPath);
    harmonic = Math.log(vectors.count) + 0.5772;
  };
  const weightOfRow = (row: number) => smoothing / (smoothing + 1 / ((row + 1) * harmonic));

  const addWord = (sum: Float64Array, token: string, words: WordVectors): boolean => {
    const row = words.rows.get(token);
    if (row !== undefined) {
      const factor = weightOfRow(row) * words.scales[row]!;
      const base = row * words.dimension;
      for (let d = 0; d < words.dimension; d++) sum[d]! += words.values[base + d]! * factor;
      return true;
    }
    if (token.includes('-') || token.includes("'")) {
      const parts = token.split(/[-']/).filter((part) => part.length > 0);
      if (parts.length > 1 && parts.every((part) => words.rows.has(part))) {
        for (const part of parts) addWord(sum, part, words);
        return true;
      }
    }
    if (!unknownVectors) return false;
    addHashedVector(sum, token);
    return true;
  };

  const embedOne = (text: string, words: WordVectors): Float32Array => {
    const sum = new Float64Array(words.dimension);
    for (const token of wordTokens(text)) addWord(sum, token, words);
    const result = Float32Array.from(sum);
    if (removeComponent) {
      const component = words.principalComponent;
      let dot = 0;
      for (let d = 0; d < result.length; d++) dot += result[d]! * component[d]!;
      for (let d = 0; d < result.length; d++) result[d] = result[d]! - dot * component[d]!;
    }
    return normalize(result);
  };

  return {
    id: `sif-wink-sg100d-100k:canonical:oov1.5:a=${smoothing}:pc=${removeComponent ? 1 : 0}:oov=${unknownVectors ? 1 : 0}`,
    dimension: 100,
    canonicalInput: true,
    load,
    weightOf(word) {
      const row = vectors?.rows.get(word.toLowerCase());
      return row === undefined ? 0 : weightOfRow(row);
    },
    async wordVector(word) {
      await load();
      const words = vectors!;
      const row = words.rows.get(word.toLowerCase());
      if (row === undefined) return undefined;
      const vector = new Float32Array(words.dimension);
      for (let d = 0; d < words.dimension; d++) vector[d] = words.values[row * words.dimension + d]!;
      return normalize(vector);
    },
    async embed(texts) {
      await load();
      return texts.map((text) => embedOne(text, vectors!));
    },
  };
}

/**
 * Adds a deterministic pseudo-random vector for an unknown word, with norm ≈ 1.5 (a known content word's is about 4):
 * an unknown word is most often a typo or a rare name, and verification, not the vector, tells two of them apart.
 */
function addHashedVector(sum: Float64Array, token: string): void {
  let state = 2166136261;
  for (let i = 0; i < token.length; i++) state = Math.imul(state ^ token.charCodeAt(i), 16777619) >>> 0;
  const scale = 1.5 / Math.sqrt(sum.length / 3);
  for (let d = 0; d < sum.length; d++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    sum[d]! += (state / 4294967296 - 0.5) * 2 * scale;
  }
}
