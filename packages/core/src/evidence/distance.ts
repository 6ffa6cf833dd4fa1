/**
 * Distances between replicate outputs, all in [0, 1] (0 = the same, 1 = nothing in common). Text compares word
 * tokens or, given an embedding function, embeddings; numbers compare by relative difference; objects and arrays
 * compare field by field.
 */

import { describeValue } from '../errors/describe-value.js';
import { clipText } from '../errors/quote-text.js';
import { requireArgument } from '../errors/require-argument.js';
import { type Problem, ValidationError } from '../errors/validation-error.js';
import { MAX_VALUE_DEPTH } from '../schema/value-shape.js';

/** How far apart two outputs are, in [0, 1]. */
export type Distance = (a: unknown, b: unknown) => number | Promise<number>;

/** How far apart two texts are, in [0, 1]. */
export type TextDistance = (a: string, b: string) => number;

/** Embeds texts: one vector per text, in the same order. */
export type Embed = (texts: string[]) => Promise<number[][]>;

/** A built-in distance by name, or your own function. */
export type DistanceOption = Distance | 'auto' | 'text';

export interface AutoDistanceOptions {
  /** How string fields compare. @default textDistance */
  text?: TextDistance;
}

/**
 * Relative difference `|a − b| / max(|a|, |b|)`, capped at 1 (so numbers of opposite signs are as far apart as can
 * be). Two NaNs, or equal infinities, are the same.
 */
export function numericDistance(a: number, b: number): number {
  requireType('numericDistance', 'number', { a, b });
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return 1;
  return Math.min(1, Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
}

/** Lowercased word tokens: runs of letters and digits, keeping inner apostrophes (`don't`). */
export function tokenize(text: string): string[] {
  requireType('tokenize', 'string', { text });
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? [];
}

/**
 * `1 − cosine` of the two texts' token count vectors. Cosine rather than Jaccard because it keeps term frequency and
 * divides the overlap by `√(|A|·|B|)` instead of `|A ∪ B|`, so a short answer restated inside a longer one stays close.
 * No synonyms: `car` and `automobile` share nothing — pass an embedding function for meaning.
 *
 * @example
 * textDistance('The cat sat', 'the CAT sat!'); // 0
 */
export function textDistance(a: string, b: string): number {
  requireType('textDistance', 'string', { a, b });
  if (a === b) return 0;
  const left = countTokens(a);
  const right = countTokens(b);
  if (left.size === 0 || right.size === 0) return left.size === right.size ? 0 : 1;
  let dot = 0;
  for (const [token, count] of left) dot += count * (right.get(token) ?? 0);
  return clampUnit(1 - dot / Math.sqrt(squaredNorm(left.values()) * squaredNorm(right.values())));
}

/**
 * `1 − cosine` of two vectors, clamped to [0, 1]: opposite vectors count as unrelated, not "more than unrelated", so
 * one `epsilon` means the same thing for embeddings as for token counts (whose cosine is never negative).
 */
export function cosineDistance(a: readonly number[], b: readonly number[]): number {
  for (const [name, vector] of [['a', a] as const, ['b', b] as const]) {
    if (!Array.isArray(vector) || !vector.every((n) => typeof n === 'number')) {
      throw new ValidationError('invalid cosineDistance arguments', [
        { path: name, code: 'type', message: `${name} must be an array of numbers, got ${describeValue(vector)}` },
      ]);
    }
  }
  let dot = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) dot += a[i]! * b[i]!;
  const norms = Math.sqrt(squaredNorm(a) * squaredNorm(b));
  if (norms === 0) return squaredNorm(a) === squaredNorm(b) ? 0 : 1;
  return clampUnit(1 - dot / norms);
}

/**
 * Picks by type: objects and arrays compare field by field, strings as text, numbers by relative difference
 * ({@link numericDistance}), anything else by equality; values of different types count as 1. Field by field, each
 * key of an object (or index of an array) in the union of both sides weighs the same, a key missing on one side
 * counts as 1, and a nested value's weight is split among its own fields, so a large sub-object does not drown out its
 * siblings. Arrays compare by position. A value that contains itself compares by its finite shape: meeting the same
 * pair of values again on the way down counts as agreement, so cyclic outputs are compared instead of recursing forever.
 *
 * @example
 * autoDistance({ city: 'Paris', population: 100 }, { city: 'paris', population: 90 }); // (0 + 0.1) / 2 = 0.05
 */
export function autoDistance(a: unknown, b: unknown, options: AutoDistanceOptions = {}): number {
  checkAutoOptions('autoDistance', options);
  const text = options.text ?? textDistance;
  const path = new PairPath();
  const keys: (string | number)[] = [];
  const walk = (left: unknown, right: unknown): number => {
    const children = childPairs(left, right);
    if (children === undefined) return leafDistance(left, right, text);
    if (children.length === 0 || path.has(left, right)) return 0;
    path.push(left, right, () => keys.reduce<string>(joinPath, ''));
    let sum = 0;
    for (const child of children) {
      keys.push(child.key);
      sum += child.missing ? 1 : walk(child.a, child.b);
      keys.pop();
    }
    path.pop();
    return sum / children.length;
  };
  return walk(a, b);
}

