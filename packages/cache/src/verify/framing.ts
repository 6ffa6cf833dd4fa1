/**
 * The short, listed set of words that carry nothing in a question, and the question frames that say the same thing
 * in other words. Left out: articles, "please", greetings and thanks ("hi team", "thanks in advance"), openers ("quick
 * question", "sorry to bother you"). Rewritten into one form: "can you tell me", "I want to know", "I was wondering"
 * before a question word (dropped) or a noun phrase ("what is"); "could you explain X" → "explain X"; "how can I",
 * "how should I", "how to" → "how do I"; "is it possible to", "am I able to" → "can I". Works on the tokens of one
 * clause; each rule looks at a bounded number of tokens, so the pass is linear.
 */
import { AUXILIARIES, keyAt, made, phraseAt, phrases, QUESTION_WORDS } from './frame-tokens.js';
import { FUNCTION_WORDS } from './lists/function-words.js';
import { rephrase } from './rephrasings.js';
import type { Token } from './tokens.js';

/** Words that carry nothing anywhere in a question, "usually" and its kin among them ("where do penguins usually live"). */
const DROPPED_ANYWHERE = new Set([
  'the',
  'please',
  'kindly',
  'actually',
  'usually',
  'typically',
  'normally',
  'generally',
]);

const OPENERS = phrases(
  'hi there | hi team | hi all | hi everyone | hi folks | hi guys | hello there | hello team | hello all | ' +
    'hello everyone | hey there | hey team | hey all | hey guys | hi | hello | hey | greetings | howdy | dear team | ' +
    'good morning | good afternoon | good evening | good day | thanks in advance | thank you in advance | ' +
    'thanks so much | thank you so much | thanks a lot | thank you | thanks | quick question | question | ' +
    'sorry to bother you | sorry for bothering you | excuse me | sorry | ok | okay | alright | so | um | hmm | anyway | ' +
    'yo | morning | dear support | just curious | quick one | basically | but | ok so | so basically',
);
/** Clauses that only announce a question ("I have a question.", "Help please!!"). */
const ANNOUNCEMENTS = phrases(
  'help | i need help | i need some help | i have question | i have quick question | kind regards | best regards | ' +
    'regards | cheers | best wishes | many thanks | much appreciated | thanks | thank you | thank you very much',
);
const CLOSERS = phrases(
  'thanks in advance | thank you in advance | thanks so much | thanks a lot | thank you | thanks',
);
const ASKING = phrases(
  'can you tell me | could you tell me | would you tell me | will you tell me | tell me | can you let me know | ' +
    'could you let me know | let me know | i want to know | i would like to know | i would love to know | ' +
    'i need to know | i is wondering | i was wondering | i wonder | do you know | any idea | i is curious | ' +
    'i was curious | would you mind telling me | do you mind telling me',
);
const SHOWING = phrases('can you show me | could you show me | would you show me | show me');
/** Requests whose object is what a "what is" question asks for ("explain the refund policy"). */
const REQUESTING = phrases(
  'explain | describe | list | give me | share | name | tell me | show me | suggest | recommend | define | ' +
    'explain to me | describe to me | summarize | summarise | outline',
);
/** Requests for instructions, the same as "how do I …". */
const INSTRUCTING = phrases(
  'teach me to | teach me how to | show me how to | help me | what is steps to | what is way to | explain how to | ' +
    'what is best way to | what is method to | what is best method to | what do i do to | what should i do to',
);
const RECOMMENDING = new Set(['recommend', 'suggest']);
const GOOD = new Set(['good', 'best']);
const POLITE_REQUEST = phrases('can you | could you | would you | will you');
const HOW_I = phrases(
  'how do i | how can i | how could i | how would i | how should i | how might i | how may i | how do we | ' +
    'how can we | how should we | how do one | how can one | how do you | how can you | how to | is there way to | ' +
    'is there any way to',
);
/** "where to find X" asks "where do I find X"; so do "what to", "when to", "which to" and "who to". */
const WH_TO = phrases('where to | what to | when to | which to | who to | whom to');
const CAN_I = phrases(
  'is it possible to | would it be possible to | is it possible for me to | am i able to | i is able to | ' +
    'is it ok to | is it okay to | would it be ok to | would it be okay to',
);

