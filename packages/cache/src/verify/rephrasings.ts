/**
 * Questions that ask the same thing in another construction, rewritten into one: "what does X mean" and "what is the
 * meaning of X" → "what is X"; "who is the author of X" → "who wrote X"; "what is the cause of X" → "what causes X";
 * "what benefits does X have" → "what is benefits of X"; "how many N does X have" → "how many N is in X"; "how would I
 * go about changing X", "walk me through changing X", "what is the procedure for changing X" → "how do I change X";
 * "why is it that X" → "why X"; "do you offer X" → "is there X"; "why does X look Y" → "why is X Y"; "where can I
 * find X" → "where is X"; and "with" for "using", "to" for "into" after a
 * verb of conversion. Each rule reads a bounded stretch of one clause (the framing has already put "how can I" and
 * agreement forms into one form), so a clause is rewritten in linear time.
 */
import { AUXILIARIES, keyAt, made, phraseAt, phrases, QUESTION_WORDS } from './frame-tokens.js';
import { FUNCTION_WORDS } from './lists/function-words.js';
import { baseFormsOf } from './token-match.js';
import type { Token } from './tokens.js';

const PRONOUNS = new Set(['it', 'this', 'that', 'these', 'those', 'they', 'them', 'he', 'she', 'you', 'i', 'we']);

/** Agent nouns and the verb that names what the agent did. */
const AGENTS: Readonly<Record<string, string>> = {
  author: 'wrote',
  writer: 'wrote',
  inventor: 'invented',
  discoverer: 'discovered',
  founder: 'founded',
  creator: 'created',
  composer: 'composed',
  painter: 'painted',
  director: 'directed',
  designer: 'designed',
};

const isPlain = (token: Token | undefined) => token !== undefined && token.kind !== 'break';
/** A noun phrase the rules may move: one to `max` tokens, no auxiliary, no question word. */
const isPhrase = (tokens: readonly Token[], max: number) =>
  tokens.length > 0 &&
  tokens.length <= max &&
  tokens.every((token) => isPlain(token) && !AUXILIARIES.has(token.key) && !QUESTION_WORDS.has(token.key));
const isTopic = (tokens: readonly Token[]) =>
  isPhrase(tokens, 8) && !(tokens.length === 1 && PRONOUNS.has(tokens[0]!.key));

/** "what does X mean", "what is meaning of X", "what is definition of X" → "what is X". */
function meaning(tokens: Token[]): Token[] {
  if (keyAt(tokens, 0) !== 'what') return tokens;
  if (keyAt(tokens, 1) === 'do' && keyAt(tokens, tokens.length - 1) === 'mean') {
    const topic = tokens.slice(2, -1);
    if (isTopic(topic)) return [tokens[0]!, made('is', tokens.slice(1, 2)), ...topic];
  }
  const defined = keyAt(tokens, 2);
  if (keyAt(tokens, 1) === 'is' && (defined === 'meaning' || defined === 'definition') && keyAt(tokens, 3) === 'of') {
    const topic = tokens.slice(4);
    if (isTopic(topic)) return [tokens[0]!, tokens[1]!, ...topic];
  }
  return tokens;
}

/** "who is author of X" → "who wrote X"; "what is cause of X" → "what causes X". */
function agentAndCause(tokens: Token[]): Token[] {
  const [first, be, noun, of] = [keyAt(tokens, 0), keyAt(tokens, 1), keyAt(tokens, 2), keyAt(tokens, 3)];
  if ((be !== 'is' && be !== 'was') || of !== 'of' || !isTopic(tokens.slice(4))) return tokens;
  const verb = first === 'who' ? AGENTS[noun ?? ''] : first === 'what' && noun === 'cause' ? 'causes' : undefined;
  return verb ? [tokens[0]!, made(verb, tokens.slice(1, 4)), ...tokens.slice(4)] : tokens;
}

/** "what N do X have" → "what is N of X"; "how many N do X have" → "how many N is in X". */
function possession(tokens: Token[]): Token[] {
  if (keyAt(tokens, tokens.length - 1) !== 'have') return tokens;
  const opening = keyAt(tokens, 0) === 'how' && keyAt(tokens, 1) === 'many' ? 2 : keyAt(tokens, 0) === 'what' ? 1 : 0;
  if (opening === 0) return tokens;
  const auxiliary = tokens.findIndex((token, index) => index > opening && token.key === 'do');
  if (auxiliary < 0) return tokens;
  const noun = tokens.slice(opening, auxiliary);
  const owner = tokens.slice(auxiliary + 1, -1);
  if (!isPhrase(noun, 3) || noun.some((token) => FUNCTION_WORDS.has(token.key)) || !isTopic(owner)) return tokens;
  const frame = tokens.slice(auxiliary);
  if (opening === 2) return [...tokens.slice(0, 2), ...noun, made('is', frame), made('in', frame), ...owner];
  return [tokens[0]!, made('is', frame), ...noun, made('of', frame), ...owner];
}

