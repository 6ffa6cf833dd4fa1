/**
 * Measures matching quality on labelled pairs. For each pair a fresh cache stores `a` with an answer and looks `b` up
 * through the full path (exact tier, semantic tier, verification); a hit on a pair labelled `hit: false` is a false
 * positive. Each pair is scored once — its similarity, and whether verification passed — so any number of thresholds
 * can be judged from the same scores: `calibrateThreshold` (threshold-sweep.ts) re-judges them without embedding anything twice.
 */
import type { Embedder } from '../embedders/embedder.js';
import { InvalidPairsError } from '../errors.js';
import { DEFAULT_SIMILARITY_THRESHOLD } from '../match/threshold.js';
import { SemanticCache } from '../semantic-cache.js';
import type { VerifyOptions } from '../verify/verify-match.js';

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
  threshold: number;
  precision: number;
  recall: number;
  falseHitRate: number;
  byKind: Record<string, Confusion>;
  /** Pairs judged wrongly, for inspection: the best candidate's similarity and the checks that refused it. */
  errors: (LabelledPair & { similarity: number | undefined; failedChecks: string[] })[];
}

export interface EvaluateOptions {
  /** @default the cache's default, `DEFAULT_SIMILARITY_THRESHOLD` */
  threshold?: number;
  embedder: Embedder;
  /** Verification options for every lookup, e.g. a lexicon over another WordNet. @default the cache's defaults */
  verify?: VerifyOptions;
}

/** How the full matching path judged one pair, independent of the threshold. */
export interface PairScore {
  pair: LabelledPair;
  /** The exact tier answered: a hit at any threshold. */
  exact: boolean;
  /** Cosine similarity of the semantic candidate, or undefined when there was none (e.g. an empty question). */
  similarity: number | undefined;
  /** Reasons of the verification checks that failed; empty when verification passed. */
  failedChecks: string[];
}

const request = (text: string) => ({ model: 'eval', messages: [{ role: 'user' as const, content: text }] });

/** Scores every pair once through a real `SemanticCache` whose threshold admits every candidate. */
export async function scorePairs(
  pairs: readonly LabelledPair[],
  options: { embedder: Embedder; verify?: VerifyOptions },
): Promise<PairScore[]> {
  const scores: PairScore[] = [];
  for (const pair of pairs) {
    const cache = new SemanticCache({
      embedder: options.embedder,
      similarityThreshold: Number.MIN_VALUE,
      ...(options.verify ? { verify: options.verify } : {}),
    });
    await cache.store(request(pair.a), { finishReason: 'stop', text: 'answer' });
    const result = await cache.lookup(request(pair.b));
    if (result.status === 'hit') {
      scores.push({ pair, exact: result.tier === 'exact', similarity: result.similarity, failedChecks: [] });
    } else {
      const best = result.status === 'miss' ? result.rejected[0] : undefined;
      const failedChecks = (best?.checks ?? []).filter((check) => !check.passed).map((check) => check.reason);
      scores.push({ pair, exact: false, similarity: best?.similarity, failedChecks });
    }
  }
  return scores;
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

/** Judges scored pairs at one threshold: a hit is an exact hit, or a verified candidate at or above the threshold. */
export function judgeScores(scores: readonly PairScore[], threshold: number): Evaluation {
  const total = emptyConfusion();
  const byKind: Record<string, Confusion> = {};
  const errors: Evaluation['errors'] = [];
  for (const { pair, exact, similarity, failedChecks } of scores) {
    const semantic = similarity !== undefined && similarity >= threshold;
    const hit = exact || (semantic && failedChecks.length === 0);
    count(total, pair.hit, hit);
    const kind = pair.kind ?? 'unlabelled';
    byKind[kind] ??= emptyConfusion();
    count(byKind[kind], pair.hit, hit);
    if (hit !== pair.hit) errors.push({ ...pair, similarity, failedChecks: semantic ? failedChecks : [] });
  }
  const predicted = total.truePositives + total.falsePositives;
  const positives = total.truePositives + total.falseNegatives;
  const negatives = total.trueNegatives + total.falsePositives;
  return {
    ...total,
    threshold,
    precision: predicted === 0 ? 1 : total.truePositives / predicted,
    recall: positives === 0 ? 1 : total.truePositives / positives,
    falseHitRate: negatives === 0 ? 0 : total.falsePositives / negatives,
    byKind,
    errors,
  };
}

/**
 * @example
 * const result = await evaluatePairs(parsePairs(readFileSync('pairs.jsonl', 'utf8')), { embedder });
 * console.log(result.precision, result.recall);
 */
export async function evaluatePairs(pairs: readonly LabelledPair[], options: EvaluateOptions): Promise<Evaluation> {
  return judgeScores(await scorePairs(pairs, options), options.threshold ?? DEFAULT_SIMILARITY_THRESHOLD);
}

function parseLine(line: string, number: number): LabelledPair {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw new InvalidPairsError(number, 'not valid JSON', { cause });
  }
  const pair = value as Partial<LabelledPair> | null;
  if (typeof pair !== 'object' || pair === null) throw new InvalidPairsError(number, 'not a JSON object');
  if (typeof pair.a !== 'string' || typeof pair.b !== 'string') {
    throw new InvalidPairsError(number, '"a" and "b" must be strings');
  }
  if (typeof pair.hit !== 'boolean')
    throw new InvalidPairsError(number, `"hit" must be true or false, got ${JSON.stringify(pair.hit)}`);
  if (pair.kind !== undefined && typeof pair.kind !== 'string')
    throw new InvalidPairsError(number, '"kind" must be a string');
  return { a: pair.a, b: pair.b, hit: pair.hit, ...(pair.kind === undefined ? {} : { kind: pair.kind }) };
}

/** Parses JSON Lines of `{"a","b","hit","kind"}`, skipping blank lines; a bad line throws `InvalidPairsError`. */
export function parsePairs(jsonl: string): LabelledPair[] {
  const pairs: LabelledPair[] = [];
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() !== '') pairs.push(parseLine(line, index + 1));
  });
  return pairs;
}