/** Verbs the function-word list holds that can follow "teach me how to". */
const LIGHT_VERBS = new Set(['do', 'have', 'be']);

const isContentWord = (token: Token | undefined) =>
  token !== undefined && token.kind === 'word' && !FUNCTION_WORDS.has(token.key);

/** Removes openers and rewrites the asking frame at the start of a clause. */
function frameStart(tokens: Token[]): Token[] {
  let rest = tokens;
  for (let guard = 0; guard < 8; guard++) {
    const opener = phraseAt(rest, 0, OPENERS);
    if (opener > 0) {
      rest = rest.slice(opener);
      continue;
    }
    const asking = phraseAt(rest, 0, ASKING);
    if (asking > 0 && QUESTION_WORDS.has(keyAt(rest, asking) ?? '')) {
      rest = rest.slice(asking);
      continue;
    }
    if (asking > 0 && keyAt(rest, asking) === 'if') {
      rest = [made('whether', rest.slice(asking, asking + 1)), ...rest.slice(asking + 1)];
      continue;
    }
    if (asking > 0 && keyAt(rest, asking) !== 'about' && rest[asking] !== undefined) {
      const frame = rest.slice(0, asking);
      rest = [made('what', frame), made('is', frame), ...rest.slice(asking)];
      continue;
    }
    const showing = phraseAt(rest, 0, SHOWING);
    if (showing > 0 && QUESTION_WORDS.has(keyAt(rest, showing) ?? '')) {
      rest = rest.slice(showing);
      continue;
    }
    const instructing = phraseAt(rest, 0, INSTRUCTING);
    if (instructing > 0 && (isContentWord(rest[instructing]) || LIGHT_VERBS.has(keyAt(rest, instructing) ?? ''))) {
      const frame = rest.slice(0, instructing);
      rest = [made('how', frame), made('do', frame), made('i', frame), ...rest.slice(instructing)];
      break;
    }
    // "Recommend a good laptop for X" asks "which laptop is good for X".
    if (RECOMMENDING.has(keyAt(rest, 0) ?? '') && GOOD.has(keyAt(rest, 1) ?? '') && isContentWord(rest[2])) {
      rest = [made('what', rest.slice(0, 1)), rest[2]!, made('is', rest.slice(0, 1)), rest[1]!, ...rest.slice(3)];
      break;
    }
    const requesting = phraseAt(rest, 0, REQUESTING);
    if (requesting > 0 && QUESTION_WORDS.has(keyAt(rest, requesting) ?? '')) {
      rest = rest.slice(requesting);
      continue;
    }
    if (requesting > 0 && rest[requesting] !== undefined && keyAt(rest, requesting) !== 'about') {
      const frame = rest.slice(0, requesting);
      rest = [made('what', frame), made('is', frame), ...rest.slice(requesting)];
      break;
    }
    const polite = phraseAt(rest, 0, POLITE_REQUEST);
    if (polite > 0 && isContentWord(rest[polite])) {
      rest = rest.slice(polite);
      continue;
    }
    break;
  }
  if (ANNOUNCEMENTS.some((phrase) => phrase.length === rest.length && phraseAt(rest, 0, [phrase]) > 0)) return [];
  const closer = rest.length > 0 ? CLOSERS.find((phrase) => endsWith(rest, phrase)) : undefined;
  return closer ? rest.slice(0, rest.length - closer.length) : rest;
}

const endsWith = (tokens: readonly Token[], phrase: readonly string[]) =>
  tokens.length >= phrase.length &&
  phrase.every((part, offset) => tokens[tokens.length - phrase.length + offset]!.key === part);

