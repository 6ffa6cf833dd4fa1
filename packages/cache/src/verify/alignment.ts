/**
 * Shows two canonical forms equivalent, or says where they are not: every token of each is matched to the token in
 * the same place of the other (`token-match.ts`), so both have the same length and the same order. A clause that sets
 * the scene, or a question among statements, may trade places ("In Python, how do I read a CSV file?" / "How do I
 * read a CSV file in Python?"); other clauses keep their order — a list's items and a story's steps say something by
 * it ("red, green, blue" is not "blue, green, red"). With more than four clauses only the written order is tried. Each attempt is
 * one pass over the tokens, so two long prompts are compared in linear time.
 */
import type { CanonicalForm } from './canonical-form.js';
import { AUXILIARIES, QUESTION_WORDS } from './frame-tokens.js';
import { FUNCTION_WORDS } from './lists/function-words.js';
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

/** Joiners whose two sides may trade places: "X and Y" asks what "Y and X" asks; "8 times 7" is "7 times 8". */
const SYMMETRIC = new Set(['and', 'or', 'versus']);
const SYMMETRIC_FOR_NUMBERS = new Set(['times', 'plus', '+', '×', '*']);
/** Longest side of a swapped pair looked for. */
const MAX_SIDE = 6;

const isSide = (token: Token) => token.kind !== 'break' && !FUNCTION_WORDS.has(token.key);

/**
 * When `a` and `b` part at `start`, the length of a stretch where each holds "X and Y" with the sides swapped ("Roth
 * IRA or 401k" / "401k or a Roth IRA"), or 0. Sides are runs of words, numbers or codes with no function word in them,
 * so "flights from X and to Y" keeps its prepositions in place.
 */
function swappedSides(a: readonly Token[], b: readonly Token[], start: number, knowledge: WordKnowledge | undefined) {
  const same = (x: readonly Token[], y: readonly Token[]) =>
    x.length === y.length && x.every((token, index) => matchTokens(token, y[index]!, knowledge) !== undefined);
  for (let left = 1; left <= MAX_SIDE && start + left < a.length; left++) {
    const joiner = a[start + left]!;
    if (!isSide(a[start + left - 1]!)) return 0;
    const numeric = SYMMETRIC_FOR_NUMBERS.has(joiner.key);
    if (!SYMMETRIC.has(joiner.key) && !numeric) continue;
    for (let right = 1; right <= MAX_SIDE && start + left + right < a.length + 1; right++) {
      const end = start + left + 1 + right;
      if (end > a.length || !isSide(a[end - 1]!)) break;
      if (numeric && (left !== 1 || right !== 1 || a[start]!.kind !== 'number' || a[end - 1]!.kind !== 'number')) {
        continue;
      }
      if (b[start + right]?.key !== joiner.key) continue;
      if (
        same(a.slice(start, start + left), b.slice(start + right + 1, end)) &&
        same(a.slice(start + left + 1, end), b.slice(start, start + right))
      ) {
        return end - start;
      }
    }
  }
  return 0;
}

/** Words that point at a place in the prompt: "the next question", "the text above", "the former". */
const POSITION_WORDS: ReadonlySet<string> = new Set(
  'next previous above below following preceding former latter'.split(' '),
);
/** Ordinals point at a place when two of them do ("the first … the second", "Reply 1 for the first, 2 for the last"). */
const ORDINALS: ReadonlySet<string> = new Set('first second third 1st 2nd 3rd last'.split(' '));
const PRONOUNS_OF_PLACE: ReadonlySet<string> = new Set(['this', 'that']);
/** What an ordinal points at when it points into the prompt. */
const PROMPT_PARTS: ReadonlySet<string> = new Set(
  'question questions sentence sentences paragraph paragraphs item items option options line lines word words point points part parts message one ones'.split(
    ' ',
  ),
);

/**
 * Whether the prompt points at places in itself, so the order of its parts says what it points at and nothing may
 * trade places: a word of position, an ordinal before a part of the prompt ("the first question") or two ordinals, or
 * "this" / "that" ending a clause ("before this", "to this").
 */
function pointsAtOrder(form: CanonicalForm): boolean {
  const ordinals = new Set<string>();
  for (const clause of form.clauses) {
    for (const [index, token] of clause.entries()) {
      if (POSITION_WORDS.has(token.key)) return true;
      if (ORDINALS.has(token.key)) {
        // "the first question", "the second option": a part of the prompt.
        if (PROMPT_PARTS.has(clause[index + 1]?.key ?? '')) return true;
        ordinals.add(token.key);
      }
      if (PRONOUNS_OF_PLACE.has(token.key) && index === clause.length - 1) return true;
    }
  }
  return ordinals.size >= 2;
}

