/**
 * Turns finished replicates into an evidence bundle: pairwise distances, clusters of agreeing replicates, the
 * consensus, the disagreements and a confidence. Pure apart from the (possibly async) distance and embedder.
 *
 * Confidence = (members of the largest cluster / replicates in the bundle) × (1 − mean pairwise distance inside the
 * largest cluster), and 0 when no replicate succeeded. Failed replicates count in the denominator as disagreeing:
 * work that fails one time in three deserves less trust than work that never fails, even when the answers agree.
 */
import { describeValue } from '../errors/describe-value.js';
import type { Problem } from '../errors/validation-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { Usage } from '../registry/target.js';
import { clusterByAgreement, meanPairwiseDistance, medoid } from './cluster.js';
import { type DistanceOption, differingFields, type Embed, resolveDistance } from './distance.js';

/** Two replicates agree when their distance is at most this. */
export const DEFAULT_EPSILON = 0.2;

export interface ReplicateError {
  /** The BatonError code, or the error's own `code`, or `replicate-failed`. */
  code: string;
  message: string;
}

/** One run of the work: its output, or why it failed. */
export interface Replicate {
  index: number;
  output?: unknown;
  /** Set when the replicate failed; `output` is then meaningless. */
  error?: ReplicateError;
  usage?: Usage;
  durationMs: number;
}

/** A replicate outside the largest cluster. */
export interface Disagreement {
  index: number;
  /** Distance to the consensus; 1 for a failed replicate. */
  distance: number;
  /** For object or array outputs, the paths of the fields that differ from the consensus (compared by tokens). */
  fields?: string[];
  /** Why the replicate failed, when it did. */
  error?: ReplicateError;
}

export interface EvidenceBundleMeta {
  /** Replicates asked for. */
  k: number;
  /** Replicates in the bundle (finished, successfully or not). */
  ran: number;
  epsilon: number;
  /** The first two replicates agreed, so the rest were not run. */
  earlyStopped: boolean;
  /** `auto`, `text`, `auto+embedding`, `text+embedding`, or the custom function's name. */
  distance: string;
}

export interface EvidenceBundle {
  meta: EvidenceBundleMeta;
  /** Sorted by index. */
  replicates: Replicate[];
  /** Symmetric, by position in `replicates`; `null` wherever a failed replicate is involved. */
  distances: (number | null)[][];
  /** Replicate indexes of agreeing groups of successful replicates, largest (then tightest) first. */
  clusters: number[][];
  /** The medoid of the largest cluster; `undefined` when no replicate succeeded. */
  consensus: { index: number; output: unknown } | undefined;
  /** Every replicate outside the largest cluster, failed ones included, by index. */
  disagreements: Disagreement[];
  /** In [0, 1]; see the formula at the top of this file. */
  confidence: number;
}

export interface EvidenceBundleOptions {
  /** Two replicates agree when their distance is at most this; in [0, 1]. @default 0.2 */
  epsilon?: number;
  /** How outputs compare. @default 'auto' */
  distance?: DistanceOption;
  /** Compares text by embeddings (cosine distance) instead of tokens; only with a built-in distance. */
  embed?: Embed;
  /** Replicates asked for, recorded in `meta.k`. @default replicates.length */
  k?: number;
  /** Recorded in `meta.earlyStopped`. @default false */
  earlyStopped?: boolean;
}

/**
 * Builds the bundle for finished replicates.
 *
 * @example
 * const bundle = await buildEvidenceBundle([
 *   { index: 0, output: { answer: 'Paris' }, durationMs: 120 },
 *   { index: 1, output: { answer: 'Paris' }, durationMs: 98 },
 *   { index: 2, output: { answer: 'Lyon' }, durationMs: 130 },
 * ]);
 * bundle.consensus; // { index: 0, output: { answer: 'Paris' } }
 * bundle.confidence; // 2/3 × (1 − 0) ≈ 0.667
 */