/** Rewrites "how can I" / "how to" frames and "is it possible to" anywhere in a clause. */
function frameQuestions(tokens: readonly Token[]): Token[] {
  const result: Token[] = [];
  for (let i = 0; i < tokens.length; ) {
    const how = phraseAt(tokens, i, HOW_I);
    if (how > 0) {
      const frame = tokens.slice(i, i + how);
      result.push(made('how', frame), made('do', frame), made('i', frame));
      i += how;
      continue;
    }
    if (phraseAt(tokens, i, WH_TO) > 0 && tokens[i + 2]?.kind === 'word') {
      const frame = tokens.slice(i, i + 2);
      result.push(tokens[i]!, made('do', frame), made('i', frame));
      i += 2;
      continue;
    }
    const can = phraseAt(tokens, i, CAN_I);
    if (can > 0) {
      const frame = tokens.slice(i, i + can);
      result.push(made('can', frame), made('i', frame));
      i += can;
      continue;
    }
    result.push(tokens[i]!);
    i++;
  }
  return result;
}

/** Articles ("a" unless written "A" inside a clause, where it may be a name: "vitamin A"), "the", "please", "actually". */
function dropFiller(tokens: readonly Token[]): Token[] {
  return tokens.filter(
    (token, index) => !DROPPED_ANYWHERE.has(token.key) && !(token.key === 'a' && (token.raw !== 'A' || index === 0)),
  );
}

/**
 * An embedded question ("what machine learning is", "what your opening hours are on weekends") in the order of a
 * direct one: the "is" after the subject goes after the question word, when nothing but the end or a preposition
 * follows it ("what time is it" is direct already).
 */
function invertEmbedded(tokens: Token[]): Token[] {
  if (tokens.length < 3 || !QUESTION_WORDS.has(tokens[0]!.key) || DEGREE.has(tokens[1]!.key)) return tokens;
  const be = tokens.findIndex((token, index) => index > 1 && (token.key === 'is' || token.key === 'was'));
  if (be < 0) return tokens;
  const after = tokens[be + 1];
  if (after !== undefined && !EMBEDDED_ENDINGS.has(after.key)) return tokens;
  if (tokens.slice(1, be).some((token) => AUXILIARIES.has(token.key) || token.key === 'not')) return tokens;
  return [tokens[0]!, tokens[be]!, ...tokens.slice(1, be), ...tokens.slice(be + 1)];
}

const EMBEDDED_ENDINGS = new Set('on in at for during from to by with about like after before'.split(' '));

/**
 * "How much does X cost …", "What does X cost …" and "How much is X" (X in words only) → "what is price of X …"
 * ("what is price …" when X is "it").
 */
function frameCost(tokens: Token[]): Token[] {
  // "How much is the basic plan?" asks a price, unless it asks about a quantity ("how much is 10 MB in bytes").
  if (keyAt(tokens, 0) === 'how' && keyAt(tokens, 1) === 'much' && keyAt(tokens, 2) === 'is' && tokens.length > 3) {
    if (tokens.slice(3).every((token) => token.kind === 'word')) {
      const frame = tokens.slice(0, 3);
      return [made('what', frame), made('is', frame), made('price', frame), made('of', frame), ...tokens.slice(3)];
    }
  }
  const opening = keyAt(tokens, 0) === 'how' && keyAt(tokens, 1) === 'much' ? 2 : keyAt(tokens, 0) === 'what' ? 1 : 0;
  if (opening === 0 || keyAt(tokens, opening) !== 'do') return tokens;
  const cost = tokens.findIndex((token, index) => index > opening && token.key === 'cost');
  if (cost < 0) return tokens;
  const frame = tokens.slice(0, opening + 1);
  const subject = tokens.slice(opening + 1, cost);
  const price = [made('what', frame), made('is', frame), { ...made('price', [tokens[cost]!]) }];
  const of =
    subject.length === 0 || (subject.length === 1 && subject[0]!.key === 'it') ? [] : [made('of', frame), ...subject];
  return [...price, ...of, ...tokens.slice(cost + 1)];
}

const DEGREE = new Set(['long', 'much', 'many', 'often', 'far', 'old', 'big']);

