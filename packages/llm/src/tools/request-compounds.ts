/**
 * Words a request writes apart that tools write as one: "to do" is a `todo` list, "pay stub" a `paystub`, "e-mail" an
 * `email`, "on call" the `oncall` engineer. Each pair of neighbouring words is tried joined, and "not committed" also
 * as `uncommitted`, the one word a tool's description would use. A joined pair that is no term of any tool matches
 * nothing, so the pairs need no dictionary.
 */
import { searchTerm } from './search-terms.js';

/** Shorter joined pairs are mostly two function words (`in`+`to`), not one word written apart. */
const MIN_JOINED_LENGTH = 4;

/**
 * A request's neighbouring words joined, and `un` + the word after `not`, each once and none whose index term is in
 * `own` (the request's own terms). Pairs holding a digit are left out: `v2 api` is no word.
 *
 * @example
 * compoundWords(splitWords('Add it to my to-do list'), own); // ['addit', 'itto', 'tomy', 'mytodo', 'todo', 'dolist']
 */
export function compoundWords(words: readonly string[], own: ReadonlySet<string>): string[] {
  const compounds = new Set<string>();
  const add = (word: string) => {
    const term = searchTerm(word);
    if (term !== null && !own.has(term)) compounds.add(word);
  };
  for (let i = 0; i + 1 < words.length; i++) {
    const [first, second] = [words[i]!, words[i + 1]!];
    if (/\d/.test(first) || /\d/.test(second)) continue;
    if (first === 'not') add(`un${second}`);
    const joined = first + second;
    if (joined.length >= MIN_JOINED_LENGTH) add(joined);
  }
  return [...compounds];
}
