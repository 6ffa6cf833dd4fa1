/**
 * A `TokenCounter` that counts each distinct text once. An assembly counts the same texts again and again (a tool
 * result before and after each strategy, roles, call ids), and tokenizing is most of its cost. Message framing is
 * read off the counter itself (a message's count is its overhead plus its role's and content's, and a name's), so
 * the counts are the counter's own; `memoized-counter.test.ts` holds them equal.
 */
import type { CountedMessage, TokenCounter } from '../tokens/token-counter.js';

/**
 * @example
 * const counter = memoizedCounter(tokenCounter('gpt-4o'));
 * counter.text(report) === counter.text(report); // the second count is a lookup
 */
export function memoizedCounter(counter: TokenCounter): TokenCounter {
  const counts = new Map<string, number>();
  const text = (value: string) => {
    let tokens = counts.get(value);
    if (tokens === undefined) {
      tokens = counter.text(value);
      counts.set(value, tokens);
    }
    return tokens;
  };
  const perMessage = counter.message({ role: '', content: '' });
  const perName = counter.message({ role: '', content: '', name: 'a' }) - perMessage - counter.text('a');
  return {
    model: counter.model,
    encoding: counter.encoding,
    exact: counter.exact,
    requestOverhead: counter.requestOverhead,
    tools: (tools) => counter.tools(tools),
    text,
    message: (message: CountedMessage) =>
      perMessage + text(message.role) + text(message.content) + (message.name ? text(message.name) + perName : 0),
  };
}
