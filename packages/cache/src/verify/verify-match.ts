/**
 * What a semantic candidate must show before it is served: that it asks what the query asks. Both prompts are put in
 * canonical form (`canonical-form.ts`) and every token of each must match a token of the other, in the same place
 * (`alignment.ts`): by identity, an inflection that does not change meaning, a synonym, or a one-letter slip. A
 * similar word is not enough ("a joke about cats" is not "a joke about dogs"), nor the same words in another order
 * ("A divided by B"). Cheaper checks come first and name the usual reason for a refusal: tokens the embedder cannot
 * see (symbols, codes, other scripts, emoji), quoted words and words asked about (compared as written), the
 * punctuation of code and data, numbers and times, and names. Each check says why it passed or failed.
 */
import { type Alignment, alignForms } from './alignment.js';
import { type CanonicalForm, canonicalForm } from './canonical-form.js';
import type { Lexicon } from './lexicon.js';
import { mentionedWords } from './mentioned-words.js';
import { punctuationSkeleton } from './punctuation-skeleton.js';
import { holdsVerbatim, quotedSpans } from './quoted-spans.js';
import { matchTokens } from './token-match.js';
import type { Token } from './tokens.js';

export type CheckName = 'exact-tokens' | 'quoted' | 'punctuation' | 'numbers' | 'entities' | 'alignment';

export interface CheckResult {
  readonly name: CheckName;
  readonly passed: boolean;
  readonly reason: string;
}

export interface VerifyOptions {
  /** Checks to skip, e.g. `{ entities: false }`. @default every check on */
  checks?: Partial<Record<CheckName, boolean>>;
  /**
   * Synonyms and dictionary words for the alignment. `SemanticCache` passes the one over the shipped WordNet table.
   * @default exact forms and the everyday synonym list only (stricter: a WordNet synonym is unmatched)
   */
  lexicon?: Lexicon;
}

const RECENT_TEXTS = 512;

/** `compute` of a text, kept for the texts seen most recently (a stored question is verified again and again). */
function keptForRecentTexts<T>(compute: (text: string) => T): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    if (kept.has(text)) return kept.get(text) as T;
    const value = compute(text);
    if (kept.size >= RECENT_TEXTS) kept.delete(kept.keys().next().value!);
    kept.set(text, value);
    return value;
  };
}

/** The canonical form of `text`, kept for texts seen recently. */
export const formOf: (text: string) => CanonicalForm = keptForRecentTexts(canonicalForm);

interface Asked {
  quoted: string[];
  mentioned: string[];
}

/** What `text` quotes and asks about, kept for texts seen recently (a stored question is verified again and again). */
const askedOf = keptForRecentTexts((text): Asked => ({ quoted: quotedSpans(text), mentioned: mentionedWords(text) }));

/** The punctuation skeleton of `text`, kept for texts seen recently. */
const skeletonOf = keptForRecentTexts(punctuationSkeleton);

const list = (values: readonly string[]) => (values.length === 0 ? 'none' : values.slice(0, 8).join(', '));

function compareBags(
  name: CheckName,
  what: string,
  select: (token: Token) => boolean,
  query: CanonicalForm,
  candidate: CanonicalForm,
): CheckResult {
  const a = query.tokens.filter(select).map((token) => (token.cased ? token.raw : token.key));
  const b = candidate.tokens.filter(select).map((token) => (token.cased ? token.raw : token.key));
  const sorted = (values: string[]) => [...values].sort().join('\u0000');
  if (sorted(a) === sorted(b)) {
    return { name, passed: true, reason: a.length === 0 ? `no ${what} on either side` : `${what} agree: ${list(a)}` };
  }
  return { name, passed: false, reason: `${what} differ: query has ${list(a)}, candidate has ${list(b)}` };
}

const WEEKDAYS = new Set('monday tuesday wednesday thursday friday saturday sunday'.split(' '));

const EXACT_KINDS = new Set(['code', 'symbol', 'script', 'emoji']);

/**
 * A prompt whose longer words all start with a capital ("How Do I Cancel Amazon Prime"), or all in capitals: two or
 * more, not counting the first word of a clause, which any writer capitalizes.
 */
