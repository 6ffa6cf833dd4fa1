/**
 * Verb constructions that say the same as a plainer one: "where can I find X" → "where is X"; "does the gym open on
 * Sundays" → "is gym open on Sundays" ("close" → "closed"); "do you encrypt my data" → "is data encrypted" and "what
 * methods do you accept" → "what methods is accepted" (the business asked as "you" is the agent a passive leaves out);
 * "make X faster" → "speed up X"; "photos I deleted" → "deleted photos".
 */
import { isPhrase, keyAt, made, phraseAt } from './frame-tokens.js';
import { FUNCTION_WORDS } from './lists/function-words.js';
import type { Token } from './tokens.js';

const FINDING = [
  ['can', 'i', 'find'],
  ['do', 'i', 'find'],
];

/**
 * "where can I find X" → "where is X". ("Why does the moon look bigger" is not "why is the moon bigger": how a thing
 * looks is not how it is, so "look" and "seem" stay.)
 */
function finding(tokens: Token[]): Token[] {
  if (keyAt(tokens, 0) === 'where' && phraseAt(tokens, 1, FINDING) > 0 && tokens.length > 4) {
    return [tokens[0]!, made('is', tokens.slice(1, 4)), ...tokens.slice(4)];
  }
  return tokens;
}

const OPENING: Readonly<Record<string, string>> = { open: 'open', close: 'closed' };

/** "does the gym open on holidays" → "is gym open on holidays"; "does the Louvre close on Tuesdays" → "… closed …". */
function openingHours(tokens: Token[]): Token[] {
  if (keyAt(tokens, 0) !== 'do') return tokens;
  const verb = tokens.findIndex((token, index) => index > 1 && index < 6 && token.key in OPENING);
  if (verb < 0 || !isPhrase(tokens.slice(1, verb), 4)) return tokens;
  const state = made(OPENING[tokens[verb]!.key]!, [tokens[verb]!]);
  return [made('is', [tokens[0]!]), ...tokens.slice(1, verb), state, ...tokens.slice(verb + 1)];
}

/** The past participle of a regular verb: "accept" → "accepted", "encrypt" → "encrypted", "store" → "stored". */
function participle(verb: string): string {
  if (verb.endsWith('e')) return `${verb}d`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ied`;
  return `${verb}ed`;
}

const isVerb = (token: Token | undefined) =>
  token !== undefined && token.kind === 'word' && /^[a-z]{3,}$/.test(token.key) && !FUNCTION_WORDS.has(token.key);

/** "do you encrypt my data" → "is data encrypted"; "what methods do you accept" → "what methods is accepted". */
function passive(tokens: Token[]): Token[] {
  const at = tokens.findIndex((token, index) => token.key === 'do' && keyAt(tokens, index + 1) === 'you');
  if (at < 0 || !isVerb(tokens[at + 2])) return tokens;
  const verb = tokens[at + 2]!;
  const done = made(participle(verb.key), [verb]);
  const frame = tokens.slice(at, at + 2);
  if (at + 3 === tokens.length && at > 0) return [...tokens.slice(0, at), made('is', frame), done];
  const object = tokens.slice(at + 3);
  if (at === 0 && isPhrase(object, 4) && object.every((token) => token.key !== 'you')) {
    return [made('is', frame), ...object, done];
  }
  return tokens;
}

/** "make X faster" → "speed up X". */
function speedUp(tokens: Token[]): Token[] {
  const at = tokens.findIndex((token) => token.key === 'make');
  const faster = tokens.findIndex((token, index) => index > at + 1 && index < at + 5 && token.key === 'faster');
  if (at < 0 || faster < 0 || !isPhrase(tokens.slice(at + 1, faster), 3)) return tokens;
  const frame = [tokens[at]!, tokens[faster]!];
  return [
    ...tokens.slice(0, at),
    made('speed', frame),
    made('up', frame),
    ...tokens.slice(at + 1, faster),
    ...tokens.slice(faster + 1),
  ];
}

/** "photos I deleted" at the end of a clause → "deleted photos": the speaker's own past act, said before the noun. */
function ownPastActs(tokens: Token[]): Token[] {
  const n = tokens.length;
  if (n < 4 || keyAt(tokens, n - 2) !== 'i' || !/^[a-z]{3,}ed$/.test(keyAt(tokens, n - 1) ?? '')) return tokens;
  if (!isVerb(tokens[n - 3])) return tokens;
  return [...tokens.slice(0, n - 3), made(tokens[n - 1]!.key, tokens.slice(n - 2)), tokens[n - 3]!];
}

/** One clause with the verb constructions above in their plainer form. */
export function verbForms(tokens: Token[]): Token[] {
  return ownPastActs(speedUp(passive(openingHours(finding(tokens)))));
}
