/**
 * Groups replicates that agree (distance ≤ epsilon) and picks each group's most central member.
 *
 * Complete-linkage agglomerative clustering: repeatedly merge the two closest groups, where a pair of groups is as
 * far apart as its two farthest members, until no pair is within epsilon. Chosen over leader clustering because the
 * result does not depend on the order replicates finished in, and over average linkage because every two members of
 * a group then agree with each other, which is what "the largest cluster" has to mean for a consensus.
 */
import { requireArgument } from '../errors/require-argument.js';

/** Distance between two items (replicate indexes), in [0, 1]. */
export type PairDistance = (a: number, b: number) => number;

/**
 * Clusters `items` so that every two members of a cluster are within `epsilon`. Members are sorted ascending;
 * clusters are ordered largest first, then tightest (lowest {@link meanPairwiseDistance}), then by their first member,
 * so `clusters[0]` is the one a consensus comes from. Ties (within 1e-12) between equally close merges go to the
 * earliest pair.
 *
 * @example
 * const matrix = [[0, 0.1, 0.9], [0.1, 0, 0.8], [0.9, 0.8, 0]];
 * clusterByAgreement([0, 1, 2], (a, b) => matrix[a]![b]!, 0.2); // [[0, 1], [2]]
 */
export function clusterByAgreement(items: readonly number[], distance: PairDistance, epsilon: number): number[][] {
  checkMembers('clusterByAgreement', 'items', items, distance);
  requireArgument(
    'clusterByAgreement',
    'epsilon',
    typeof epsilon === 'number' && epsilon >= 0,
    'a number ≥ 0',
    epsilon,
  );
  const clusters = [...items].sort((a, b) => a - b).map((item) => [item]);
  for (;;) {
    const merge = closestPair(clusters, distance, epsilon);
    if (!merge) break;
    clusters[merge.left] = [...clusters[merge.left]!, ...clusters[merge.right]!].sort((a, b) => a - b);
    clusters.splice(merge.right, 1);
  }
  const tightness = new Map(clusters.map((cluster) => [cluster, meanPairwiseDistance(cluster, distance)]));
  return clusters.sort((a, b) => b.length - a.length || compare(tightness.get(a)!, tightness.get(b)!) || a[0]! - b[0]!);
}

/** The member with the smallest summed distance to the others; the earliest member wins a tie. */
export function medoid(members: readonly number[], distance: PairDistance): number | undefined {
  checkMembers('medoid', 'members', members, distance);
  let best: { member: number; total: number } | undefined;
  for (const member of members) {
    let total = 0;
    for (const other of members) if (other !== member) total += distance(member, other);
    const order = best ? compare(total, best.total) : -1;
    if (!best || order < 0 || (order === 0 && member < best.member)) best = { member, total };
  }
  return best?.member;
}

/** Mean distance over every pair of members; 0 for fewer than two. */
export function meanPairwiseDistance(members: readonly number[], distance: PairDistance): number {
  checkMembers('meanPairwiseDistance', 'members', members, distance);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) {
      sum += distance(members[i]!, members[j]!);
      pairs++;
    }
  }
  return pairs === 0 ? 0 : sum / pairs;
}

function checkMembers(fn: string, name: string, members: unknown, distance: unknown): void {
  const ok = Array.isArray(members) && members.every((n) => typeof n === 'number');
  requireArgument(fn, name, ok, 'an array of replicate indexes', members);
  requireArgument(fn, 'distance', typeof distance === 'function', 'a function (a, b) => number', distance);
}

function closestPair(
  clusters: readonly number[][],
  distance: PairDistance,
  epsilon: number,
): { left: number; right: number } | undefined {
  let best: { left: number; right: number; linkage: number } | undefined;
  for (let left = 0; left < clusters.length; left++) {
    for (let right = left + 1; right < clusters.length; right++) {
      const linkage = farthest(clusters[left]!, clusters[right]!, distance);
      if (linkage <= epsilon && (!best || compare(linkage, best.linkage) < 0)) best = { left, right, linkage };
    }
  }
  return best;
}

function farthest(a: readonly number[], b: readonly number[], distance: PairDistance): number {
  let max = 0;
  for (const x of a) for (const y of b) max = Math.max(max, distance(x, y));
  return max;
}

/** Compares sums of distances, treating floating-point noise as a tie so tie-breaks stay deterministic. */
function compare(a: number, b: number): number {
  return Math.abs(a - b) <= 1e-12 ? 0 : a - b;
}
