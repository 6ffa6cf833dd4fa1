/**
 * Terms for lexical tool search, the same for tools and requests: words split at punctuation and case changes,
 * lowercased, function words dropped (they match every description and say nothing about the tool), and inflections
 * folded to one stem by Porter's stemmer (`messages`, `messaging`, `message` → `messag`; `shipped` → `ship`), so a
 * request need not use the tool's own word form. Scoring stays BM25+ (minisearch).
 */
import { stemmer } from 'stemmer';

const STOP_WORDS = new Set(
  (
    'a an the and or but if then so of to in on at by for from with about into over under up down out off as is are was ' +
    'were be been being am do does did doing have has had having i me my mine we us our ours you your yours he him his ' +
    'she her hers it its they them their this that these those there here what which who whom whose when where why how ' +
    'can could would should will shall may might must not no yes please just some any all each every also too very ' +
    'than get give tell show let make want need like know'
  ).split(' '),
);

/** The accents of Latin letters once decomposed (NFD); other scripts' marks are parts of their letters and stay. */
const COMBINING_MARKS = /(?<=[a-z])\p{M}+/gu;

/** Porter's stem (`stemmer`), for words without digits: `messages`, `messaging` → `messag`; `shipped` → `ship`. */
export function stem(word: string): string {
  return /\d/.test(word) ? word : stemmer(word);
}

/**
 * Splits text into raw words: at anything not a letter or digit, and between a lowercase letter and a capital. Latin
 * letters' accents are folded (`café` → `cafe`), since requests are typed with and without them.
 */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .normalize('NFC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** One raw word as an index term, or null when it is a function word. */
export function searchTerm(word: string): string | null {
  const lower = word.toLowerCase();
  if (STOP_WORDS.has(lower)) return null;
  return stem(lower);
}

/** The index terms of `text`, each once: what the index matches a request by. */
export function searchTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of splitWords(text)) {
    const term = searchTerm(word);
    if (term !== null) terms.add(term);
  }
  return terms;
}
