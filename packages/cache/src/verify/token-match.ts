/**
 * When two tokens in the same place of two prompts mean the same thing: the same token; a noun's plural or a verb's
 * third person (agreement, not meaning); a synonym (the everyday list, or WordNet's common senses); or a slip of one
 * letter in a word no dictionary knows ("pasword"). Tense, comparison and aspect are not inflections here: "was"
 * is not "is", "bigger" is not "big". Function words, numbers, symbols, codes, other scripts and emoji match only
 * themselves.
 */

import { SYNONYM_GROUPS } from './lists/everyday-synonyms.js';
import { FUNCTION_WORDS } from './lists/function-words.js';
import type { Token } from './tokens.js';

/** What the token matcher asks of a dictionary (WordNet by default). */
export interface WordKnowledge {
  /** Lemmas that share a common sense with `lemma` (its synonyms), or undefined when it has none. */
  synonymsOf(lemma: string): readonly string[] | undefined;
  /** True for a lemma the dictionary knows. */
  knows(lemma: string): boolean;
  /** True for a lemma the dictionary knows only as a name (a place, a people); unknown words are not. */
  isProperNoun?(lemma: string): boolean;
}

export type MatchKind = 'identical' | 'inflection' | 'synonym' | 'typo';

const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  children: 'child',
  people: 'person',
  men: 'man',
  women: 'woman',
  feet: 'foot',
  teeth: 'tooth',
  mice: 'mouse',
  geese: 'goose',
  wives: 'wife',
  knives: 'knife',
  lives: 'life',
  leaves: 'leaf',
  halves: 'half',
  shelves: 'shelf',
};

/**
 * Plurals with a meaning of their own (glasses are not two glasses, securities not safety). WordNet cannot tell
 * these apart from a verb's third person ("works", "means"), so they are listed.
 */
const PLURALS_OF_THEIR_OWN = new Set(
  (
    'securities goods customs manners spirits letters minutes quarters remains terms grounds papers forces ' +
    'premises contents arts brakes dues earnings funds glasses odds outskirts proceeds regards surroundings ' +
    'thanks troops valuables wages arms clothes news savings jeans species series physics mathematics economics ' +
    'politics ethics athletics scissors trousers pants shorts pajamas binoculars headquarters spectacles stairs ' +
    'riches belongings communications damages accounts affairs relations services'
  ).split(' '),
);

/**
 * Verbs whose sense is set by their object ("make a bed" is not "build a bed", "take a seat" not "take a pill"): a
 * WordNet synonym of one of them is not taken, only the listed everyday ones ("get" / "obtain").
 */
const LIGHT_VERBS = new Set(
  (
    'make makes made do does did get gets got take takes took have has had go goes went give gives gave ' +
    'put puts set sets keep keeps kept run runs ran'
  ).split(' '),
);

/**
 * Measures that name one figure each: WordNet has "median" for "average" (a value in the middle), yet a question
 * about the median salary does not ask for the average one. And words whose senses cross domains: a pound is a weight
 * or a currency, an lb a weight or a load balancer. None of these takes a WordNet synonym.
 */
const DISTINCT_MEASURES = new Set('median mode percentile quartile variance deviation pound lb'.split(' '));

const synonymGroups = new Map<string, Set<number>>();
SYNONYM_GROUPS.forEach((group, index) => {
  for (const word of group.split(',').map((form) => form.trim())) {
    if (word.includes(' ')) continue;
    const groups = synonymGroups.get(word) ?? new Set<number>();
    groups.add(index);
    synonymGroups.set(word, groups);
  }
});

const representatives = new Map<string, string>();
for (const group of SYNONYM_GROUPS) {
  const words = group.split(',').map((form) => form.trim());
  for (const word of words) if (!word.includes(' ') && !representatives.has(word)) representatives.set(word, words[0]!);
}

/**
 * The first word of the everyday synonym group `key` (or its singular) is in, for the text the embedder sees: "parcel"
 * and "package" embed alike, so the pair is found and then verified. The alignment still matches words, not these.
 */
export function representativeOf(key: string): string {
  const listed = representatives.get(key);
  if (listed) return listed;
  const singular = key.endsWith('s') ? representatives.get(key.slice(0, -1)) : undefined;
  return singular ? `${singular}s` : key;
}

const inListedGroup = (a: string, b: string) => {
  const groups = synonymGroups.get(a);
  if (!groups) return false;
  for (const group of synonymGroups.get(b) ?? []) if (groups.has(group)) return true;
  return false;
};

/** Singular of a plural noun (or base of a third-person verb); the word itself when it is not one. */
export function numberLemma(word: string, knowledge?: WordKnowledge): string {
  const irregular = IRREGULAR_PLURALS[word];
  if (irregular) return irregular;
  if (word.length <= 3 || !word.endsWith('s') || /(?:ss|us|is)$/.test(word)) return word;
  if (FUNCTION_WORDS.has(word) || PLURALS_OF_THEIR_OWN.has(word)) return word;
  const candidates = [word.slice(0, -1)];
  if (word.endsWith('ies')) candidates.push(`${word.slice(0, -3)}y`);
  if (/(?:s|x|z|ch|sh|o)es$/.test(word)) candidates.push(word.slice(0, -2));
  if (knowledge) return candidates.find((candidate) => knowledge.knows(candidate)) ?? word;
  return word.endsWith('ies') ? candidates[1]! : /(?:x|z|ch|sh)es$/.test(word) ? word.slice(0, -2) : candidates[0]!;
}

