/**
 * Duplicate removal: a sentence (or log line, or list item) already said elsewhere in the context — in an item more
 * likely to stay, or earlier in the same text — is left out. Sentences shorter than `MIN_REPEATED_CHARS` stay: "OK."
 * twice is not a duplicate worth a word.
 */
import { sentenceKey, splitSentences } from './text-sentences.js';

export const MIN_REPEATED_CHARS = 20;

/** The sentences of a context so far, by their comparison key. */
export type SeenSentences = Set<string>;

/** Records the sentences of a text that is sent as it is. */
export function noteSentences(text: string, seen: SeenSentences): void {
  for (const sentence of splitSentences(text)) {
    const key = sentenceKey(sentence);
    if (key.length >= MIN_REPEATED_CHARS) seen.add(key);
  }
}

/**
 * `text` without the sentences `seen` holds (then noted), or `undefined` when none repeats.
 *
 * @example
 * const seen = new Set<string>();
 * noteSentences('The API key expires after 90 days.', seen);
 * withoutRepeatedSentences('Keys are per project. The API key expires after 90 days.', seen); // 'Keys are per project. '
 */
export function withoutRepeatedSentences(text: string, seen: SeenSentences): string | undefined {
  let out = '';
  let removed = false;
  for (const sentence of splitSentences(text)) {
    const key = sentenceKey(sentence);
    if (key.length < MIN_REPEATED_CHARS) out += sentence;
    else if (seen.has(key)) removed = true;
    else {
      seen.add(key);
      out += sentence;
    }
  }
  return removed ? out : undefined;
}