function zip(a: readonly Token[], b: readonly Token[], knowledge: WordKnowledge | undefined, swaps = true) {
  if (a.length !== b.length) return undefined;
  const counts = emptyCounts();
  const notes: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const kind = matchTokens(a[i]!, b[i]!, knowledge);
    if (kind === undefined) {
      const swapped = swaps ? swappedSides(a, b, i, knowledge) : 0;
      if (swapped === 0) return undefined;
      counts.identical += swapped;
      if (notes.length < 5) notes.push('the two sides of a conjunction swapped');
      i += swapped - 1;
      continue;
    }
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
 * Words that open a clause which may stand anywhere in its sentence: a preposition or a conjunction that sets the
 * scene ("In Python, …", "Using Jest, …", "If it is 9 in London, …", "… when it is 9 in London").
 */
const SCENE_SETTERS: ReadonlySet<string> = new Set(
  (
    'in on at for with using from by after before during under over without within across via given if when ' +
    'while since because unless although though once as whenever between to about regarding among around near ' +
    'through tomorrow today tonight yesterday now currently nowadays lately recently usually generally'
  ).split(' '),
);

/**
 * Words that open a clause inside a clause ("tell Bob that Alice left", "ask Tom whether the train leaves"): a phrase
 * moved past one may attach to the other clause ("before the meeting" of the leaving, or of the telling).
 */
const SUBORDINATORS: ReadonlySet<string> = new Set(
  'that whether which who whom whose where when while because if unless until since'.split(' '),
);

/**
 * A clause that may trade places: one that sets the scene ("In Python, …", "If it is 9 in London, …", "Tomorrow, …"),
 * or a question among statements ("What is the capital of Mongolia? Answer in one word."). Other clauses keep their
 * order — a list's items and a story's steps say something by it — and nothing is moved past a clause holding a
 * clause of its own, where a scene could attach to either.
 */
const movable = (clause: readonly Token[]) => {
  const first = clause[0]?.key ?? '';
  return SCENE_SETTERS.has(first) || QUESTION_WORDS.has(first) || AUXILIARIES.has(first);
};

/** Whether `order` keeps the clauses that may not move in the order they were written in, none holding a clause. */
function keepsFixedOrder(order: readonly (readonly Token[])[], written: readonly (readonly Token[])[]): boolean {
  const fixed = written.filter((clause) => !movable(clause));
  if (fixed.some((clause) => clause.some((token) => SUBORDINATORS.has(token.key)))) return false;
  return order.filter((clause) => !movable(clause)).every((clause, index) => clause === fixed[index]);
}

/** The same tokens matched in the written order, or with the clauses of one side in another order. */
function alignReading(query: CanonicalForm, candidate: CanonicalForm, knowledge: WordKnowledge | undefined) {
  const ordered = pointsAtOrder(query) || pointsAtOrder(candidate);
  const written = zip(query.tokens, candidate.tokens, knowledge, !ordered);
  if (written) return { ...written, reordered: false };
  if (ordered || query.tokens.length !== candidate.tokens.length) return undefined;
  for (const [moved, fixed, flip] of [
    [query, candidate, false],
    [candidate, query, true],
  ] as const) {
    if (moved.clauses.length < 2 || moved.clauses.length > MAX_REORDERED_CLAUSES) continue;
    for (const order of orders(moved.clauses)) {
      if (!keepsFixedOrder(order, moved.clauses)) continue;
      const tokens = order.flat();
      const found = flip ? zip(fixed.tokens, tokens, knowledge) : zip(tokens, fixed.tokens, knowledge);
      if (found) return { ...found, reordered: true };
    }
  }
  return undefined;
}

/** A form as canonicalized and, when a topic took the place of "it", as written. */
const readings = (form: CanonicalForm): CanonicalForm[] =>
  form.unresolved ? [form, { ...form, clauses: form.unresolved, tokens: form.unresolved.flat() }] : [form];

/**
 * @example
 * alignForms(canonicalForm('flights to Paris'), canonicalForm('flights from Paris')).difference
 * // → { query: ['to'], candidate: ['from'] }
 */
export function alignForms(query: CanonicalForm, candidate: CanonicalForm, knowledge?: WordKnowledge): Alignment {
  for (const a of readings(query)) {
    for (const b of readings(candidate)) {
      const found = alignReading(a, b, knowledge);
      if (found) return { equivalent: true, ...found };
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
