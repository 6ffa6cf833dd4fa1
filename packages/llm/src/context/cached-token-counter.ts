/**
 * A `TokenCounter` that remembers the counts of the texts it has seen, in one bounded cache per model shared by the
 * whole process. An agent assembles nearly the same conversation before every model call, and tokenizing is most of
 * what an assembly costs: with the cache, only the new messages are tokenized. Message framing is read off the
 * counter itself (a message counts its overhead plus its role, content and name), so the counts are the counter's
 * own; `cached-token-counter.test.ts` holds them equal.
 */
import { type CountedMessage, type TokenCounter, tokenCounter } from '../tokens/token-counter.js';

/** Texts remembered per model, at most. */
export const CACHED_TEXTS_PER_MODEL = 50_000;
/** Characters of text held per model, at most (about 16 MB of UTF-16): the cache keeps texts alive. */
export const CACHED_CHARACTERS_PER_MODEL = 8_000_000;
/** Longer texts are counted each time: keeping them would hold on to a lot of memory for few hits. */
export const MAX_CACHED_TEXT_LENGTH = 64 * 1024;

/**
 * Text → tokens, in two generations: counts go into the current one; when it is full it becomes the previous one,
 * and a count found there is brought back. What was not used for a whole generation is forgotten. A hit is one map
 * lookup (an LRU's reordering on every hit cost more than the counts it saved).
 */
export class TokenCountCache {
  #current = new Map<string, number>();
  #previous = new Map<string, number>();
  #characters = 0;

  /**
   * @param maxEntries texts kept at most (both generations together)
   * @param maxCharacters characters of text kept at most (both generations together)
   */
  constructor(
    readonly maxEntries = CACHED_TEXTS_PER_MODEL,
    readonly maxCharacters = CACHED_CHARACTERS_PER_MODEL,
  ) {}

  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  count(text: string, countText: (text: string) => number): number {
    const known = this.#current.get(text);
    if (known !== undefined) return known;
    if (text.length > MAX_CACHED_TEXT_LENGTH) return countText(text);
    const tokens = this.#previous.get(text) ?? countText(text);
    if (this.#current.size >= this.maxEntries / 2 || this.#characters + text.length > this.maxCharacters / 2) {
      this.#previous = this.#current;
      this.#current = new Map();
      this.#characters = 0;
    }
    this.#current.set(text, tokens);
    this.#characters += text.length;
    return tokens;
  }
}

/**
 * `counter` with its text counts kept in `cache`.
 *
 * @example
 * const counter = withCountCache(tokenCounter('gpt-4o'), new TokenCountCache(1_000));
 * counter.text(report) === counter.text(report); // the second count is a lookup
 */
export function withCountCache(counter: TokenCounter, cache: TokenCountCache): TokenCounter {
  const countText = (value: string) => counter.text(value);
  const text = (value: string) => cache.count(value, countText);
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

const shared = new Map<string, TokenCounter>();

/**
 * The counter of `model` (`tokenCounter`, default options) with the process's shared cache for that model.
 *
 * @example
 * const counter = cachedTokenCounter('gpt-4o');
 * counter.message({ role: 'user', content: 'Hello there' }); // 5, then a lookup next time
 */
export function cachedTokenCounter(model: string): TokenCounter {
  let counter = shared.get(model);
  if (!counter) {
    counter = withCountCache(tokenCounter(model), new TokenCountCache());
    shared.set(model, counter);
  }
  return counter;
}
