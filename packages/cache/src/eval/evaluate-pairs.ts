/**
 * Measures matching quality on labelled pairs. For each pair a fresh cache stores `a` with an answer and looks `b` up
 * through the full path (exact tier, semantic tier, verification); a hit on a pair labelled `hit: false` is a false
 * positive. `calibrateThreshold` finds the lowest threshold whose precision meets a target.
 */
import type { Embedder } from '../embedders/embedder.js';
import { SemanticCache } from '../semantic-cache.js';

export interface LabelledPair {
  a: string;
  b: string;
  hit: boolean;
  kind?: string;
}

export interface Confusion {
  pairs: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

export interface Evaluation extends Confusion {
  precision: number;
  recall: number;
  falseHitRate: number;
  byKind: Record<string, Confusion>;
  /** Pairs judged wrongly, for inspection. */
  errors: (LabelledPair & { similarity: number | undefined })[];
}

export interface EvaluateOptions {
  /** @default 0.8 (the cache's default) */
  threshold?: number;
  embedder: Embedder;
}

const emptyConfusion = (): Confusion => ({
  pairs: 0,
  truePositives: 0,
  falsePositives: 0,
  trueNegatives: 0,
  falseNegatives: 0,
});

function count(confusion: Confusion, expected: boolean, actual: boolean): void {
  confusion.pairs++;
  if (expected && actual) confusion.truePositives++;
  else if (!expected && actual) confusion.falsePositives++;
  else if (!expected && !actual) confusion.trueNegatives++;
  else confusion.falseNegatives++;
}

export async function evaluatePairs(pairs: readonly LabelledPair[], options: EvaluateOptions): Promise<Evaluation> {
  const total = emptyConfusion();
  const byKind: Record<string, Confusion> = {};
  const errors: Evaluation['errors'] = [];
  for (const pair of pairs) {
    const cache = new SemanticCache({ embedder: options.embedder, similarityThreshold: options.threshold });
    const request = (text: string) => ({ model: 'eval', messages: [{ role: 'user', content: text }] });
    await cache.store(request(pair.a), { finishReason: 'stop', text: 'answer' });
    const result = await cache.lookup(request(pair.b));
    const hit = result.status === 'hit';
    count(total, pair.hit, hit);
    const kind = pair.kind ?? 'unlabelled';
    byKind[kind] = byKind[kind] ?? emptyConfusion();
    count(byKind[kind], pair.hit, hit);
    if (hit !== pair.hit) {
      const similarity =
        result.status === 'hit'
          ? result.similarity
          : result.status === 'miss'
            ? result.rejected[0]?.similarity
            : undefined;
      errors.push({ ...pair, similarity });
    }
  }
  const predicted = total.truePositives + total.falsePositives;
  const positives = total.truePositives + total.falseNegatives;
  const negatives = total.trueNegatives + total.falsePositives;
  return {
    ...total,
    precision: predicted === 0 ? 1 : total.truePositives / predicted,
    recall: positives === 0 ? 1 : total.truePositives / positives,
    falseHitRate: negatives === 0 ? 0 : total.falsePositives / negatives,
    byKind,
    errors,
  };
}

/**
 * The lowest threshold (best recall) on a 0.01 grid from 0.5 to 0.99 whose precision reaches `targetPrecision`,
 * or undefined when none does.
 */
export async function calibrateThreshold(
  pairs: readonly LabelledPair[],
  targetPrecision: number,
  options: { embedder: Embedder },
): Promise<{ threshold: number; precision: number; recall: number } | undefined> {
  for (let step = 50; step <= 99; step++) {
    const threshold = step / 100;
    const result = await evaluatePairs(pairs, { threshold, embedder: options.embedder });
    if (result.precision >= targetPrecision) return { threshold, precision: result.precision, recall: result.recall };
  }
  return undefined;
}

/** Parses JSON Lines of `{"a","b","hit","kind"}`, skipping blank lines. */
export function parsePairs(jsonl: string): LabelledPair[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LabelledPair);
}
