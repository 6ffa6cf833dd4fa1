/**
 * Shows two canonical forms equivalent, or says where they are not: every token of each is matched to the token in
 * the same place of the other (`token-match.ts`), so both have the same length and the same order. Clauses may
 * trade places ("In Python, how do I read a CSV file?" / "How do I read a CSV file in Python?"), since a comma
 * does not make the order of meaning; with more than four clauses only the written order is tried. Each attempt is
 * one pass over the tokens, so two long prompts are compared in linear time.
 */
import type { CanonicalForm } from './canonical-form.js';
import { type MatchKind, matchTokens, type WordKnowledge } from './token-match.js';
import type { Token } from './tokens.js';

/** Clauses beyond this many are compared only in the written order (4! = 24 orders at most). */
const MAX_REORDERED_CLAUSES = 4;

export interface Alignment {
  readonly equivalent: boolean;
  /** How many tokens matched each way, for the best attempt. */
  readonly counts: Readonly<Record<MatchKind, number>>;
  /** Non-identical matches, e.g. "kids ≈ children (synonym)" (at most 5). */
  readonly notes: readonly string[];
  /** Clauses were matched in another order than written. */
  readonly reordered: boolean;
  /** Where the written orders part, when not equivalent: the tokens each side has there (at most 6 each). */
  readonly difference?: { readonly query: readonly string[]; readonly candidate: readonly string[] };
}

const emptyCounts = (): Record<MatchKind, number> => ({ identical: 0, inflection: 0, synonym: 0, typo: 0 });

function zip(a: readonly Token[], b: readonly Token[], knowledge: WordKnowledge | undefined) {
  if (a.length !== b.length) return undefined;
  const counts = emptyCounts();
  const notes: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const kind = matchTokens(a[i]!, b[i]!, knowledge);
    if (kind === undefined) return undefined;
    counts[kind]++;
    if (kind !== 'identical' && notes.length < 5) notes.push(`${a[i]!.raw} ≈ ${b[i]!.raw} (${kind})`);
  }
  return { counts, notes };
}

function* orders<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const order of orders(rest)) yield [items[i]!, ...order];
  }
}

/** The differing middle of two token lists: what is left after their longest matching prefix and suffix. */
function differenceOf(a: readonly Token[], b: readonly Token[], knowledge: WordKnowledge | undefined) {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && matchTokens(a[prefix]!, b[prefix]!, knowledge)) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    matchTokens(a[a.length - 1 - suffix]!, b[b.length - 1 - suffix]!, knowledge)
  ) {
    suffix++;
  }
  // Tokens rewritten from one phrase share its text: show it once.
  const middle = (tokens: readonly Token[]) =>
    tokens
      .slice(prefix, Math.min(tokens.length - suffix, prefix + 6))
      .map((token) => token.raw)
      .filter((raw, index, raws) => index === 0 || raws[index - 1] !== raw);
  return { query: middle(a), candidate: middle(b) };
}

/**
 * @example
 * alignForms(canonicalForm('flights to Paris'), canonicalForm('flights from Paris')).difference
 * // → { query: ['to'], candidate: ['from'] }
 */
export function alignForms(query: CanonicalForm, candidate: CanonicalForm, knowledge?: WordKnowledge): Alignment {
  const written = zip(query.tokens, candidate.tokens, knowledge);
  if (written) return { equivalent: true, ...written, reordered: false };
  if (query.tokens.length === candidate.tokens.length) {
    for (const [moved, fixed, flip] of [
      [query, candidate, false],
      [candidate, query, true],
    ] as const) {
      if (moved.clauses.length < 2 || moved.clauses.length > MAX_REORDERED_CLAUSES) continue;
      for (const order of orders(moved.clauses)) {
        const tokens = order.flat();
        const found = flip ? zip(fixed.tokens, tokens, knowledge) : zip(tokens, fixed.tokens, knowledge);
        if (found) return { equivalent: true, ...found, reordered: true };
      }
    }
  }
  return {
    equivalent: false,
    counts: emptyCounts(),
    notes: [],
    reordered: false,
    difference: differenceOf(query.tokens, candidate.tokens, knowledge),
  };
}