/** The pairs of containers being compared on the way down from the roots, to notice a cycle. */
class PairPath {
  private readonly pairs: [unknown, unknown][] = [];

  has(a: unknown, b: unknown): boolean {
    return this.pairs.some(([left, right]) => left === a && right === b);
  }

  /** Throws a ValidationError naming `where()` when the values nest deeper than {@link MAX_VALUE_DEPTH}. */
  push(a: unknown, b: unknown, where: () => string): void {
    if (this.pairs.length >= MAX_VALUE_DEPTH) throw tooDeep(where());
    this.pairs.push([a, b]);
  }

  pop(): void {
    this.pairs.pop();
  }
}

/**
 * The paths (`items[2].name`, `address["zip code"]`) of the fields that differ between two values, down to the
 * leaves; a missing key or a type mismatch is reported where it happens. The empty path stands for the values
 * themselves, when they cannot be compared field by field.
 */
export function differingFields(a: unknown, b: unknown, options: AutoDistanceOptions = {}): string[] {
  checkAutoOptions('differingFields', options);
  const text = options.text ?? textDistance;
  const fields: string[] = [];
  const onPath = new PairPath();
  const walk = (left: unknown, right: unknown, path: string): void => {
    const children = childPairs(left, right);
    if (children === undefined) {
      if (leafDistance(left, right, text) > 0) fields.push(path);
      return;
    }
    if (onPath.has(left, right)) return;
    onPath.push(left, right, () => path);
    for (const child of children) {
      const childPath = joinPath(path, child.key);
      if (child.missing) fields.push(childPath);
      else walk(child.a, child.b, childPath);
    }
    onPath.pop();
  };
  walk(a, b, '');
  return fields;
}

/**
 * Embeds `texts` in one call and returns a text distance that looks them up (cosine distance). Comparing a text
 * that was not embedded up front throws, since a synchronous distance cannot call the embedder.
 */
export async function createEmbeddingTextDistance(embed: Embed, texts: readonly string[]): Promise<TextDistance> {
  const problems: Problem[] = [];
  if (typeof embed !== 'function') {
    problems.push({ path: 'embed', code: 'type', message: `embed must be a function, got ${describeValue(embed)}` });
  }
  if (!Array.isArray(texts) || !texts.every((text) => typeof text === 'string')) {
    const message = `texts must be an array of strings, got ${describeValue(texts)}`;
    problems.push({ path: 'texts', code: 'type', message });
  }
  if (problems.length > 0) throw new ValidationError('invalid createEmbeddingTextDistance arguments', problems);
  const unique = [...new Set(texts)];
  const vectors: unknown = unique.length === 0 ? [] : await embed(unique);
  if (!isEmbeddingList(vectors, unique.length)) {
    const got = !Array.isArray(vectors)
      ? typeof vectors
      : vectors.length === unique.length
        ? 'vectors of differing lengths or with non-finite numbers'
        : `${vectors.length} vectors`;
    throw new ValidationError('the embedding function returned an invalid result', [
      {
        path: 'embed',
        code: 'invalid-embedding',
        message: `expected ${unique.length} arrays of numbers of the same length (one per text), got ${got}`,
      },
    ]);
  }
  const byText = new Map(unique.map((text, i) => [text, vectors[i]!]));
  return (a, b) => {
    if (a === b) return 0;
    return cosineDistance(embeddingOf(byText, a), embeddingOf(byText, b));
  };
}

/** A resolved distance and the name it goes by in a bundle's `meta.distance`. */
export interface ResolvedDistance {
  distance: Distance;
  name: string;
}

/**
 * Turns a {@link DistanceOption} into a function. With `embed`, the built-in distances compare text by embeddings;
 * every text found in `values` (string outputs, or string fields for `auto`) is embedded in a single call.
 */
export async function resolveDistance(
  option: DistanceOption,
  context: { embed?: Embed | undefined; values: readonly unknown[] },
): Promise<ResolvedDistance> {
  if (typeof option !== 'function' && option !== 'auto' && option !== 'text') {
    throw new ValidationError('invalid distance', [
      {
        path: 'distance',
        code: 'unknown-distance',
        message: `distance must be 'auto', 'text' or a function, got ${describeValue(option)}`,
      },
    ]);
  }
  if (typeof context !== 'object' || context === null || !Array.isArray(context.values)) {
    throw new ValidationError('invalid resolveDistance context', [
      {
        path: 'context',
        code: 'type',
        message: `context must be { values: unknown[], embed? }, got ${describeValue(context)}`,
      },
    ]);
  }
  if (typeof option === 'function') return { distance: option, name: option.name || 'custom' };
  const { embed, values } = context;
  if (option === 'text') {
    const text = embed ? await createEmbeddingTextDistance(embed, values.map(asText)) : textDistance;
    return { distance: (a, b) => text(asText(a), asText(b)), name: embed ? 'text+embedding' : 'text' };
  }
  if (!embed) return { distance: (a, b) => autoDistance(a, b), name: 'auto' };
  const text = await createEmbeddingTextDistance(embed, values.flatMap(collectStrings));
  return { distance: (a, b) => autoDistance(a, b, { text }), name: 'auto+embedding' };
}

