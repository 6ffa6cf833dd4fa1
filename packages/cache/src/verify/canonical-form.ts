/**
 * The canonical form of a prompt: its tokens with equivalent forms rewritten (`equivalent-forms.ts`), the words that
 * carry nothing left out and question frames in one form (`framing.ts`), split into clauses at sentence punctuation,
 * and the two sides of a plain "X and Y" / "X or Y" / "X vs Y" put in one order (the conjunction is symmetric: "compare Python
 * and Java" asks what "compare Java and Python" asks). Verification aligns canonical forms; the embedder embeds the
 * canonical text, so prompts that say the same thing land on the same vector.
 */
import { equivalentForms } from './equivalent-forms.js';
import { frameClause } from './framing.js';
import { FUNCTION_WORDS } from './lists/function-words.js';
import type { Token } from './tokens.js';

export interface CanonicalForm {
  /** Clauses in the order written, each a non-empty list of tokens. */
  readonly clauses: readonly (readonly Token[])[];
  /** Every token, clauses joined. */
  readonly tokens: readonly Token[];
  /** Keys of the words written as names: capitalized inside a clause, or in capitals ("Paris", "NASA"). */
  readonly names: readonly string[];
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

const conjunct = (token: Token | undefined) =>
  token !== undefined && token.kind === 'word' && !FUNCTION_WORDS.has(token.key);

/** Orders the two word runs around each "and"/"or" (runs of content words, so "from X and Y" keeps its "from"). */
function orderConjuncts(tokens: Token[]): Token[] {
  const result = [...tokens];
  for (let i = 1; i < result.length - 1; i++) {
    const key = result[i]!.key;
    if (key !== 'and' && key !== 'or' && key !== 'versus') continue;
    let start = i;
    while (start > 0 && conjunct(result[start - 1])) start--;
    let end = i + 1;
    while (end < result.length && conjunct(result[end])) end++;
    if (start === i || end === i + 1) continue;
    // Only runs of the same length are taken for the two sides: in "compare Python and Java" the verb stays out.
    const length = Math.min(i - start, end - i - 1);
    start = i - length;
    end = i + 1 + length;
    const left = result.slice(start, i);
    const right = result.slice(i + 1, end);
    const text = (run: Token[]) => run.map((token) => token.key).join(' ');
    if (text(left) > text(right)) result.splice(start, end - start, ...right, result[i]!, ...left);
    i = end - 1;
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
    const framed = orderConjuncts(frameClause(current));
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
  const tokens = clauses.flat();
  // A name the framing left out ("The" of a title, "OK" of "is it OK to") has nothing to be compared with.
  return { clauses, tokens, names: [...new Set(tokens.filter((token) => names.has(token)).map((token) => token.key))] };
}

/** The canonical form as text, for the embedder. */
export function canonicalText(form: CanonicalForm): string {
  return form.tokens.map((token) => token.key).join(' ');
}
