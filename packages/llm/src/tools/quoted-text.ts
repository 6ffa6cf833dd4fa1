/**
 * What a request quotes is what a tool is to work on — the text to translate, the message to post, the words to look
 * for — not which tool: "How do you say "where is the train station" in Japanese?" asks for a translation, not a
 * train. Tool search reads a request with quotations also without them.
 */
import { searchTerm, splitWords } from './search-terms.js';

/** Double quotes, typographic ones, guillemets, and single quotes that are not apostrophes (`don't`, `the users'`). */
const QUOTATION = /"[^"\n]*"|“[^”\n]*”|«[^»\n]*»|(?<![\p{L}\p{N}])'[^'\n]+'(?![\p{L}\p{N}])/gu;

/**
 * The request without what it quotes, when it quotes something and two words that are not function words are left;
 * otherwise undefined.
 *
 * @example
 * withoutQuotations('Translate "good morning" into Polish'); // 'Translate into Polish'
 */
export function withoutQuotations(request: string): string | undefined {
  const rest = request.replace(QUOTATION, ' ').replace(/\s+/g, ' ').trim();
  if (rest === request.trim()) return undefined;
  return splitWords(rest).filter((word) => searchTerm(word) !== null).length >= 2 ? rest : undefined;
}