/** Every string in a value, however deeply nested; a value inside itself is not walked again. */
export function collectStrings(value: unknown): string[] {
  const strings: string[] = [];
  const ancestors = new Set<unknown>();
  const keys: (string | number)[] = [];
  const walk = (inner: unknown): void => {
    if (typeof inner === 'string') strings.push(inner);
    else if ((Array.isArray(inner) || isPlainObject(inner)) && !ancestors.has(inner)) {
      if (ancestors.size >= MAX_VALUE_DEPTH) throw tooDeep(keys.reduce<string>(joinPath, ''));
      ancestors.add(inner);
      for (const [key, child] of Object.entries(inner)) {
        keys.push(Array.isArray(inner) ? Number(key) : key);
        walk(child);
        keys.pop();
      }
      ancestors.delete(inner);
    }
  };
  walk(value);
  return strings;
}

/** How a non-string output reads under the `text` distance. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch (cause) {
    throw new ValidationError(
      'cannot compare an output as text',
      [
        {
          path: 'distance',
          code: 'not-serializable',
          message: `the 'text' distance reads non-string outputs as JSON, and ${describeValue(value)} is not JSON (${cause instanceof Error ? cause.message : String(cause)}); use distance 'auto' or your own function`,
        },
      ],
      { cause },
    );
  }
}

function checkAutoOptions(fn: string, options: AutoDistanceOptions): void {
  requireArgument(fn, 'options', typeof options === 'object' && options !== null, 'an object like { text }', options);
  const { text } = options;
  requireArgument(
    fn,
    'options.text',
    text === undefined || typeof text === 'function',
    'a function (a, b) => number',
    text,
  );
}

function requireType(fn: string, type: 'string' | 'number', args: Record<string, unknown>): void {
  const problems = Object.entries(args)
    .filter(([, value]) => typeof value !== type)
    .map(([name, value]) => ({
      path: name,
      code: 'type',
      message: `${name} must be a ${type}, got ${describeValue(value)}`,
    }));
  if (problems.length > 0) throw new ValidationError(`invalid ${fn} arguments`, problems);
}

interface ChildPair {
  key: string | number;
  a: unknown;
  b: unknown;
  missing: boolean;
}

/** The fields to compare when both sides are arrays or both plain objects; `undefined` for leaves or mismatches. */
function childPairs(a: unknown, b: unknown): ChildPair[] | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.max(a.length, b.length);
    return Array.from({ length }, (_, i) => ({ key: i, a: a[i], b: b[i], missing: i >= a.length || i >= b.length }));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.map((key) => {
      const left = Object.hasOwn(a, key) ? a[key] : undefined;
      const right = Object.hasOwn(b, key) ? b[key] : undefined;
      return { key, a: left, b: right, missing: (left === undefined) !== (right === undefined) };
    });
  }
  return undefined;
}

/** A value too deep to compare, as a problem naming where the walk stopped. */
function tooDeep(path: string): ValidationError {
  return new ValidationError('cannot compare the outputs', [
    {
      path: clipText(path, 200),
      code: 'too-deep',
      message: `the outputs nest more than ${MAX_VALUE_DEPTH} levels of arrays and objects`,
    },
  ]);
}

function leafDistance(a: unknown, b: unknown, text: TextDistance): number {
  if (typeof a === 'number' && typeof b === 'number') return numericDistance(a, b);
  if (typeof a === 'string' && typeof b === 'string') return text(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime() ? 0 : 1;
  return Object.is(a, b) ? 0 : 1;
}

function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function embeddingOf(byText: ReadonlyMap<string, number[]>, text: string): number[] {
  const vector = byText.get(text);
  if (vector) return vector;
  const preview = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  throw new ValidationError('cannot compare a text that was not embedded', [
    { path: 'embed', code: 'not-embedded', message: `"${preview}" was not among the texts embedded up front` },
  ]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isEmbeddingList(value: unknown, count: number): value is number[][] {
  if (!Array.isArray(value) || value.length !== count) return false;
  const dimensions = Array.isArray(value[0]) ? value[0].length : -1;
  return value.every(
    (vector) =>
      Array.isArray(vector) &&
      vector.length === dimensions &&
      vector.every((n) => typeof n === 'number' && Number.isFinite(n)),
  );
}

function countTokens(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokenize(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

function squaredNorm(values: Iterable<number>): number {
  let sum = 0;
  for (const value of values) sum += value * value;
  return sum;
}

function clampUnit(value: number): number {
  return Math.min(1, Math.max(0, value));
}
