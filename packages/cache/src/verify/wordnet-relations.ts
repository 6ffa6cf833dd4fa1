/**
 * Word relations read from the WordNet synonym table: whether two inflected words are synonyms, and whether a
 * lowercase word is a proper noun. Inflections are undone WordNet's way ("morphy"): each detachment rule of the
 * word's possible parts of speech is tried and the forms WordNet knows are kept, so "purchased" finds "purchase"
 * and "bicycles" "bicycle". Results are memoized per word: verification runs on every semantic hit.
 */
import type { SynonymTable } from './wordnet-table.js';

/** WordNet's detachment rules (noun, verb and adjective endings), plus the doubled consonant of "stopped". */
const DETACHMENTS: readonly [string, string][] = [
  ['s', ''],
  ['ses', 's'],
  ['xes', 'x'],
  ['zes', 'z'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['men', 'man'],
  ['ies', 'y'],
  ['es', 'e'],
  ['es', ''],
  ['ed', 'e'],
  ['ed', ''],
  ['ing', 'e'],
  ['ing', ''],
  ['er', ''],
  ['est', ''],
  ['er', 'e'],
  ['est', 'e'],
];

/** The base forms WordNet knows for `word`, the word itself first when known. */
export function lemmasOf(word: string, table: SynonymTable): string[] {
  const lemmas = table.knows(word) ? [word] : [];
  for (const [ending, replacement] of DETACHMENTS) {
    if (!word.endsWith(ending) || word.length - ending.length < 2) continue;
    const base = word.slice(0, -ending.length) + replacement;
    if (table.knows(base) && !lemmas.includes(base)) lemmas.push(base);
    const undoubled = base.replace(/([b-df-hj-np-tv-z])\1$/, '$1');
    if (undoubled !== base && table.knows(undoubled) && !lemmas.includes(undoubled)) lemmas.push(undoubled);
  }
  return lemmas;
}

export interface WordNetRelations {
  /** True when a base form of one word is a lemma of a common synset of the other's base forms. */
  areSynonyms(a: string, b: string): boolean;
  /** True when every base form of `word` is a proper noun (Berlin, Spanish, Tuesday), written in lowercase. */
  isProperNoun(word: string): boolean;
}

/**
 * @example
 * const relations = createWordNetRelations(table);
 * relations.areSynonyms('purchased', 'buy'); // true
 * relations.areSynonyms('cat', 'dog'); // false: co-hyponyms, not synonyms
 */
export function createWordNetRelations(table: SynonymTable): WordNetRelations {
  const lemmasByWord = new Map<string, readonly string[]>();
  const synonymsByWord = new Map<string, ReadonlySet<string>>();
  const remember = <T>(cache: Map<string, T>, word: string, value: T): T => {
    if (cache.size > 50_000) cache.clear();
    cache.set(word, value);
    return value;
  };
  const lemmas = (word: string) => lemmasByWord.get(word) ?? remember(lemmasByWord, word, lemmasOf(word, table));
  const synonyms = (word: string) =>
    synonymsByWord.get(word) ??
    remember(synonymsByWord, word, new Set(lemmas(word).flatMap((lemma) => table.synonymsOf(lemma) ?? [])));
  const covers = (a: string, b: string) => {
    const ofA = synonyms(a);
    return ofA.size > 0 && lemmas(b).some((lemma) => ofA.has(lemma));
  };
  return {
    areSynonyms: (a, b) => covers(a, b) || covers(b, a),
    isProperNoun: (word) => {
      const found = lemmas(word);
      return found.length > 0 && found.every((lemma) => table.isProperNoun(lemma));
    },
  };
}