/**
 * "Why does my tooth not stop" → "why does not my tooth stop", as "why doesn't my tooth stop" reads once expanded:
 * a "not" after a subject of one or two words in an inverted question goes right after the auxiliary.
 */
function placeNegation(tokens: Token[]): Token[] {
  const start = QUESTION_WORDS.has(keyAt(tokens, 0) ?? '') ? 1 : 0;
  if (!AUXILIARIES.has(keyAt(tokens, start) ?? '')) return tokens;
  const not = tokens.findIndex((token, index) => index > start + 1 && index <= start + 3 && token.key === 'not');
  if (not < 0) return tokens;
  const subject = tokens.slice(start + 1, not);
  if (subject.some((token) => AUXILIARIES.has(token.key) || token.key === 'not')) return tokens;
  return [...tokens.slice(0, start + 1), tokens[not]!, ...subject, ...tokens.slice(not + 1)];
}

/**
 * "How long does X take" → "how long X take": the auxiliary "do" of a question adds nothing ("did" keeps its tense).
 * Nor does "will" before a verb other than "be": "how long will shipping take" asks what "how long does shipping
 * take" asks, while "was" and "did" keep the past apart.
 */
function dropDoSupport(tokens: Token[]): Token[] {
  if (!QUESTION_WORDS.has(keyAt(tokens, 0) ?? '')) return tokens;
  const at = keyAt(tokens, 0) === 'how' && DEGREE.has(keyAt(tokens, 1) ?? '') ? 2 : 1;
  const auxiliary = keyAt(tokens, at);
  if (auxiliary === 'will' && tokens.slice(at + 1).some((token) => token.key === 'be' || AUXILIARIES.has(token.key))) {
    return tokens;
  }
  if ((auxiliary !== 'do' && auxiliary !== 'will') || keyAt(tokens, at + 1) === 'not') return tokens;
  return [...tokens.slice(0, at), ...tokens.slice(at + 1)];
}

/** "whether I can bring X" (from "I want to know if I can bring X") → "can I bring X". */
function invertWhether(tokens: Token[]): Token[] {
  if (keyAt(tokens, 0) !== 'whether' || !AUXILIARIES.has(keyAt(tokens, 2) ?? '')) return tokens;
  if (!FUNCTION_WORDS.has(keyAt(tokens, 1) ?? '')) return tokens;
  return [tokens[2]!, tokens[1]!, ...tokens.slice(3)];
}

const SUBJECTS = new Set(['i', 'you', 'we', 'they', 'he', 'she', 'it', 'my', 'our', 'your']);
const DAYS = new Set(['today', 'tomorrow', 'yesterday', 'tonight']);

/**
 * "Every morning I wake up with a headache" → "I wake up with a headache every morning": a time put before the subject
 * ("every morning", "each day", "today") says what it says at the end.
 */
function timeLast(tokens: Token[]): Token[] {
  const start = QUESTION_WORDS.has(keyAt(tokens, 0) ?? '') ? 1 : 0;
  const first = keyAt(tokens, start) ?? '';
  const length = DAYS.has(first)
    ? 1
    : (first === 'every' || first === 'each') && tokens[start + 1]?.kind === 'word'
      ? 2
      : 0;
  if (length === 0 || !SUBJECTS.has(keyAt(tokens, start + length) ?? '') || tokens.length < start + length + 2) {
    return tokens;
  }
  const time = tokens.slice(start, start + length);
  return [...tokens.slice(0, start), ...tokens.slice(start + length), ...time];
}

/** One clause without the words that carry nothing, its question frame in one form. */
export function frameClause(tokens: readonly Token[]): Token[] {
  const started = timeLast(frameStart(dropFiller(tokens)));
  const framed = rephrase(frameQuestions(frameCost(invertEmbedded(invertWhether(started)))));
  // A speaker's "my password" is "the password" (other possessives stay: "your password" is not). Left out last, so the
  // rules above see the subject as written.
  return dropDoSupport(placeNegation(framed)).filter((token) => token.key !== 'my');
}
