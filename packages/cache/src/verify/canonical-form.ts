/**
 * The canonical form of a prompt: its tokens with equivalent forms rewritten (`equivalent-forms.ts`), the words that
 * carry nothing left out and question frames in one form (`framing.ts`), split into clauses at sentence punctuation.
 * Verification aligns canonical forms (where the two sides of "X and Y" may trade places); the embedder embeds the
 * canonical text, so prompts that say the same thing land on the same vector.
 */
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

const AUXILIARIES_AND_QUESTIONS = new Set(
  'what where when why who which how whether do did is was have had can could will would should may might must'.split(
    ' ',
  ),
);

/**
 * A topic put first and taken up by "it" ("Dark chocolate: is it healthy?", "My order history, where can I see it?")
 * reads as the question with the topic in place of "it": one clause.
 */
function resolveTopics(clauses: Token[][]): Token[][] {
  const result: Token[][] = [];
  for (let i = 0; i < clauses.length; i++) {
    const topic = clauses[i]!;
    const question = clauses[i + 1];
    const isTopic =
      topic.length <= 6 && topic.every((token) => token.kind !== 'break' && !AUXILIARIES_AND_QUESTIONS.has(token.key));
    if (!isTopic || question === undefined || !AUXILIARIES_AND_QUESTIONS.has(question[0]!.key)) {
      result.push(topic);
      continue;
    }
    const pronouns = question.flatMap((token, index) => (token.key === 'it' ? [index] : []));
    if (pronouns.length !== 1) {
      result.push(topic);
      continue;
    }
    const at = pronouns[0]!;
    result.push([...question.slice(0, at), ...topic, ...question.slice(at + 1)]);
    i++;
  }
  return result;
}

/**
 * @example
 * canonicalText("Hi! Could you tell me what's the capital of the US?") // → 'what is capital of united states'
 */
export function canonicalForm(text: string): CanonicalForm {
  const clauses: Token[][] = [];
  let current: Token[] = [];
  const names = new Set<Token>();
  let opensClause = true;
  const close = () => {
    const framed = frameClause(current);
    if (framed.length > 0) clauses.push(framed);
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
  const resolved = resolveTopics(clauses);
  const tokens = resolved.flat();
  // A name the framing left out ("The" of a title, "OK" of "is it OK to") has nothing to be compared with.
  const named = [...new Set(tokens.filter((token) => names.has(token)).map((token) => token.key))];
  return resolved.length === clauses.length
    ? { clauses, tokens, names: named }
    : { clauses: resolved, tokens, names: named, unresolved: clauses };
}

/** The canonical form as text, for the embedder, everyday synonyms written as one word of their group. */
export function canonicalText(form: CanonicalForm): string {
  return form.tokens.map((token) => (token.kind === 'word' ? representativeOf(token.key) : token.key)).join(' ');
}
