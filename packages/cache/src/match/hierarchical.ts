/**
 * Hierarchical matching for long prompts (seed: L1/L2 weights). A long text is cut into chunks of `chunkWords`
 * words. The score of a candidate is
 *
 *   score = wL1 · cos(q, c) + wL2 · ½ (mean_i max_j cos(qᵢ, cⱼ) + mean_j max_i cos(cⱼ, qᵢ))
 *
 * where q, c are the whole-text vectors and qᵢ, cⱼ the chunk vectors, and j runs over the few chunks around the
 * place of i in the other text (so the cost is linear in the length): the whole must match, and every part of each
 * text must find a matching part near the same place in the other. Texts shorter than `minWords` are scored by the whole vector alone.
 */
import { cosine } from '../embedders/embedder.js';

export interface HierarchicalOptions {
  /** Score long prompts by whole text and chunks. @default false */
  enabled?: boolean;
  /** Weight of the whole-text similarity. @default 0.6 */
  weightWhole?: number;
  /** Weight of the chunk similarity; with weightWhole it must sum to 1. @default 0.4 */
  weightChunks?: number;
  /** Words per chunk. @default 32 */
  chunkWords?: number;
  /** Texts with fewer words are matched by the whole text only. @default 48 */
  minWords?: number;
}

export function chunkText(text: string, options: HierarchicalOptions): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  if (!options.enabled || words.length < (options.minWords ?? 48)) return [];
  const size = options.chunkWords ?? 32;
  const chunks: string[] = [];
  for (let start = 0; start < words.length; start += size) chunks.push(words.slice(start, start + size).join(' '));
  return chunks;
}

/** Chunks a part may move by and still find its counterpart: order matters, so the search is local (linear). */
const CHUNK_WINDOW = 2;

function coverage(from: readonly Float32Array[], to: readonly Float32Array[]): number {
  let total = 0;
  from.forEach((a, i) => {
    const centre = Math.round((i * (to.length - 1)) / Math.max(1, from.length - 1));
    let best = -1;
    for (let j = Math.max(0, centre - CHUNK_WINDOW); j <= Math.min(to.length - 1, centre + CHUNK_WINDOW); j++) {
      best = Math.max(best, cosine(a, to[j]!));
    }
    total += best;
  });
  return total / from.length;
}

export function hierarchicalScore(
  wholeSimilarity: number,
  queryChunks: readonly Float32Array[],
  candidateChunks: readonly Float32Array[],
  options: HierarchicalOptions,
): number {
  if (queryChunks.length === 0 || candidateChunks.length === 0) return wholeSimilarity;
  const chunks = (coverage(queryChunks, candidateChunks) + coverage(candidateChunks, queryChunks)) / 2;
  return (options.weightWhole ?? 0.6) * wholeSimilarity + (options.weightChunks ?? 0.4) * chunks;
}