export async function buildEvidenceBundle(
  replicates: readonly Replicate[],
  options: EvidenceBundleOptions = {},
): Promise<EvidenceBundle> {
  const problems = [...evidenceOptionProblems(options), ...replicateProblems(replicates, options?.k)];
  if (problems.length > 0) throw new ValidationError('invalid evidence bundle input', problems);
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  const sorted = [...replicates].sort((a, b) => a.index - b.index);
  const succeeded = sorted.filter((replicate) => replicate.error === undefined);
  const { distance, name } = await resolveDistance(options.distance ?? 'auto', {
    embed: options.embed,
    values: succeeded.map((replicate) => replicate.output),
  });

  const distances: (number | null)[][] = sorted.map((a) => sorted.map((b) => (a === b && !a.error ? 0 : null)));
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (a.error || b.error) continue;
      const value = checkDistance(await distance(a.output, b.output), a.index, b.index);
      distances[i]![j] = value;
      distances[j]![i] = value;
    }
  }

  const position = new Map(sorted.map((replicate, i) => [replicate.index, i]));
  const between = (a: number, b: number): number => distances[position.get(a)!]![position.get(b)!] ?? 1;
  const clusters = clusterByAgreement(
    succeeded.map((replicate) => replicate.index),
    between,
    epsilon,
  );
  const largest = clusters[0] ?? [];
  const consensusIndex = medoid(largest, between);
  const consensusOutput = consensusIndex === undefined ? undefined : sorted[position.get(consensusIndex)!]!.output;
  const confidence =
    largest.length === 0 ? 0 : (largest.length / sorted.length) * (1 - meanPairwiseDistance(largest, between));

  const disagreements = sorted
    .filter((replicate) => !largest.includes(replicate.index))
    .map((replicate): Disagreement => {
      if (replicate.error || consensusIndex === undefined) {
        return { index: replicate.index, distance: 1, ...(replicate.error && { error: replicate.error }) };
      }
      const disagreement: Disagreement = { index: replicate.index, distance: between(consensusIndex, replicate.index) };
      if (sameContainerKind(consensusOutput, replicate.output)) {
        disagreement.fields = differingFields(consensusOutput, replicate.output);
      }
      return disagreement;
    });

  return {
    meta: {
      k: options.k ?? sorted.length,
      ran: sorted.length,
      epsilon,
      earlyStopped: options.earlyStopped ?? false,
      distance: name,
    },
    replicates: sorted,
    distances,
    clusters,
    consensus: consensusIndex === undefined ? undefined : { index: consensusIndex, output: consensusOutput },
    disagreements,
    confidence,
  };
}

/** Problems with the options shared by {@link buildEvidenceBundle} and `runReplicates`. */
export function evidenceOptionProblems(options: EvidenceBundleOptions): Problem[] {
  const problems: Problem[] = [];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const message = `options must be an object like { epsilon: 0.2 }, got ${describeValue(options)}`;
    return [{ path: 'options', code: 'type', message }];
  }
  const { epsilon, distance, embed } = options;
  if (epsilon !== undefined && !(typeof epsilon === 'number' && epsilon >= 0 && epsilon <= 1)) {
    problems.push({
      path: 'epsilon',
      code: 'out-of-range',
      message: `epsilon must be a number in [0, 1], got ${describeValue(epsilon)}`,
    });
  }
  if (distance !== undefined && typeof distance !== 'function' && distance !== 'auto' && distance !== 'text') {
    problems.push({
      path: 'distance',
      code: 'unknown-distance',
      message: `distance must be 'auto', 'text' or a function, got ${describeValue(distance)}`,
    });
  }
  if (embed !== undefined && typeof embed !== 'function') {
    problems.push({ path: 'embed', code: 'type', message: `embed must be a function, got ${describeValue(embed)}` });
  } else if (embed !== undefined && typeof distance === 'function') {
    problems.push({
      path: 'embed',
      code: 'conflict',
      message: 'embed only applies to the built-in distances; use it inside your own distance function instead',
    });
  }
  return problems;
}

function replicateProblems(replicates: readonly Replicate[], k: number | undefined): Problem[] {
  const problems: Problem[] = [];
  if (!Array.isArray(replicates)) {
    const message = `replicates must be an array like [{ index: 0, output, durationMs: 12 }], got ${describeValue(replicates)}`;
    return [{ path: 'replicates', code: 'type', message }];
  }
  if (k !== undefined && !(Number.isInteger(k) && k >= Math.max(1, replicates.length))) {
    const least = Math.max(1, replicates.length);
    problems.push({
      path: 'k',
      code: 'out-of-range',
      message: `k must be an integer ≥ ${least}, got ${describeValue(k)}`,
    });
  }
  const seen = new Set<number>();
  replicates.forEach((replicate, i) => {
    if (typeof replicate !== 'object' || replicate === null || Array.isArray(replicate)) {
      const message = `a replicate must be an object like { index: 0, output, durationMs: 12 }, got ${describeValue(replicate)}`;
      problems.push({ path: `replicates[${i}]`, code: 'type', message });
      return;
    }
    const { index, error } = replicate;
    if (error !== undefined && (typeof error !== 'object' || error === null)) {
      const message = `error must be { code, message } for a failed replicate, got ${describeValue(error)}`;
      problems.push({ path: `replicates[${i}].error`, code: 'type', message });
    }
    if (!(Number.isInteger(index) && index >= 0)) {
      const message = `index must be an integer ≥ 0, got ${describeValue(index)}`;
      problems.push({ path: `replicates[${i}].index`, code: 'out-of-range', message });
    } else if (seen.has(index)) {
      const message = `index ${index} appears more than once`;
      problems.push({ path: `replicates[${i}].index`, code: 'duplicate', message });
    }
    seen.add(index);
  });
  return problems;
}

function checkDistance(value: number, a: number, b: number): number {
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  throw new ValidationError('the distance function returned an invalid value', [
    {
      path: 'distance',
      code: 'out-of-range',
      message: `distance between replicates ${a} and ${b} must be a number in [0, 1], got ${describeValue(value)}`,
    },
  ]);
}

function sameContainerKind(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b);
  return isObject(a) && isObject(b);
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !(value instanceof Date);
}
