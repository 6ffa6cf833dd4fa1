/**
 * The canonical form of a prompt: its tokens with equivalent forms rewritten (`equivalent-forms.ts`), the words that
 * carry nothing left out and question frames in one form (`framing.ts`), split into clauses at sentence punctuation.
 * Verification aligns canonical forms (where the two sides of "X and Y" may trade places); the embedder embeds the
 * canonical text, so prompts that say the same thing land on the same vector.
 */

import { joinQuestionFragments, joinWantedSteps, resolveTopics } from './clause-joins.js';
import { equivalentForms } from './equivalent-forms.js';
import { frameClause } from './framing.js';
import { representativeOf } from './token-match.js';
import type { Token } from './tokens.js';

export interface CanonicalForm {
  /** Clauses in the order written, each a non-empty list of tokens. */
  readonly clauses: readonly (readonly Token[])[];
  /** Every token, clauses joined. */
  readonly tokens: readonly Token[];
  /** Keys of the words written as names: capitalized inside a clause, or in capitals ("Paris", "NASA"). */
  readonly names: readonly string[];
  /**
   * The clauses as written, when a topic was put in place of "it" (`resolveTopics`): "Tomorrow, will it rain?" has no
   * topic, and the alignment tries both readings.
   */
  readonly unresolved?: readonly (readonly Token[])[];
}

const isName = (token: Token, opensClause: boolean) =>
  token.kind === 'word' &&
  token.key === token.raw.toLowerCase() &&
  token.raw !== 'I' &&
  !token.raw.startsWith("I'") &&
  (/^\p{Lu}{2,}/u.test(token.raw) || (!opensClause && /^\p{Lu}/u.test(token.raw)));

const QUESTION_WORDS = new Set(['what', 'where', 'when', 'why', 'who', 'which', 'how']);
const PREPOSITIONS = new Set(
  'in on at with for before after during without from to by about under over between near inside'.split(' '),
);

/**
 * @example
 * canonicalText("Hi! Could you tell me what's the capital of the US?") // → 'what is capital of united states'
 */
export function canonicalForm(text: string): CanonicalForm {
  const written: Token[][] = [];
  let current: Token[] = [];
  const names = new Set<Token>();
  let opensClause = true;
  const close = () => {
    if (current.length > 0) written.push(current);
    current = [];
  };
  for (const token of equivalentForms(text)) {
    if (token.kind === 'break') {
      close();
      opensClause = true;
      continue;
    }
    // "With baking soda how do I clean an oven": a leading phrase before the question is a clause of its own.
    if (QUESTION_WORDS.has(token.key) && current.length > 1 && PREPOSITIONS.has(current[0]!.key)) {
      if (!current.some((earlier) => QUESTION_WORDS.has(earlier.key))) close();
    }
    if (isName(token, opensClause)) names.add(token);
    opensClause = false;
    current.push(token);
  }
  close();
  const clauses = joinQuestionFragments(written)
    .map((clause) => frameClause(clause))
    .filter((clause) => clause.length > 0);
  const joined = joinWantedSteps(clauses);
  const resolved = resolveTopics(joined);
  const tokens = resolved.flat();
  // A name the framing left out ("The" of a title, "OK" of "is it OK to") has nothing to be compared with.
  const named = [...new Set(tokens.filter((token) => names.has(token)).map((token) => token.key))];
  return resolved.length === joined.length
    ? { clauses: joined, tokens, names: named }
    : { clauses: resolved, tokens, names: named, unresolved: joined };
}

/** The canonical form as text, for the embedder, everyday synonyms written as one word of their group. */
export function canonicalText(form: CanonicalForm): string {
  return form.tokens.map((token) => (token.kind === 'word' ? representativeOf(token.key) : token.key)).join(' ');
}
