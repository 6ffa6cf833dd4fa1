/**
 * Clauses that one question was written across, joined back: a question word cut off by a parenthesis ("How long,
 * on average, does a refund take?"), a statement and a "why?" ("My package hasn't arrived, why?"), a wish and a
 * "how?" ("I would love to book a table, how do I do that?"), and a topic taken up by "it" ("Dark chocolate: is it
 * healthy?").
 */
import { frameClause } from './framing.js';
import type { Token } from './tokens.js';

const QUESTION_FRAGMENT = new Set([
  'what',
  'where',
  'when',
  'why',
  'who',
  'which',
  'how',
  'long',
  'much',
  'many',
  'often',
]);
const AUXILIARIES = new Set('do did is was have had can could will would should may might must'.split(' '));

/**
 * "My package has not arrived yet, why?" → "why has my package not arrived yet": a statement followed by a lone
 * "why" asks why it holds, its auxiliary put before the subject as a question puts it.
 */
function askWhy(statement: Token[], next: Token[]): Token[] | undefined {
  if (next.length !== 1 || next[0]!.key !== 'why') return undefined;
  const first = statement[0]!.key;
  if (QUESTION_FRAGMENT.has(first) || AUXILIARIES.has(first) || statement.length < 2) return undefined;
  const auxiliary = statement.findIndex((token, index) => index > 0 && index <= 3 && AUXILIARIES.has(token.key));
  const subject = statement.slice(0, auxiliary);
  if (auxiliary < 0 || subject.some((token) => token.key === 'not')) return [next[0]!, ...statement];
  return [next[0]!, statement[auxiliary]!, ...subject, ...statement.slice(auxiliary + 1)];
}

/**
 * A clause of question words only ("how long") followed, one short clause later, by a clause that opens with an
 * auxiliary ("does a refund take") is one question: the two are joined where the second stood, and the clause between
 * them ("on average") stays a clause of its own. Works on clauses as written, before framing.
 */
export function joinQuestionFragments(clauses: Token[][]): Token[][] {
  const result = [...clauses];
  for (let i = 0; i < result.length - 1; i++) {
    const asked = askWhy(result[i]!, result[i + 1]!);
    if (asked) {
      result.splice(i, 2, asked);
      continue;
    }
    const fragment = result[i]!;
    if (fragment.length > 2 || !fragment.every((token) => QUESTION_FRAGMENT.has(token.key))) continue;
    if (!['what', 'where', 'when', 'why', 'who', 'which', 'how'].includes(fragment[0]!.key)) continue;
    for (const distance of [1, 2]) {
      const rest = result[i + distance];
      if (rest === undefined || !AUXILIARIES.has(rest[0]!.key)) continue;
      if (distance === 2 && result[i + 1]!.length > 4) break;
      result.splice(i + distance, 1, [...fragment, ...rest]);
      result.splice(i, 1);
      break;
    }
  }
  return result;
}

const AUXILIARIES_AND_QUESTIONS = new Set(
  'what where when why who which how whether do did is was have had can could will would should may might must'.split(
    ' ',
  ),
);

/** Words that make a clause more than a noun phrase: a subject of its own, or an infinitive. */
const NOT_IN_TOPICS = new Set(['i', 'you', 'we', 'they', 'he', 'she', 'it', 'to']);

const WANTING = [
  ['i', 'would', 'like', 'to'],
  ['i', 'would', 'love', 'to'],
  ['i', 'want', 'to'],
  ['i', 'need', 'to'],
  ['i', 'is', 'trying', 'to'],
];
const ASKING_HOW = new Set(['how', 'how i do that', 'how i do it', 'how i do this', 'how i do so', 'how i do']);

/**
 * "I would love to book a table, how do I do that?" and "I need to update my address, how?" ask "how do I book a
 * table" and "how do I update my address": one clause.
 */
export function joinWantedSteps(clauses: Token[][]): Token[][] {
  const result: Token[][] = [];
  for (let i = 0; i < clauses.length; i++) {
    const wish = clauses[i]!;
    const next = clauses[i + 1];
    const opening = WANTING.find((phrase) => phrase.every((key, index) => wish[index]?.key === key));
    const asks = next !== undefined && ASKING_HOW.has(next.map((token) => token.key).join(' '));
    if (!opening || !asks || wish.length <= opening.length) {
      result.push(wish);
      continue;
    }
    const frame = wish.slice(0, opening.length);
    const how = (key: string): Token => ({ key, raw: frame.map((token) => token.raw).join(' '), kind: 'word' });
    result.push(frameClause([how('how'), how('do'), how('i'), ...wish.slice(opening.length)]));
    i++;
  }
  return result;
}

/**
 * A topic put first and taken up by "it" ("Dark chocolate: is it healthy?", "My order history, where can I see it?")
 * reads as the question with the topic in place of "it": one clause.
 */
export function resolveTopics(clauses: Token[][]): Token[][] {
  const result: Token[][] = [];
  for (let i = 0; i < clauses.length; i++) {
    const topic = clauses[i]!;
    const question = clauses[i + 1];
    const isTopic =
      topic.length <= 6 &&
      topic.every((token) => !AUXILIARIES_AND_QUESTIONS.has(token.key) && !NOT_IN_TOPICS.has(token.key));
    if (!isTopic || question === undefined || !AUXILIARIES_AND_QUESTIONS.has(question[0]!.key)) {
      result.push(topic);
      continue;
    }
    const pronouns = question.flatMap((token, index) => (token.key === 'it' ? [index] : []));
    if (pronouns.length !== 1) {
      result.push(topic);
      continue;
    }
    const at = pronouns[0]!;
    result.push([...question.slice(0, at), ...topic, ...question.slice(at + 1)]);
    i++;
  }
  return result;
}
