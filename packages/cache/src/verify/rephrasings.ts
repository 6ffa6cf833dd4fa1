/**
 * Questions that ask the same thing in another construction, rewritten into one: "what does X mean" → "what is the
 * meaning of X"; "who is the author of X" → "who wrote X"; "what is the cause of X" → "what causes X";
 * "what benefits does X have" → "what is benefits of X"; "how many N does X have" and "how many N in X" → "how many N
 * is in X"; "how would I go about changing X", "walk me through changing X", "what is the procedure for changing X" →
 * "how do I change X";
 * "why is it that X" → "why X"; "do you offer X" → "is there X"; "which N" → "what N"; "X's Y" → "Y of X"; "how is
 * X different from Y" → "what is difference between X and Y"; and "with" for "using", "to" for "into" after a verb
 * of conversion. Each rule reads a bounded stretch of one clause (the framing has already put "how can I" and
 * agreement forms into one form), so a clause is rewritten in linear time.
 */
import { equivalentForms } from './equivalent-forms.js';
import { isPhrase, keyAt, made, phraseAt, phrases, QUESTION_WORDS } from './frame-tokens.js';
import { FUNCTION_WORDS } from './lists/function-words.js';
import { baseFormsOf } from './token-match.js';
import type { Token } from './tokens.js';
import { verbForms } from './verb-forms.js';

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
  designer: 'designed',
};

const isTopic = (tokens: readonly Token[]) =>
  isPhrase(tokens, 8) && !(tokens.length === 1 && PRONOUNS.has(tokens[0]!.key));

/**
 * "what does X mean" → "what is meaning of X", as "what is the meaning of X" and "what is the definition of X" read
 * (meaning and definition are listed synonyms). Not "what is X": "what does my credit score mean" asks to interpret a
 * value that "what is my credit score" asks for.
 */
function meaning(tokens: Token[]): Token[] {
  if (keyAt(tokens, 0) !== 'what' || keyAt(tokens, 1) !== 'do' || keyAt(tokens, tokens.length - 1) !== 'mean') {
    return tokens;
  }
  const topic = tokens.slice(2, -1);
  if (!isTopic(topic)) return tokens;
  const frame = [tokens[1]!, tokens[tokens.length - 1]!];
  return [tokens[0]!, made('is', frame), made('meaning', frame), made('of', frame), ...topic];
}

/** "who is author of X" → "who wrote X"; "what is cause of X", "what are causes of X" → "what causes X". */
function agentAndCause(tokens: Token[]): Token[] {
  const [first, be, noun, of] = [keyAt(tokens, 0), keyAt(tokens, 1), keyAt(tokens, 2), keyAt(tokens, 3)];
  if ((be !== 'is' && be !== 'was') || of !== 'of' || !isTopic(tokens.slice(4))) return tokens;
  // "What was the cause of death" is not "what causes death": only the present says the same ("are" reads "is").
  const cause = first === 'what' && (noun === 'cause' || noun === 'causes') && be === 'is';
  const verb = first === 'who' ? AGENTS[noun ?? ''] : cause ? 'causes' : undefined;
  return verb ? [tokens[0]!, made(verb, tokens.slice(1, 4)), ...tokens.slice(4)] : tokens;
}

/**
 * "how many N in X" → "how many N is in X", the form "how many N are in X" and "how many N does X have" take: a
 * question that leaves out its verb asks the same ("how many minutes in a day").
 */
function howManyIn(tokens: Token[]): Token[] {
  if (keyAt(tokens, 0) !== 'how' || keyAt(tokens, 1) !== 'many') return tokens;
  const at = tokens.findIndex((token, index) => index > 2 && token.key === 'in');
  if (at < 0 || at > 5) return tokens;
  const noun = tokens.slice(2, at);
  if (noun.some((token) => token.kind !== 'word' || FUNCTION_WORDS.has(token.key)) || !isTopic(tokens.slice(at + 1))) {
    return tokens;
  }
  return [...tokens.slice(0, at), made('is', tokens.slice(at, at + 1)), ...tokens.slice(at)];
}

/** Verbs whose object a "what N do X V" question names as "the N of X": "what symptoms does the flu cause". */
const OWNING = new Set(['have', 'cause']);

