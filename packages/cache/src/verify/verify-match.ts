/**
 * Checks run before a semantic candidate is served: the query and the cached question must agree on numbers,
 * identifiers, dates and times, named entities (capitalized, or lowercase words WordNet knows only as names),
 * negation, polarity, the direction of a comparison or conversion, who does what to whom, and every content word
 * must find a counterpart on the other side: the same word, an inflection or a synonym — never a merely similar
 * word, since "a joke about cats" and "a joke about dogs" differ in exactly that. Each check says why it passed or
 * failed.
 */
import { alignContentWords, describeUnmatched } from './content-alignment.js';
import { isFiller } from './content-words.js';
import { CONTRAST_GROUPS, type ContrastGroup, normalizeComparatives } from './contrast-terms.js';
import { compareDirection } from './direction.js';
import { createLexicon, type Lexicon } from './lexicon.js';
import { findRoleSwap, type RolePositions, rolePositions } from './role-order.js';
import { extractFeatures, type TextFeatures } from './text-features.js';

export type CheckName =
  | 'numbers'
  | 'identifiers'
  | 'dates'
  | 'entities'
  | 'negation'
  | 'polarity'
  | 'direction'
  | 'roles'
  | 'alignment';

export interface CheckResult {
  readonly name: CheckName;
  readonly passed: boolean;
  readonly reason: string;
}

export interface VerifyOptions {
  /** Checks to skip, e.g. `{ entities: false }`. @default every check on */
  checks?: Partial<Record<CheckName, boolean>>;
  /**
   * Word similarities for the alignment and direction checks. `SemanticCache` passes one over the default word
   * vectors. @default stems and the synonym list only (stricter: a synonym outside the list is unmatched)
   */
  lexicon?: Lexicon;
  /**
   * Similarity a content word's counterpart needs in the alignment check. At 1 the counterpart must be the same
   * word, an inflection or a synonym; below 1, word-vector neighbours count too, and those include different things
   * of the same kind (cat/dog 0.85, tea/coffee 0.8), so lowering it trades wrong hits for recall. @default 1
   */
  alignmentBound?: number;
}

/** The alignment bound's default: only the same stem or a synonym (listed or from WordNet) is a counterpart. */
export const DEFAULT_ALIGNMENT_BOUND = 1;

const stemsOnly = createLexicon();

const list = (values: readonly string[]) => (values.length === 0 ? 'none' : [...new Set(values)].join(', '));

function compareSets(
  name: CheckName,
  what: string,
  query: readonly string[],
  candidate: readonly string[],
): CheckResult {
  const a = new Set(query);
  const b = new Set(candidate);
  const same = a.size === b.size && [...a].every((value) => b.has(value));
  return same
    ? { name, passed: true, reason: a.size === 0 ? `no ${what} on either side` : `${what} agree: ${list(query)}` }
    : { name, passed: false, reason: `${what} differ: query has ${list(query)}, candidate has ${list(candidate)}` };
}

/** Capitalized names, plus lowercase words the lexicon knows only as names ("weather in berlin"). */
function namesOf(features: TextFeatures, lexicon: Lexicon): string[] {
  if (!lexicon.isProperNoun) return [...features.entities];
  const lowercase = [...features.words].filter((word) => !isFiller(word) && lexicon.isProperNoun!(word));
  return [...new Set([...features.entities, ...lowercase])];
}

function compareEntities(query: TextFeatures, candidate: TextFeatures, lexicon: Lexicon): CheckResult {
  const inQuery = namesOf(query, lexicon);
  const inCandidate = namesOf(candidate, lexicon);
  const missingFromCandidate = inQuery.filter((entity) => !candidate.words.has(entity));
  const missingFromQuery = inCandidate.filter((entity) => !query.words.has(entity));
  if (missingFromCandidate.length === 0 && missingFromQuery.length === 0) {
    const all = [...inQuery, ...inCandidate];
    return {
      name: 'entities',
      passed: true,
      reason: all.length === 0 ? 'no named entities' : `entities agree: ${list(all)}`,
    };
  }
  const parts = [];
  if (missingFromCandidate.length > 0)
    parts.push(`query names ${list(missingFromCandidate)} that the candidate does not`);
  if (missingFromQuery.length > 0) parts.push(`candidate names ${list(missingFromQuery)} that the query does not`);
  return { name: 'entities', passed: false, reason: parts.join('; ') };
}

function compareNegation(query: TextFeatures, candidate: TextFeatures): CheckResult {
  const a = query.negations.length > 0;
  const b = candidate.negations.length > 0;
  if (a === b) return { name: 'negation', passed: true, reason: a ? 'both negated' : 'neither negated' };
  return {
    name: 'negation',
    passed: false,
    reason: a
      ? `query is negated (${list(query.negations)}), candidate is not`
      : `candidate is negated (${list(candidate.negations)}), query is not`,
  };
}

/** What the checks read from one text, computed once per text and kept for texts seen recently. */
interface Analysis {
  readonly features: TextFeatures;
  /** The text with "less/least X" rewritten (see `normalizeComparatives`). */
  readonly comparatives: string;
  /** Per contrast group, the senses the text uses. */
  readonly senses: readonly (readonly ContrastGroup['senses'][number][])[];
  /** Where each content word stands, for the roles check. */
  readonly roles: RolePositions;
}

