/**
 * The words of a question that carry its content. Function words, question frames ("can you tell me", "how do I")
 * and pleasantries ("hi team", "thanks in advance") are dropped; numbers, negations and question words are left to
 * their own checks. `stem` strips common English inflections so "closures" meets "closure" and "cheapest" "cheap".
 */
import { wordTokens } from '../embedders/tokenize.js';

const FILLER = new Set(
  (
    'a an the this that these those my your our their his her its me you we they i it he she them us mine yours ' +
    'myself yourself one ones is are was were be been being am do does did done doing have has had having can could ' +
    'would should will shall may might must of in on at for from to into onto with without by about as than then ' +
    'so and or but if whether because while when what which who whom whose why where how there here also just ' +
    'really very quite too some any all each every other another such same own more most much many lot lots ' +
    'please pls kindly thanks thank thx hi hello hey dear sorry excuse bother wondering wonder curious question ' +
    'quick okay ok alright tell explain describe show give help teach let know want need like love go going way ' +
    'ways possible able something someone anything anyone everything thing things get getting got make making ' +
    'take use see look find keep put summarize summarise list suggest recommend step steps instructions guide ' +
    'usually typically actually currently still yet already ever even again best good better simply exactly ' +
    "hmm um well yes no not never none nor cannot unable n't using used uses gets makes made takes took goes went " +
    'gone looking finding found keeping kept knows tells offer offers provide provides between through before ' +
    'after during within across around via per up'
  ).split(/\s+/),
);

/** Multi-word verbs and question frames rewritten into one word, so "turn on" meets "enable". */
const PHRASES: [RegExp, string][] = [
  [/\b(?:turn|switch)(?:s|ed|ing)?\s+on\b/gi, 'enable'],
  [/\b(?:turn|switch)(?:s|ed|ing)?\s+off\b/gi, 'disable'],
  [/\bget(?:s|ting)?\s+rid\s+of\b/gi, 'remove'],
  [/\b(?:get|getting|got)\s+in\s+touch\s+with\b/gi, 'contact'],
  [/\breach(?:es|ing)?\s+out\s+to\b/gi, 'contact'],
  [/\b(?:log|sign)(?:s|ged|ging|ed|ing)?\s+(?:in(?:to)?|on(?:to)?)\b/gi, 'login'],
  [/\b(?:log|sign)(?:s|ged|ging|ed|ing)?\s+out\b/gi, 'logout'],
  [/\bset(?:s|ting)?\s+up\b/gi, 'setup'],
  [/\bback(?:s|ing|ed)?\s+up\b/gi, 'backup'],
  [/\bwalk\s+me\s+through\b/gi, 'explain'],
  [/\bhow\s+much\s+(?=(?:is|are|does|do|did|will|would|for|to)\b)/gi, 'price '],
  [/\bhow\s+(?:long|many|much)\b/gi, 'how'],
];

/**
 * Rewrites multi-word verbs (turn on, get rid of, log in, set up) into single words, "how much is/does" into "price",
 * and drops "long"/"many"/"much" from "how long"-style frames (the question word is the polarity check's concern).
 */
export function normalizePhrases(text: string): string {
  let result = text;
  for (const [pattern, replacement] of PHRASES) result = result.replace(pattern, replacement);
  return result;
}

const PLEASANTRIES = [
  /^\s*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening|day))\b(?:\s+(?:team|there|all|folks|everyone|support))?[\s,!.:-]*/i,
  /^\s*(?:sorry\s+to\s+bother\s+you|excuse\s+me|sorry|quick\s+question|question)\s*[,:!.-]+\s*/i,
  /\b(?:i\s+was\s+wondering|i\s+wonder|i(?:'d|\s+would)\s+(?:like|love)\s+to\s+know)\b\s*/i,
  /\b(?:could|can|would)\s+you\s+(?:please\s+|kindly\s+)?(?:tell|show)\s+me\b\s*/i,
  /(?:^|[\s,])(?:please|kindly)\b[\s,]*/gi,
  /[\s,.!-]*\b(?:thanks|thank\s+you)(?:\s+(?:so\s+much|in\s+advance|a\s+lot))?[\s.!]*$/i,
  /^\s*(?:thanks|thank\s+you)(?:\s+(?:so\s+much|in\s+advance|a\s+lot))?[\s,.!-]+/i,
];

/** Removes greetings, thanks, "please" and "could you tell me"-style frames: they never change the answer. */
export function stripPleasantries(text: string): string {
  let result = text;
  for (const pattern of PLEASANTRIES) result = result.replace(pattern, ' ');
  return result.trim();
}

/** True for a word that needs no counterpart: a function word, question frame or pleasantry. */
export function isFiller(word: string): boolean {
  return FILLER.has(word);
}

/** Lowercase content tokens of `text`, in order, without numbers, contractions or filler. */
export function contentWords(text: string): string[] {
  return wordTokens(normalizePhrases(stripPleasantries(text))).filter(
    (token) => /^[a-z]/.test(token) && !/\d/.test(token) && token.length > 1 && !FILLER.has(token),
  );
}

/** All word tokens (filler included) of `text`: the counterparts a content word may find. */
export function allWords(text: string): string[] {
  return wordTokens(normalizePhrases(text)).filter((token) => /^[a-z]/.test(token));
}

/** A light English stemmer: plural, past, gerund and adverb endings (comparatives are left to word vectors). */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/'s$/, '');
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/[bp]ly$/.test(w)) w = `${w.slice(0, -1)}e`;
  for (const suffix of ['ingly', 'edly', 'ing', 'ed', 'ly', 'es', 's']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      if (suffix === 's' && w.endsWith('ss')) break;
      w = w.slice(0, -suffix.length);
      if (/([b-df-hj-np-tv-z])\1$/.test(w) && !/(ll|ss|ff|zz)$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  return w.endsWith('e') && w.length > 4 ? w.slice(0, -1) : w;
}