/** "what N do X have|cause" → "what is N of X"; "how many N do X have" → "how many N is in X". */
function possession(tokens: Token[]): Token[] {
  const verb = keyAt(tokens, tokens.length - 1);
  if (!OWNING.has(verb ?? '')) return tokens;
  const opening = keyAt(tokens, 0) === 'how' && keyAt(tokens, 1) === 'many' ? 2 : keyAt(tokens, 0) === 'what' ? 1 : 0;
  if (opening === 0 || (opening === 2 && verb !== 'have')) return tokens;
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

const PARTICLES = new Set(['up', 'out', 'off', 'on', 'in', 'down']);

/** "how do I go about changing X", "walk me through changing X" → "how do I change X". */
function gerundFrame(tokens: Token[]): Token[] {
  const frame = phraseAt(tokens, 0, GERUND_FRAMES);
  const verb = tokens[frame];
  if (frame === 0 || verb === undefined || verb.kind !== 'word' || baseFormsOf(verb.key).length === 0) return tokens;
  const opening = tokens.slice(0, frame);
  const how = [made('how', opening), made('do', opening), made('i', opening)];
  // "setting up" → "setup", as "set up" is written in one word.
  const particle = tokens[frame + 1];
  if (particle !== undefined && PARTICLES.has(particle.key)) {
    for (const base of baseFormsOf(verb.key)) {
      const joined = equivalentForms(`${base} ${particle.key}`);
      if (joined.length === 1) {
        return [...how, { ...joined[0]!, raw: `${verb.raw} ${particle.raw}` }, ...tokens.slice(frame + 2)];
      }
    }
  }
  return [...how, { ...verb, gerund: true }, ...tokens.slice(frame + 1)];
}

/**
 * "which city is the capital of X" → "what is capital of X" (the answer is a city either way); "which payment methods"
 * → "what payment methods" ("which" and "what" before a noun ask the same); "how is X different from Y" → "what is
 * difference between X and Y"; "how many people live in X" → "what is population of X"; "is it safe to V" → "can I
 * safely V".
 */
function questionWords(tokens: Token[]): Token[] {
  const first = keyAt(tokens, 0);
  if (first === 'which' && tokens[1]?.kind === 'word' && !FUNCTION_WORDS.has(tokens[1].key)) {
    if (keyAt(tokens, 2) === 'is' && keyAt(tokens, 4) === 'of' && tokens[3]?.kind === 'word' && tokens.length > 5) {
      return [made('what', tokens.slice(0, 2)), ...tokens.slice(2)];
    }
    return [made('what', [tokens[0]!]), ...tokens.slice(1)];
  }
  if (first === 'how' && keyAt(tokens, 1) === 'is') {
    const different = tokens.findIndex((token) => token.key === 'different');
    const subject = tokens.slice(2, different);
    const other = tokens.slice(different + 2);
    if (different > 2 && keyAt(tokens, different + 1) === 'from' && isTopic(subject) && isTopic(other)) {
      const frame = tokens.slice(0, 2);
      const joiner = tokens.slice(different, different + 2);
      return [
        made('what', frame),
        made('is', frame),
        made('difference', joiner),
        made('between', joiner),
        ...subject,
        made('and', joiner),
        ...other,
      ];
    }
  }
  if (phraseAt(tokens, 0, [['how', 'many', 'people', 'live', 'in']]) > 0 && isTopic(tokens.slice(5))) {
    const frame = tokens.slice(0, 5);
    return [made('what', frame), made('is', frame), made('population', frame), made('of', frame), ...tokens.slice(5)];
  }
  if (phraseAt(tokens, 0, [['is', 'it', 'safe', 'to']]) > 0 && tokens[4]?.kind === 'word') {
    const frame = tokens.slice(0, 4);
    return [made('can', frame), made('i', frame), made('safely', frame), ...tokens.slice(4)];
  }
  return tokens;
}

/** "Australia's capital" → "capital of Australia": a possessive names what follows it as "the N of X". */
function possessives(tokens: Token[]): Token[] {
  const at = tokens.findIndex((token, index) => token.key === "'s" && index > 0);
  if (at < 0) return tokens;
  const owner = tokens[at - 1]!;
  let end = at + 1;
  while (end < tokens.length && end < at + 3 && tokens[end]!.kind === 'word' && !FUNCTION_WORDS.has(tokens[end]!.key)) {
    end++;
  }
  if (end === at + 1 || owner.kind !== 'word' || FUNCTION_WORDS.has(owner.key)) return tokens;
  const owned = tokens.slice(at + 1, end);
  return [...tokens.slice(0, at - 1), ...owned, made('of', [tokens[at]!]), owner, ...possessives(tokens.slice(end))];
}

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

/** Nouns of a price, after which "for" says what "of" says: "the fee for a renewal" is "the cost of a renewal". */
const PRICES = new Set(['price', 'cost', 'fee', 'charge', 'prices', 'costs', 'fees', 'charges']);

const CONVERTING = new Set(['convert', 'change', 'turn', 'translate', 'switch', 'transform', 'cast', 'parse']);
/** Verbs after which "from" before an -ing form adds nothing: "stop my dog from barking" is "stop my dog barking". */
const PREVENTING = new Set(['stop', 'prevent', 'keep']);

/** A name that ends the clause ("… in Git", "… with Excel"): a tool the task is done in, whichever preposition says so. */
const isToolName = (tokens: readonly Token[], index: number) =>
  index === tokens.length - 1 && tokens[index]!.kind === 'word' && /^\p{Lu}/u.test(tokens[index]!.raw);

/**
 * "with X" / "using X" for a tool named at the end (or a clause of its own: "Using X, …") → "in X"; "using X" after a
 * verb's object → "with X"; "into" after a verb of conversion → "to"; "for" after a price → "of"; "stop X from V-ing"
 * → "stop X V-ing".
 */
function prepositions(tokens: Token[]): Token[] {
  return tokens.flatMap((token, index) => {
    const before = tokens.slice(Math.max(0, index - 4), index);
    const previous = tokens[index - 1];
    const using = token.key === 'using' && previous?.kind === 'word' && !FUNCTION_WORDS.has(previous.key);
    // A clause of its own, "Using Jest, write a test": the tool the rest is done in, as "… in Jest" is.
    const leading = token.key === 'using' && index === 0;
    if ((using || leading || token.key === 'with') && isToolName(tokens, index + 1)) return [made('in', [token])];
    if (using && tokens[index + 1] !== undefined) return [made('with', [token])];
    if (token.key === 'into' && before.some((word) => CONVERTING.has(word.key))) return [made('to', [token])];
    if (token.key === 'for' && previous !== undefined && PRICES.has(previous.key)) return [made('of', [token])];
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
  const rewritten = howManyIn(
    possession(agentAndCause(meaning(gerundFrame(emptyFrames(questionWords(possessives(tokens))))))),
  );
  return prepositions(verbForms(rewritten));
}
