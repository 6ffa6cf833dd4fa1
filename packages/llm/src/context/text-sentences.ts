/**
 * Cuts text into sentences that join back into the text: every line on its own (log lines, list items and table
 * rows end without a full stop), and each line into sentences by `Intl.Segmenter`. Compression and duplicate removal
 * keep or leave out whole sentences, so what they keep reads as it was written.
 */

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * @example
 * splitSentences('It rains. Take a coat.\nok'); // ['It rains. ', 'Take a coat.\n', 'ok']
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.match(/[^\n]*(?:\n+|$)/g) ?? []) {
    if (line === '') continue;
    for (const { segment } of segmenter.segment(line)) sentences.push(segment);
  }
  return sentences;
}

/** The form two sentences are compared in: case and spacing ignored. */
export function sentenceKey(sentence: string): string {
  return sentence.trim().replace(/\s+/g, ' ').toLowerCase();
}
