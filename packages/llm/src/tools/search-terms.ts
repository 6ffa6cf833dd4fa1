/**
 * Terms for lexical tool search, the same for tools and requests: words split at punctuation and case changes,
 * lowercased, function words dropped (they match every description and say nothing about the tool), and inflections
 * folded to one stem by a few suffix rules (`messages`, `messaging`, `message` → `messag`; `shipped` → `ship`;
 * `replies` → `reply`), so a request need not use the tool's own word form. Scoring stays BM25+ (minisearch).
 */

const STOP_WORDS = new Set(
  (
    'a an the and or but if then so of to in on at by for from with about into over under up down out off as is are was ' +
    'were be been being am do does did doing have has had having i me my mine we us our ours you your yours he him his ' +
    'she her hers it its they them their this that these those there here what which who whom whose when where why how ' +
    'can could would should will shall may might must not no yes please just some any all each every also too very ' +
    'than get give tell show let make want need like know'
  ).split(' '),
);

/** Words that look inflected but are not. */
const KEEP = new Set(['news', 'series', 'species', 'always', 'analysis', 'address', 'status', 'bus', 'gas', 'yes']);

const VOWEL = /[aeiouy]/;

/** Drops `suffix` when what is left still has a vowel (`sing` and `spring` keep their `ing`). */
function strip(word: string, suffix: string): string | undefined {
  if (!word.endsWith(suffix)) return undefined;
  const rest = word.slice(0, -suffix.length);
  return rest.length >= 2 && VOWEL.test(rest) ? rest : undefined;
}

/** `sending` → `send`, `stopped` → `stop`, `replies` → `reply`, `schedule`/`scheduled` → `schedul`. */
export function stem(word: string): string {
  if (word.length <= 3 || KEEP.has(word) || /\d/.test(word)) return word;
  let stemmed = word;
  if (/(ies|ied)$/.test(stemmed) && stemmed.length > 4) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (/(ss|us|is)$/.test(stemmed)) return stemmed;
  else if (stemmed.endsWith('s')) stemmed = stemmed.slice(0, -1);
  const bare = strip(stemmed, 'ing') ?? (stemmed.endsWith('eed') ? undefined : strip(stemmed, 'ed'));
  if (bare !== undefined) {
    stemmed = bare;
    if (/([^aeiouls])\1$/.test(stemmed) && stemmed.length > 3) stemmed = stemmed.slice(0, -1);
  }
  if (stemmed.endsWith('e') && stemmed.length > 3) stemmed = stemmed.slice(0, -1);
  return stemmed;
}

/** Splits text into raw words: at anything not a letter or digit, and between a lowercase letter and a capital. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** One raw word as an index term, or null when it is a function word. */
export function searchTerm(word: string): string | null {
  const lower = word.toLowerCase();
  if (STOP_WORDS.has(lower)) return null;
  return stem(lower);
}