const GERUND_FRAMES = phrases(
  'how do i go about | walk me through | talk me through | what is procedure for | what is process for | ' +
    'what is method for | what is steps for | what is best way of',
);

/** "how do I go about changing X", "walk me through changing X" → "how do I change X". */
function gerundFrame(tokens: Token[]): Token[] {
  const frame = phraseAt(tokens, 0, GERUND_FRAMES);
  const verb = tokens[frame];
  if (frame === 0 || verb === undefined || verb.kind !== 'word' || baseFormsOf(verb.key).length === 0) return tokens;
  const opening = tokens.slice(0, frame);
  return [
    made('how', opening),
    made('do', opening),
    made('i', opening),
    { ...verb, gerund: true },
    ...tokens.slice(frame + 1),
  ];
}

const COPULAS = new Set(['look', 'seem', 'appear']);

/** "why does the sky look blue" → "why is sky blue"; "where can I find X" → "where is X". */
function copulas(tokens: Token[]): Token[] {
  const first = keyAt(tokens, 0);
  if ((first === 'why' || first === 'how') && keyAt(tokens, 1) === 'do') {
    const verb = tokens.findIndex((token, index) => index > 2 && index < 7 && COPULAS.has(numberless(token.key)));
    if (verb > 0 && isPhrase(tokens.slice(2, verb), 4) && verb < tokens.length - 1) {
      return [tokens[0]!, made('is', [tokens[1]!, tokens[verb]!]), ...tokens.slice(2, verb), ...tokens.slice(verb + 1)];
    }
  }
  if (
    first === 'where' &&
    phraseAt(tokens, 1, [
      ['can', 'i', 'find'],
      ['do', 'i', 'find'],
    ]) > 0 &&
    tokens.length > 4
  ) {
    return [tokens[0]!, made('is', tokens.slice(1, 4)), ...tokens.slice(4)];
  }
  return tokens;
}

const numberless = (key: string) => (key.endsWith('s') ? key.slice(0, -1) : key);

/** "why is it that X" → "why X"; "do you offer X" → "is there X". */
function emptyFrames(tokens: Token[]): Token[] {
  if (QUESTION_WORDS.has(keyAt(tokens, 0) ?? '') && phraseAt(tokens, 1, [['is', 'it', 'that']]) > 0) {
    return tokens.length > 4 ? [tokens[0]!, ...tokens.slice(4)] : tokens;
  }
  if (phraseAt(tokens, 0, [['do', 'you', 'offer']]) > 0 && tokens.length > 3) {
    const frame = tokens.slice(0, 3);
    return [made('is', frame), made('there', frame), ...tokens.slice(3)];
  }
  return tokens;
}

const CONVERTING = new Set(['convert', 'change', 'turn', 'translate', 'switch', 'transform', 'cast', 'parse']);
/** Verbs after which "from" before an -ing form adds nothing: "stop my dog from barking" is "stop my dog barking". */
const PREVENTING = new Set(['stop', 'prevent', 'keep']);

/** "using X" after a verb's object → "with X"; "into" after a verb of conversion → "to"; "stop X from V-ing" → "stop X V-ing". */
function prepositions(tokens: Token[]): Token[] {
  return tokens.flatMap((token, index) => {
    const before = tokens.slice(Math.max(0, index - 4), index);
    const previous = tokens[index - 1];
    if (
      token.key === 'using' &&
      previous?.kind === 'word' &&
      !FUNCTION_WORDS.has(previous.key) &&
      tokens[index + 1] !== undefined
    ) {
      return [made('with', [token])];
    }
    if (token.key === 'into' && before.some((word) => CONVERTING.has(word.key))) return [made('to', [token])];
    if (
      token.key === 'from' &&
      before.some((word) => PREVENTING.has(word.key)) &&
      tokens[index + 1]?.key.endsWith('ing') === true
    ) {
      return [];
    }
    return [token];
  });
}

/** One clause with the constructions above in one form. */
export function rephrase(tokens: Token[]): Token[] {
  return prepositions(copulas(possession(agentAndCause(meaning(gerundFrame(emptyFrames(tokens)))))));
}
