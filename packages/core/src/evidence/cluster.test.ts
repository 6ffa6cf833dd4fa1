import { describe, expect, it } from 'vitest';
import { clusterByAgreement, meanPairwiseDistance, medoid, type PairDistance } from './cluster.js';

/** Items as points on a line; the distance is how far apart they are. */
function onLine(positions: readonly number[]): PairDistance {
  return (a, b) => Math.min(1, Math.abs(positions[a]! - positions[b]!));
}

describe('clusterByAgreement', () => {
  it('splits five items into the two groups that agree', () => {
    const distance = onLine([0, 0.9, 0.1, 0.05, 0.95]);
    expect(clusterByAgreement([0, 1, 2, 3, 4], distance, 0.2)).toEqual([
      [0, 2, 3],
      [1, 4],
    ]);
  });

  it('does not depend on the order items are given in', () => {
    const distance = onLine([0, 0.9, 0.1, 0.05, 0.95]);
    expect(clusterByAgreement([4, 2, 0, 3, 1], distance, 0.2)).toEqual([
      [0, 2, 3],
      [1, 4],
    ]);
  });

  it('keeps every two members within epsilon (complete linkage), breaking merge ties by the earliest pair', () => {
    // 0–1 and 1–2 are both 0.15 apart: the earliest pair merges, and 2 is then 0.3 from 0, too far to join.
    expect(clusterByAgreement([0, 1, 2], onLine([0, 0.15, 0.3]), 0.2)).toEqual([[0, 1], [2]]);
  });

  it('treats a distance equal to epsilon as agreement, and epsilon 0 as "identical only"', () => {
    expect(clusterByAgreement([0, 1], onLine([0, 0.25]), 0.25)).toEqual([[0, 1]]);
    expect(clusterByAgreement([0, 1, 2], onLine([0, 0, 0.01]), 0)).toEqual([[0, 1], [2]]);
  });

  it('orders equal-sized clusters tightest first, then by first member', () => {
    expect(clusterByAgreement([0, 1, 2, 3], onLine([0, 0.1, 0.5, 0.55]), 0.2)).toEqual([
      [2, 3],
      [0, 1],
    ]);
    expect(clusterByAgreement([0, 1, 2, 3], onLine([0, 0.25, 0.5, 0.75]), 0.3)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('returns no clusters for no items', () => {
    expect(clusterByAgreement([], onLine([]), 0.2)).toEqual([]);
  });
});

describe('medoid', () => {
  it('is the member with the smallest summed distance to the others', () => {
    // Sums: 0 → 0.1 + 0.3, 1 → 0.1 + 0.2, 2 → 0.3 + 0.2.
    expect(medoid([0, 1, 2], onLine([0, 0.1, 0.3]))).toBe(1);
  });

  it('breaks ties by the earliest member, whatever the order given', () => {
    expect(medoid([0, 1], onLine([0, 0.1]))).toBe(0);
    expect(medoid([1, 0], onLine([0, 0.1]))).toBe(0);
  });

  it('is undefined for no members', () => {
    expect(medoid([], onLine([]))).toBeUndefined();
  });
});

describe('meanPairwiseDistance', () => {
  it('averages over every pair', () => {
    expect(meanPairwiseDistance([0, 1, 2], onLine([0, 0.1, 0.3]))).toBeCloseTo((0.1 + 0.3 + 0.2) / 3, 12);
  });

  it('is 0 for a single member', () => {
    expect(meanPairwiseDistance([4], onLine([0, 0, 0, 0, 1]))).toBe(0);
  });
});
