/**
 * What verification knows about words: WordNet's common-sense synonyms and which words are dictionary words (a word
 * no dictionary knows may be a typo of one that is). Without WordNet only the everyday synonym list and exact forms
 * count, which is stricter, never looser.
 */
import type { WordKnowledge } from './token-match.js';
import { loadSynonymTable, type SynonymTable } from './wordnet-table.js';

export type Lexicon = WordKnowledge;

/**
 * @example
 * const lexicon = createLexicon(await loadSynonymTable());
 * lexicon.synonymsOf('purchase'); // includes 'buy'
 */
export function createLexicon(table?: SynonymTable): Lexicon {
  return {
    synonymsOf: (lemma) => table?.synonymsOf(lemma),
    knows: (lemma) => table?.knows(lemma) ?? false,
    isProperNoun: (lemma) => table?.isProperNoun(lemma) ?? false,
  };
}

const lexicons = new Map<string, Promise<Lexicon>>();

/** The lexicon over the shipped WordNet table, or over the table of a WordNet `dict` folder. Memoized. */
export function loadDefaultLexicon(wordnetDictionary?: string): Promise<Lexicon> {
  const key = wordnetDictionary ?? '';
  let lexicon = lexicons.get(key);
  if (lexicon === undefined) {
    lexicon = loadSynonymTable(wordnetDictionary).then((table) => createLexicon(table));
    lexicon.catch(() => lexicons.delete(key));
    lexicons.set(key, lexicon);
  }
  return lexicon;
}
