/** What the framing rules share: looking up keys and phrases in a clause, and making tokens that stand for a phrase. */
import type { Token } from './tokens.js';

export const QUESTION_WORDS: ReadonlySet<string> = new Set([
  'what',
  'where',
  'when',
  'why',
  'who',
  'whom',
  'whose',
  'which',
  'how',
  'whether',
]);

export const AUXILIARIES: ReadonlySet<string> = new Set(
  'do did is was have had can could will would should may might must shall'.split(' '),
);

export const phrases = (list: string): string[][] => list.split('|').map((phrase) => phrase.trim().split(' '));

export const keyAt = (tokens: readonly Token[], index: number): string | undefined => tokens[index]?.key;

/** Length of the first phrase that starts at `index`, or 0. */
export function phraseAt(tokens: readonly Token[], index: number, list: readonly string[][]): number {
  for (const phrase of list)
    if (phrase.every((part, offset) => keyAt(tokens, index + offset) === part)) return phrase.length;
  return 0;
}

/** A word standing for the phrase `from` was written as (its text, shown when the alignment fails). */
export function made(key: string, from: readonly Token[]): Token {
  const raws = from.map((token) => token.raw).filter((raw, index, all) => index === 0 || all[index - 1] !== raw);
  return { key, raw: raws.join(' '), kind: 'word' };
}

const isPlain = (token: Token | undefined) => token !== undefined && token.kind !== 'break';
/** A noun phrase the rules may move: one to `max` tokens, no auxiliary, no question word. */
export const isPhrase = (tokens: readonly Token[], max: number) =>
  tokens.length > 0 &&
  tokens.length <= max &&
  tokens.every((token) => isPlain(token) && !AUXILIARIES.has(token.key) && !QUESTION_WORDS.has(token.key));
