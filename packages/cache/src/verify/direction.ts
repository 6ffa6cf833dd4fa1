/**
 * Direction of a comparison, route or conversion, which a bag of words cannot see: "Is Python faster than Java?"
 * and "Is Java faster than Python?" embed identically. When both texts use the same construction, what follows it
 * must agree: the words after "than", the words after "from", and the unit after "to"/"into"/"in".
 */
import { wordTokens } from '../embedders/tokenize.js';
import { isFiller, stem } from './content-words.js';
import type { Lexicon } from './lexicon.js';

const UNITS = new Set(
  (
    'mile kilometer kilometre km meter metre foot feet ft inch inches yard cm centimeter centimetre millimeter mm ' +
    'gram kilogram kilo kg pound lb lbs ounce oz stone ton tonne liter litre ml milliliter gallon quart pint cup ' +
    'teaspoon tsp tablespoon tbsp celsius fahrenheit kelvin mph kph knot dollar usd euro eur gbp yen rupee peso ' +
    'franc yuan bitcoin byte kb mb gb tb bit second minute hour day week month year acre hectare calorie joule watt'
  ).split(' '),
);

const isUnit = (word: string) =>
  UNITS.has(word) || UNITS.has(word.replace(/s$/, '')) || UNITS.has(word.replace(/es$/, ''));

const BOUNDARY = /[?.!,;:()]/;
const PREPOSITIONS = new Set(['in', 'on', 'at', 'for', 'to', 'into', 'with', 'by', 'of', 'from', 'than', 'and', 'or']);

/** Tokens after each occurrence of `marker`, up to punctuation (or, when `stopAtPreposition`, the next preposition). */
function phraseAfter(text: string, marker: string, stopAtPreposition: boolean): string[] | undefined {
  const lower = text.toLowerCase();
  const match = new RegExp(`\\b${marker}\\b`).exec(lower);
  if (!match) return undefined;
  const rest = lower.slice(match.index + marker.length).split(BOUNDARY)[0] ?? '';
  // "stop the screen from turning off": a gerund after "from" is a consequence, not a starting point.
  if (marker === 'from' && /^\s*[a-z]+ing\b/.test(rest)) return undefined;
  const words: string[] = [];
  for (const token of wordTokens(rest)) {
    if (stopAtPreposition && PREPOSITIONS.has(token) && words.length > 0) break;
    if (/\d/.test(token) || !isFiller(token)) words.push(token);
  }
  return words;
}

function targetUnit(text: string): string | undefined {
  const tokens = wordTokens(text);
  for (let i = 0; i < tokens.length - 1; i++) {
    if (!['to', 'into', 'in'].includes(tokens[i]!)) continue;
    const next = ['a', 'an', 'the'].includes(tokens[i + 1]!) ? tokens[i + 2] : tokens[i + 1];
    if (next !== undefined && isUnit(next)) return next;
  }
  return undefined;
}

/**
 * The objects of a construction agree only when each word has the same stem or a listed synonym on the other side:
 * word vectors put exactly the swapped pairs (tea/coffee, cats/dogs, upload/download) close together.
 */
function agree(a: readonly string[], b: readonly string[], lexicon: Lexicon): boolean {
  const covered = (from: readonly string[], to: readonly string[]) =>
    from.every((word) =>
      /\d/.test(word) ? to.includes(word) : to.some((other) => lexicon.similarity(word, other) >= 1),
    );
  return covered(a, b) && covered(b, a);
}

export interface DirectionDifference {
  construction: 'than' | 'from' | 'to';
  query: string;
  candidate: string;
}

/** The first construction both texts use whose objects differ, or undefined when none does. */
export function compareDirection(query: string, candidate: string, lexicon: Lexicon): DirectionDifference | undefined {
  for (const construction of ['than', 'from'] as const) {
    const a = phraseAfter(query, construction, construction === 'from');
    const b = phraseAfter(candidate, construction, construction === 'from');
    if (a && b && a.length > 0 && b.length > 0 && !agree(a, b, lexicon)) {
      return { construction, query: a.join(' '), candidate: b.join(' ') };
    }
  }
  const a = targetUnit(query);
  const b = targetUnit(candidate);
  if (a && b && stem(a) !== stem(b) && stem(a.replace(/s$/, '')) !== stem(b.replace(/s$/, ''))) {
    return { construction: 'to', query: a, candidate: b };
  }
  return undefined;
}
