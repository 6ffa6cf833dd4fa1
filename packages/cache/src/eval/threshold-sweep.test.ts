import { describe, expect, it } from 'vitest';
import type { PairScore } from './evaluate-pairs.js';
import { candidateThresholds, sweepThreshold } from './threshold-sweep.js';

const score = (hit: boolean, similarity: number | undefined, failedChecks: string[] = []): PairScore => ({
  pair: { a: 'a', b: 'b', hit },
  exact: false,
  similarity,
  failedChecks,
});

describe('sweepThreshold', () => {
  it('finds an interior threshold between grid steps, with better recall than any 0.01 grid value', () => {
    const scores = [
      score(true, 0.93),
      score(true, 0.8731),
      score(false, 0.8725),
      score(true, 0.81),
      score(false, 0.95, ['entities: Paris ≠ London']),
    ];
    const found = sweepThreshold(scores, 1);
    expect(found).toEqual({ threshold: 0.8731, equivalentAbove: 0.8725, precision: 1, recall: 2 / 3 });
    // The old grid's best answer at this precision: 0.88, which serves one of the three right answers only.
    expect(Math.round(found!.threshold * 100) / 100).not.toBe(found!.threshold);
  });

  it('returns the lowest threshold when every verified candidate is right', () => {
    expect(sweepThreshold([score(true, 0.71), score(true, 0.9), score(false, 0.8, ['numbers'])], 1)).toEqual({
      threshold: 0.71,
      // Nothing verified is less similar: every threshold up to 0.71 serves the same pairs.
      equivalentAbove: 0,
      precision: 1,
      recall: 1,
    });
  });

  it('returns undefined when no observed similarity reaches the target with a correct hit', () => {
    expect(sweepThreshold([score(false, 0.99), score(true, 0.5)], 1)).toBeUndefined();
    expect(sweepThreshold([score(true, undefined)], 0.9)).toBeUndefined();
  });

  it('only considers similarities in (0, 1] of candidates that passed verification', () => {
    const exact: PairScore = { ...score(true, 1), exact: true };
    expect(
      candidateThresholds([exact, score(true, 0.8), score(true, 0.8), score(true, -0.2), score(true, 0.7, ['x'])]),
    ).toEqual([0.8]);
  });
});