function titleCased(form: CanonicalForm): boolean {
  const words = form.clauses.flatMap((clause) =>
    clause.slice(1).filter((token) => token.kind === 'word' && token.raw.length > 3),
  );
  return words.length >= 2 && words.every((token) => /^\p{Lu}/u.test(token.raw));
}

function compareNames(
  query: CanonicalForm,
  candidate: CanonicalForm,
  lexicon: Lexicon | undefined,
  texts: { query: string; candidate: string },
): CheckResult {
  const keys = (form: CanonicalForm) => new Set(form.tokens.map((token) => token.key));
  const inQuery = keys(query);
  const inCandidate = keys(candidate);
  // A name written with a slip ("pyhton") still names the same thing; the alignment checks where it stands.
  // "on Saturdays" names the day "on Saturday" does.
  const named = (name: string, keys: ReadonlySet<string>, form: CanonicalForm) =>
    keys.has(name) ||
    (WEEKDAYS.has(name.replace(/s$/, '')) && (keys.has(name.replace(/s$/, '')) || keys.has(`${name}s`))) ||
    form.tokens.some((token) => matchTokens({ key: name, raw: name, kind: 'word' }, token, lexicon) === 'typo');
  // A writer who capitalizes names and writes this one in lower case means another word: "a function named Parse"
  // is not "a function named parse" when both write "Go".
  const recased = (name: string, form: CanonicalForm, other: CanonicalForm) =>
    other.names.length > 0 &&
    !other.names.includes(name) &&
    form.tokens.some((token) => token.key === name && /^\p{Lu}\p{Ll}/u.test(token.raw)) &&
    other.tokens.some((token) => token.raw === name);
  // A capitalized name that is also a common word, in lower case on the other side, is that word: "pronounce Polish"
  // is not "pronounce polish", nor "Turkey" "turkey" (a name WordNet knows only as one, "paris", is still Paris) —
  // unless case says nothing there: the other side is all in lower case, or this one capitalizes every word.
  const common = (name: string, form: CanonicalForm, other: CanonicalForm, otherText: string) =>
    lexicon?.isProperNoun !== undefined &&
    lexicon.knows(name) &&
    !lexicon.isProperNoun(name) &&
    !titleCased(form) &&
    form.tokens.some((token) => token.key === name && /^\p{Lu}\p{Ll}/u.test(token.raw)) &&
    /\p{Lu}/u.test(otherText) &&
    !other.names.includes(name) &&
    other.tokens.some((token) => token.key === name && token.raw === name);
  const onlyQuery = query.names.filter(
    (name) =>
      !named(name, inCandidate, candidate) ||
      recased(name, query, candidate) ||
      common(name, query, candidate, texts.candidate),
  );
  const onlyCandidate = candidate.names.filter(
    (name) =>
      !named(name, inQuery, query) || recased(name, candidate, query) || common(name, candidate, query, texts.query),
  );
  if (onlyQuery.length === 0 && onlyCandidate.length === 0) {
    const all = [...new Set([...query.names, ...candidate.names])];
    return { name: 'entities', passed: true, reason: all.length === 0 ? 'no names' : `names agree: ${list(all)}` };
  }
  const parts = [];
  if (onlyQuery.length > 0) parts.push(`query names ${list(onlyQuery)} that the candidate does not`);
  if (onlyCandidate.length > 0) parts.push(`candidate names ${list(onlyCandidate)} that the query does not`);
  return { name: 'entities', passed: false, reason: parts.join('; ') };
}

function describeAlignment(alignment: Alignment): CheckResult {
  if (alignment.equivalent) {
    const { identical, inflection, synonym, typo } = alignment.counts;
    const parts = [`${identical} identical`];
    if (inflection > 0) parts.push(`${inflection} inflected`);
    if (synonym > 0) parts.push(`${synonym} synonyms`);
    if (typo > 0) parts.push(`${typo} typos`);
    const notes = alignment.notes.length > 0 ? ` (${alignment.notes.join('; ')})` : '';
    const order = alignment.reordered ? ', clauses reordered' : '';
    return {
      name: 'alignment',
      passed: true,
      reason: `every token matched in order: ${parts.join(', ')}${order}${notes}`,
    };
  }
  const { query, candidate } = alignment.difference!;
  const quote = (tokens: readonly string[]) => (tokens.length === 0 ? 'nothing' : `"${tokens.join(' ')}"`);
  return {
    name: 'alignment',
    passed: false,
    reason: `not shown equivalent: where the query has ${quote(query)}, the candidate has ${quote(candidate)}`,
  };
}

