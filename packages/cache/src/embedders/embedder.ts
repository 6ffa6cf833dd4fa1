/** The interface every embedder implements, and helpers on unit vectors. */

/** Turns texts into vectors. `id` names the model and settings: vectors from different ids are never compared. */
export interface Embedder {
  readonly id: string;
  readonly dimension: number;
  /**
   * Embed the canonical form of a prompt (contractions expanded, numbers, times and question frames in one form,
   * greetings left out) rather than the prompt as written. A word-vector average needs it to see that two forms
   * say the same thing; a sentence model reads the prompt better as written. @default false
   */
  readonly canonicalInput?: boolean;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Scales `vector` in place to unit length (a zero vector stays zero) and returns it. */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return vector;
}

/** Cosine similarity in [−1, 1] of two unit vectors (their dot product). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return Math.max(-1, Math.min(1, dot));
}
