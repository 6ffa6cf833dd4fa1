/**
 * The threshold rule. Baton speaks cosine similarity in [−1, 1] everywhere: higher means more alike, and a hit needs
 * `similarity >= similarityThreshold`. A threshold must lie in (0, 1]. Options named like a distance
 * (`distanceThreshold`, `maxDistance`, `distance`) are refused, as are values ≤ 0 (a distance of 0 means "identical",
 * as a similarity it would accept unrelated text) and values > 1 (percentages such as 92 must be written 0.92).
 */
import { describeValue, type Problem, ValidationError } from '@baton/core';

/**
 * The default: low enough that a typo the word vectors do not know ("broccolli") still brings its candidate to
 * verification, which decides. No pair that must not hit passes verification in the shipped sets at any threshold
 * down to 0.5, and recall stops rising below this value.
 */
export const DEFAULT_SIMILARITY_THRESHOLD = 0.65;

const DISTANCE_NAMES = ['distanceThreshold', 'maxDistance', 'distance', 'cosineDistance'];

/** Every problem with the threshold options (distance-named options, a bad `similarityThreshold`), as data. */
export function similarityThresholdProblems(options: Record<string, unknown>, path = 'similarityThreshold'): Problem[] {
  const problems: Problem[] = [];
  for (const name of DISTANCE_NAMES) {
    if (options[name] === undefined) continue;
    const value = Number(options[name]);
    const suggestion = Number.isFinite(value)
      ? ` (${name} ${value} → similarityThreshold ${Math.round((1 - value) * 1e6) / 1e6})`
      : '';
    problems.push({
      path: name,
      code: 'distance-not-supported',
      message: `got ${name}=${describeValue(options[name])}, but thresholds are cosine similarities in [-1, 1] (higher = more alike); pass similarityThreshold = 1 - distance instead${suggestion}`,
    });
  }
  const threshold = options[path];
  if (threshold === undefined) return problems;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    problems.push({ path, code: 'type', message: `must be a number in (0, 1], got ${describeValue(threshold)}` });
  } else if (threshold > 1) {
    problems.push({
      path,
      code: 'too-large',
      message: `cosine similarity cannot exceed 1, got ${threshold}; write a percentage such as 92 as 0.92`,
    });
  } else if (threshold <= 0) {
    problems.push({
      path,
      code: 'looks-like-distance',
      message: `got ${threshold}: a similarity threshold ≤ 0 would accept unrelated texts; if this is a cosine distance d, pass 1 - d`,
    });
  }
  return problems;
}

/** The threshold, or a `ValidationError` listing every problem of the threshold options. */
export function validateSimilarityThreshold(
  options: Record<string, unknown>,
  path = 'similarityThreshold',
): number | undefined {
  const problems = similarityThresholdProblems(options, path);
  if (problems.length > 0) throw new ValidationError('invalid similarity threshold', problems);
  return options[path] as number | undefined;
}
