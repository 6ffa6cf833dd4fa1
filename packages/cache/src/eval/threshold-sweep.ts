/**
 * The threshold search behind `calibrateThreshold` and `baton cache calibrate`. A pair's verdict only changes where the threshold crosses a
 * similarity some verified candidate actually had, so those similarities are the only thresholds worth judging: the
 * sweep tries each of them, lowest first, and returns the first whose precision reaches the target with at least one
 * correct hit — the best recall that keeps the precision. No fixed grid, so an answer between grid steps is found.
 * Any threshold between the similarity below it and it judges the pairs alike; that range is returned too, so a set
 * whose verified candidates are all close (the lowest at 0.83, say) does not read as a call to raise a threshold
 * that is already in it.
 */
import type { Embedder } from '../embedders/embedder.js';
import type { VerifyOptions } from '../verify/verify-match.js';
import { judgeScores, type LabelledPair, type PairScore, scorePairs } from './evaluate-pairs.js';

export interface SweepResult {
  threshold: number;
  /**
   * Every threshold above this one and up to `threshold` judges the pairs alike: the next lower similarity a verified
   * candidate had, or 0. A lower threshold in that range lets more candidates reach verification on other questions.
   */
  equivalentAbove: number;
  precision: number;
  recall: number;
}

/** Similarities in (0, 1] of candidates that passed verification (the only ones a threshold can turn into hits). */
export function candidateThresholds(scores: readonly PairScore[]): number[] {
  const similarities = scores.flatMap((score) =>
    !score.exact && score.failedChecks.length === 0 && score.similarity !== undefined ? [score.similarity] : [],
  );
  return [...new Set(similarities.filter((similarity) => similarity > 0 && similarity <= 1))].sort((a, b) => a - b);
}

/**
 * @example
 * const best = sweepThreshold(await scorePairs(pairs, { embedder }), 0.99);
 */
export function sweepThreshold(scores: readonly PairScore[], targetPrecision: number): SweepResult | undefined {
  let below = 0;
  for (const threshold of candidateThresholds(scores)) {
    const result = judgeScores(scores, threshold);
    // A threshold that serves nothing has a vacuous precision of 1; it is no recommendation.
    if (result.truePositives > 0 && result.precision >= targetPrecision) {
      return { threshold, equivalentAbove: below, precision: result.precision, recall: result.recall };
    }
    below = threshold;
  }
  return undefined;
}

/**
 * The lowest threshold (best recall) whose precision reaches `targetPrecision` with at least one correct hit, or
 * undefined when none does. Pairs are embedded and verified once; the sweep only re-judges the scores.
 * @example
 * const calibrated = await calibrateThreshold(parsePairs(text), 0.99, { embedder });
 */
export async function calibrateThreshold(
  pairs: readonly LabelledPair[],
  targetPrecision: number,
  options: { embedder: Embedder; verify?: VerifyOptions },
): Promise<SweepResult | undefined> {
  return sweepThreshold(await scorePairs(pairs, options), targetPrecision);
}