const RECENT_ANALYSES = 512;
const analyses = new Map<string, Analysis>();

function analyze(text: string): Analysis {
  let analysis = analyses.get(text);
  if (analysis) return analysis;
  const comparatives = normalizeComparatives(text);
  analysis = {
    features: extractFeatures(text),
    comparatives,
    senses: CONTRAST_GROUPS.map((group) => group.senses.filter((sense) => sense.pattern.test(comparatives))),
    roles: rolePositions(comparatives),
  };
  if (analyses.size >= RECENT_ANALYSES) analyses.delete(analyses.keys().next().value!);
  analyses.set(text, analysis);
  return analysis;
}

function comparePolarity(query: Analysis, candidate: Analysis): CheckResult {
  for (let g = 0; g < CONTRAST_GROUPS.length; g++) {
    const inQuery = query.senses[g]!;
    const inCandidate = candidate.senses[g]!;
    const onlyQuery = inQuery.filter((sense) => !inCandidate.includes(sense));
    const onlyCandidate = inCandidate.filter((sense) => !inQuery.includes(sense));
    if (onlyQuery.length > 0 && onlyCandidate.length > 0) {
      return {
        name: 'polarity',
        passed: false,
        reason: `opposite or different terms: query says "${onlyQuery[0]!.label}", candidate says "${onlyCandidate[0]!.label}"`,
      };
    }
  }
  return { name: 'polarity', passed: true, reason: 'no opposite terms' };
}

function compareAlignment(query: Analysis, candidate: Analysis, lexicon: Lexicon, bound: number): CheckResult {
  const unmatched = alignContentWords(query.comparatives, candidate.comparatives, lexicon, bound);
  if (unmatched.query.length === 0 && unmatched.candidate.length === 0) {
    return { name: 'alignment', passed: true, reason: `every content word has a counterpart (≥ ${bound})` };
  }
  const parts = [];
  if (unmatched.query.length > 0)
    parts.push(`query words without a counterpart: ${describeUnmatched(unmatched.query)}`);
  if (unmatched.candidate.length > 0) {
    parts.push(`candidate words without a counterpart: ${describeUnmatched(unmatched.candidate)}`);
  }
  return { name: 'alignment', passed: false, reason: parts.join('; ') };
}

function checkDirection(query: string, candidate: string, lexicon: Lexicon): CheckResult {
  const difference = compareDirection(query, candidate, lexicon);
  if (!difference) return { name: 'direction', passed: true, reason: 'no comparison, route or conversion disagrees' };
  return {
    name: 'direction',
    passed: false,
    reason: `different direction: query has "${difference.construction} ${difference.query}", candidate has "${difference.construction} ${difference.candidate}"`,
  };
}

function compareRoles(query: Analysis, candidate: Analysis): CheckResult {
  const swap = findRoleSwap(query.roles, candidate.roles);
  if (!swap) return { name: 'roles', passed: true, reason: 'no words trade places' };
  return {
    name: 'roles',
    passed: false,
    reason: `roles swapped around "${swap.pivot}": the query has "${swap.movedAfter}" before it and "${swap.movedBefore}" after, the candidate the reverse`,
  };
}

/**
 * @example
 * verifyMatch('weather in Paris today', 'weather in London today').find((c) => !c.passed)?.reason
 * // → 'query names paris that the candidate does not; candidate names london that the query does not'
 */
export function verifyMatch(query: string, candidate: string, options: VerifyOptions = {}): CheckResult[] {
  const enabled = (name: CheckName) => options.checks?.[name] !== false;
  const queryAnalysis = analyze(query);
  const candidateAnalysis = analyze(candidate);
  const a = queryAnalysis.features;
  const b = candidateAnalysis.features;
  const results: CheckResult[] = [];
  if (enabled('numbers')) results.push(compareSets('numbers', 'numbers', a.numbers, b.numbers));
  if (enabled('identifiers')) results.push(compareSets('identifiers', 'identifiers', a.identifiers, b.identifiers));
  if (enabled('dates')) results.push(compareSets('dates', 'dates and times', a.dates, b.dates));
  const lexicon = options.lexicon ?? stemsOnly;
  if (enabled('entities')) results.push(compareEntities(a, b, lexicon));
  if (enabled('negation')) results.push(compareNegation(a, b));
  if (enabled('polarity')) results.push(comparePolarity(queryAnalysis, candidateAnalysis));
  const bound = options.alignmentBound ?? DEFAULT_ALIGNMENT_BOUND;
  if (enabled('direction')) results.push(checkDirection(query, candidate, lexicon));
  if (enabled('roles')) results.push(compareRoles(queryAnalysis, candidateAnalysis));
  if (enabled('alignment')) results.push(compareAlignment(queryAnalysis, candidateAnalysis, lexicon, bound));
  return results;
}

/** True when every check passed. */
export function allPassed(checks: readonly CheckResult[]): boolean {
  return checks.every((check) => check.passed);
}