/**
 * What one side quotes, or asks about as a word ("the plural of mouse"), the other must hold as written, quoted or
 * not: "what does 'ephemeral' mean" asks what "what does ephemeral mean" asks, but such a word is never folded into
 * its spelling, inflection, abbreviation or synonym.
 */
function compareQuoted(query: string, candidate: string): CheckResult {
  const a = askedOf(query);
  const b = askedOf(candidate);
  // Quoted text as written; a word asked about unquoted ("the plural of mouse") in any case.
  const missing = (from: Asked, within: string) => [
    ...from.quoted.filter((span) => !holdsVerbatim(within, span)),
    ...from.mentioned.filter((words) => !holdsVerbatim(within.toLowerCase(), words)),
  ];
  const onlyQuery = missing(a, candidate);
  const onlyCandidate = missing(b, query);
  if (onlyQuery.length === 0 && onlyCandidate.length === 0) {
    const asked = [...new Set([...a.quoted, ...b.quoted, ...a.mentioned, ...b.mentioned])];
    return {
      name: 'quoted',
      passed: true,
      reason:
        asked.length === 0 ? 'nothing quoted or asked about' : `quoted and asked-about text agrees: ${list(asked)}`,
    };
  }
  const shown = (spans: string[]) => spans.map((span) => JSON.stringify(span.slice(0, 60))).join(', ');
  const parts = [];
  if (onlyQuery.length > 0)
    parts.push(`query quotes or asks about ${shown(onlyQuery)}, which the candidate does not hold as written`);
  if (onlyCandidate.length > 0)
    parts.push(`candidate quotes or asks about ${shown(onlyCandidate)}, which the query does not hold as written`);
  return { name: 'quoted', passed: false, reason: parts.join('; ') };
}

/** Brackets, quotes, separators and operators in the same order: what code, data and arithmetic are made of. */
function comparePunctuation(query: string, candidate: string): CheckResult {
  const a = skeletonOf(query);
  const b = skeletonOf(candidate);
  if (a === b) {
    return {
      name: 'punctuation',
      passed: true,
      reason: a === '' ? 'no punctuation that code or data read' : `punctuation agrees: ${a}`,
    };
  }
  const shown = (skeleton: string) =>
    skeleton === '' ? 'none' : `"${skeleton.length > 40 ? `${skeleton.slice(0, 40)}…` : skeleton}"`;
  return {
    name: 'punctuation',
    passed: false,
    reason: `punctuation differs: query has ${shown(a)}, candidate has ${shown(b)}`,
  };
}

/**
 * @example
 * verifyMatch('weather in Paris today', 'weather in London today').find((c) => !c.passed)?.reason
 * // → 'query names paris that the candidate does not; candidate names london that the query does not'
 */
export function verifyMatch(query: string, candidate: string, options: VerifyOptions = {}): CheckResult[] {
  const enabled = (name: CheckName) => options.checks?.[name] !== false;
  const a = formOf(query);
  const b = formOf(candidate);
  const results: CheckResult[] = [];
  const exact = (token: Token) => EXACT_KINDS.has(token.kind) || token.cased === true;
  const numeric = (token: Token) => token.kind === 'number' || token.kind === 'time';
  if (enabled('exact-tokens')) results.push(compareBags('exact-tokens', 'symbols and codes', exact, a, b));
  if (enabled('quoted')) results.push(compareQuoted(query, candidate));
  if (enabled('punctuation')) results.push(comparePunctuation(query, candidate));
  if (enabled('numbers')) results.push(compareBags('numbers', 'numbers and times', numeric, a, b));
  if (enabled('entities')) results.push(compareNames(a, b, options.lexicon, { query, candidate }));
  if (enabled('alignment') && results.every((check) => check.passed)) {
    results.push(describeAlignment(alignForms(a, b, options.lexicon)));
  }
  return results;
}

/** True when every check passed. */
export function allPassed(checks: readonly CheckResult[]): boolean {
  return checks.every((check) => check.passed);
}
