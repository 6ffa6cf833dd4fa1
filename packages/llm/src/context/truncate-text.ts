/**
 * The last resort for an item too long to send whole: its first tokens, cut at a token boundary of the model's
 * encoding (`o200k_base` for the estimated models), and a marker that says how much was left out. The result,
 * marker included, is counted by the model's `TokenCounter`, so it never passes the tokens it was given.
 */
import { createRequire } from 'node:module';
import type { EncodingName } from 'gpt-tokenizer/mapping';
import type { TokenCounter } from '../tokens/token-counter.js';

interface Codec {
  encode(text: string): number[];
  decode(tokens: number[]): string;
}

const require = createRequire(import.meta.url);
const codecs = new Map<EncodingName, Codec>();

function codecOf(counter: TokenCounter): Codec {
  const name: EncodingName = counter.encoding ?? 'o200k_base';
  let codec = codecs.get(name);
  if (!codec) {
    codec = require(`gpt-tokenizer/encoding/${name}`) as Codec;
    codecs.set(name, codec);
  }
  return codec;
}

const marker = (left: number, total: number) => `\n[… truncated: ${left} of ${total} tokens left out]`;

/**
 * `text` itself when it fits in `maxTokens`; else its longest head that fits with the marker; else the marker
 * alone (what an item shrinks to at the least); `text` itself again when a marker would not be shorter.
 *
 * @example
 * truncateText(tokenCounter('gpt-4o'), longLog, 200); // '2026-01-04 12:00:01 INFO …\n[… truncated: 1822 of 2010 tokens left out]'
 */
export function truncateText(counter: TokenCounter, text: string, maxTokens: number): string {
  const total = counter.text(text);
  if (total <= maxTokens) return text;
  const alone = marker(total, total);
  if (counter.text(alone) >= maxTokens) return counter.text(alone) < total ? alone : text;
  const codec = codecOf(counter);
  const tokens = codec.encode(text);
  const headOf = (size: number) => {
    const head = codec.decode(tokens.slice(0, size));
    return head + marker(total - counter.text(head), total);
  };
  // A head of n tokens counts at least n (the estimate counts more): no head longer than maxTokens can fit.
  let low = 0;
  let high = Math.min(tokens.length - 1, maxTokens);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (counter.text(headOf(middle)) <= maxTokens) low = middle;
    else high = middle - 1;
  }
  const cut = headOf(low);
  return counter.text(cut) < total ? cut : text;
}

/** `text` at its least: the marker alone, or `text` when that is shorter. */
export function truncationFloor(counter: TokenCounter, text: string): string {
  return truncateText(counter, text, 0);
}
