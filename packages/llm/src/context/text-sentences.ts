/**
 * Cuts text into sentences that join back into the text: every line on its own (log lines, list items and table
 * rows end without a full stop), and each line into sentences by `Intl.Segmenter`. Compression and duplicate removal
 * keep or leave out whole sentences, so what they keep reads as it was written.
 *
 * The segmenter takes a full stop followed by a lower-case word for an abbreviation (`e.g. the`), so text written in
 * lower case (chat logs, transcripts, lower-cased scrapes) comes back as one sentence per window of kilobytes. A
 * "sentence" longer than `LONG_SENTENCE` is therefore cut again after each full stop followed by a space.
 */

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * How much of a line is given to the segmenter at once. Its sentence iterator takes time that grows with the square
 * of the text's length (a 170 KB line: 3 s, against 55 ms in windows), and a page of extracted text is often one line.
 */
const WINDOW = 4096;

/** Longer than any but a few written sentences: what the segmenter gives past this is cut at full stops too. */
const LONG_SENTENCE = 300;
const AFTER_FULL_STOP = /(?<=\.\s+)(?=\S)/u;

/**
 * @example
 * splitSentences('It rains. Take a coat.\nok'); // ['It rains. ', 'Take a coat.\n', 'ok']
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.match(/[^\n]*(?:\n+|$)/g) ?? []) {
    if (line !== '') lineSentences(line, sentences);
  }
  return sentences;
}

/**
 * A line's sentences, window by window: of each window's sentences all but the last are kept, and the next window
 * starts at the last (it may go on past the window), so the cuts are the segmenter's own. A sentence longer than a
 * window is cut at its last space inside it.
 */
function lineSentences(line: string, sentences: string[]): void {
  let start = 0;
  while (line.length - start > WINDOW) {
    const window = line.slice(start, start + WINDOW);
    const parts = Array.from(segmenter.segment(window), (part) => part.segment);
    if (parts.length > 1) {
      const whole = parts.slice(0, -1);
      for (const part of whole) pushSentence(sentences, part);
      start += whole.reduce((length, part) => length + part.length, 0);
    } else {
      const cut = cutInside(window);
      pushSentence(sentences, window.slice(0, cut));
      start += cut;
    }
  }
  for (const { segment } of segmenter.segment(line.slice(start))) pushSentence(sentences, segment);
}

/** Adds a sentence as the segmenter gave it, or a long one cut after each full stop followed by a space. */
function pushSentence(sentences: string[], sentence: string): void {
  if (sentence.length <= LONG_SENTENCE) sentences.push(sentence);
  else sentences.push(...sentence.split(AFTER_FULL_STOP));
}

/** Where to cut a window holding part of one long sentence: after its last space, else never inside a surrogate pair. */
function cutInside(window: string): number {
  const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
  if (space > 0) return space + 1;
  const code = window.charCodeAt(window.length - 1);
  return code >= 0xd800 && code <= 0xdbff ? window.length - 1 : window.length;
}

/** The form two sentences are compared in: case and spacing ignored. */
export function sentenceKey(sentence: string): string {
  return sentence.trim().replace(/\s+/g, ' ').toLowerCase();
}
