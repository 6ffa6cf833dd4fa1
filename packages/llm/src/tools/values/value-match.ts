/**
 * How well a tool's parameters take the values a request names: the weighted share of the request's value kinds the
 * tool takes, out of at least 1, so a request naming only a date (weight 0.35) can lift a tool by little, and one
 * naming an e-mail address by much. Kinds are bits of a number, and a request scores each set of kinds once, since
 * among many tools few sets recur.
 */
import { VALUE_KIND_WEIGHT, VALUE_KINDS, type ValueKind } from './value-kind.js';

const BIT = new Map(VALUE_KINDS.map((kind, i) => [kind, 1 << i]));
const MEDIA = (['image', 'audio', 'video', 'pdf'] as const).reduce((mask, kind) => mask | BIT.get(kind)!, 0);
const PATH = BIT.get('path')!;

/** The kinds as one number, a bit each. */
export function valueKindMask(kinds: Iterable<ValueKind>): number {
  let mask = 0;
  for (const kind of kinds) mask |= BIT.get(kind)!;
  return mask;
}

export interface RequestValues {
  readonly mask: number;
  /** What a tool's matched weight is divided by: the kinds' total weight, at least 1. */
  readonly divisor: number;
  /** A tool's score by the mask of the kinds it takes. */
  readonly scores: Map<number, number>;
}

/**
 * A file of the wrong type: the tool takes only images (or recordings, or PDFs), and the request's file is none of
 * them (`config/settings.yaml` for a tool that reads text off an image).
 */
const wrongFileType = (request: number, takes: number) => (takes & MEDIA) !== 0 && (takes & request & MEDIA) === 0;

function weightOf(mask: number): number {
  let weight = 0;
  VALUE_KINDS.forEach((kind, i) => {
    if (mask & (1 << i)) weight += VALUE_KIND_WEIGHT[kind];
  });
  return weight;
}

export function requestValues(kinds: ReadonlySet<ValueKind>): RequestValues {
  const mask = valueKindMask(kinds);
  return { mask, divisor: Math.max(1, weightOf(mask)), scores: new Map() };
}

/** The tool's score for the request's values, in [0, 1]; `takes` is the mask of the kinds its parameters take. */
export function valueMatch(values: RequestValues, takes: number): number {
  const known = values.scores.get(takes);
  if (known !== undefined) return known;
  let matched = values.mask & takes;
  if (matched & PATH && wrongFileType(values.mask, takes)) matched &= ~PATH;
  const score = weightOf(matched) / values.divisor;
  values.scores.set(takes, score);
  return score;
}