/** Optimal string alignment distance, stopping early once it exceeds 1. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return true;
  const rest = (x: number, y: number) => a.slice(x) === b.slice(y);
  if (a.length === b.length) {
    return rest(i + 1, i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(i + 2, i + 2));
  }
  return a.length > b.length ? rest(i + 1, i) : rest(i, i + 1);
}

/** Base forms an -ing form may come from: "getting" → get, "making" → make, "changing" → change, "paying" → pay. */
export function baseFormsOf(gerund: string): string[] {
  if (!gerund.endsWith('ing') || gerund.length < 6) return [];
  const stem = gerund.slice(0, -3);
  const forms = [stem, `${stem}e`];
  if (/([b-df-hj-np-tv-z])\1$/.test(stem) && !/(?:ll|ss|zz|ff)$/.test(stem)) forms.push(stem.slice(0, -1));
  return forms;
}

/** A token written in capitals that ends in a capital S: `HTTPS`, `DNS`, `GPS`. */
const acronymWithS = (token: Token) => /^[A-Z][A-Z0-9]*S$/.test(token.raw) && token.raw.length >= 3;

const isPlainWord = (token: Token) => token.kind === 'word' && /^[a-z][a-z'-]*$/.test(token.key);

/**
 * How `a` matches `b`, or undefined when it does not.
 * @example
 * matchTokens(word('kids'), word('children'), wordnet); // 'synonym'
 */
export function matchTokens(a: Token, b: Token, knowledge?: WordKnowledge): MatchKind | undefined {
  if (a.key === b.key && (a.cased || b.cased)) return a.raw === b.raw ? 'identical' : undefined;
  if (a.key === b.key && (a.kind === b.kind || (a.kind !== 'code' && b.kind !== 'code'))) return 'identical';
  if ((a.gerund && baseFormsOf(a.key).includes(b.key)) || (b.gerund && baseFormsOf(b.key).includes(a.key))) {
    return 'inflection';
  }
  if (!isPlainWord(a) || !isPlainWord(b) || FUNCTION_WORDS.has(a.key) || FUNCTION_WORDS.has(b.key)) return undefined;
  const lemmaA = numberLemma(a.key, knowledge);
  const lemmaB = numberLemma(b.key, knowledge);
  // The S of an acronym written in capitals is a letter of it, not a plural: HTTPS is not HTTP (URLs is URL).
  if (lemmaA === lemmaB) return acronymWithS(a) || acronymWithS(b) ? undefined : 'inflection';
  // One is the other plus a plural ending, yet not its plural: "customs" is not "custom", whatever WordNet pairs.
  if (a.key.startsWith(b.key) || b.key.startsWith(a.key)) return undefined;
  if (inListedGroup(lemmaA, lemmaB) || inListedGroup(a.key, b.key)) return 'synonym';
  if (knowledge) {
    const light = LIGHT_VERBS.has(lemmaA) || LIGHT_VERBS.has(lemmaB);
    const measure = DISTINCT_MEASURES.has(lemmaA) || DISTINCT_MEASURES.has(lemmaB);
    if (
      !light &&
      !measure &&
      (knowledge.synonymsOf(lemmaA)?.includes(lemmaB) || knowledge.synonymsOf(lemmaB)?.includes(lemmaA))
    ) {
      return 'synonym';
    }
    if (isBritishDouble(a.key, b.key, knowledge) || isBritishDouble(b.key, a.key, knowledge)) return 'inflection';
    if (isTypo(a.key, b.key, knowledge) || isTypo(b.key, a.key, knowledge)) return 'typo';
  }
  return undefined;
}

/**
 * "travelling" / "traveling", "cancelled" / "canceled", "fuelling" / "fueling": British spelling doubles the "l" of a
 * verb ending in "l" before "-ing", "-ed" and "-er". Only when the verb with one "l" is a dictionary word and with
 * two is not, so "filling" is never "filing".
 */
function isBritishDouble(doubled: string, single: string, knowledge: WordKnowledge): boolean {
  const match = /^(.+[aeiou])ll(ing|ed|er|ers)$/.exec(doubled);
  if (!match || single !== `${match[1]}l${match[2]}`) return false;
  return knowledge.knows(`${match[1]}l`) && !knowledge.knows(`${match[1]}ll`);
}

/** Endings WordNet's lemmas leave off: a word with one of them is known when its base is. */
const ENDINGS: readonly (readonly [string, string])[] = [
  ['ing', ''],
  ['ing', 'e'],
  ['ed', ''],
  ['ed', 'e'],
  ['es', ''],
  ['s', ''],
  ['er', ''],
  ['est', ''],
  ['ly', ''],
];

/** A dictionary word, possibly inflected ("disconnecting"), or a plural with a meaning of its own. */
function isKnown(word: string, knowledge: WordKnowledge): boolean {
  if (knowledge.knows(word) || PLURALS_OF_THEIR_OWN.has(word) || FUNCTION_WORDS.has(word)) return true;
  return ENDINGS.some(([ending, base]) => {
    if (!word.endsWith(ending) || word.length - ending.length < 3) return false;
    const stem = word.slice(0, -ending.length);
    return knowledge.knows(stem + base) || knowledge.knows(stem.replace(/([b-df-hj-np-tv-z])\1$/, '$1'));
  });
}

/** `slip` is a one-letter slip of `word`: it is no dictionary word, `word` is, and both are long enough to tell. */
function isTypo(slip: string, word: string, knowledge: WordKnowledge): boolean {
  if (slip.length < 4 || word.length < 4 || slip.length > 40) return false;
  return !isKnown(slip, knowledge) && isKnown(word, knowledge) && withinOneEdit(slip, word);
}
