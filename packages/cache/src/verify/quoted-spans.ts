/**
 * What a prompt quotes: the text inside double quotes ("…", “…”), single quotes at word edges ('…', ‘…’ — not the
 * apostrophe of `can't` or `students'`) and code spans (`…`). A quoted word is the thing asked about, not a way of
 * saying something: "Is 'colour' the British spelling?" is not "Is 'color' the British spelling?", nor is the plural
 * of 'mouse' the plural of 'mice', though the canonical form folds spellings, inflections and synonyms everywhere else.
 */

/** Opening and closing marks of each kind of quote. */
const PAIRS: Readonly<Record<string, string>> = { '"': '"', '“': '”', "'": "'", '‘': '’', '`': '`' };
const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/** Whether the mark at `at` may open a quote: not inside a word, and followed by something quoted. */
function opens(text: string, at: number): boolean {
  const before = text[at - 1] ?? ' ';
  const after = text[at + 1] ?? ' ';
  return !WORD_CHARACTER.test(before) && !/\s/u.test(after);
}

/** Whether the mark at `at` may close a quote: after something quoted, and not inside a word. */
function closes(text: string, at: number): boolean {
  const before = text[at - 1] ?? ' ';
  const after = text[at + 1] ?? ' ';
  return !/\s/u.test(before) && !WORD_CHARACTER.test(after);
}

/**
 * The quoted texts of `text`, in order, with their spaces collapsed.
 *
 * @example
 * quotedSpans(`Is 'can't' a contraction? Say "yes" or run \`npm test\``); // ["can't", 'yes', 'npm test']
 */
export function quotedSpans(text: string): string[] {
  const spans: string[] = [];
  for (let at = 0; at < text.length; at++) {
    const close = PAIRS[text[at] as string];
    if (close === undefined || !opens(text, at)) continue;
    for (let end = at + 1; end < text.length; end++) {
      if (text[end] === '\n') break;
      if (text[end] !== close || !closes(text, end)) continue;
      spans.push(
        text
          .slice(at + 1, end)
          .replace(/\s+/gu, ' ')
          .trim(),
      );
      at = end;
      break;
    }
  }
  return spans;
}

/** Whether `text` holds `span` where words begin and end (so 'cat' is not found in "cats"). */
export function holdsVerbatim(text: string, span: string): boolean {
  const flat = text.replace(/\s+/gu, ' ');
  for (let from = flat.indexOf(span); from >= 0; from = flat.indexOf(span, from + 1)) {
    const before = flat[from - 1] ?? ' ';
    const after = flat[from + span.length] ?? ' ';
    const startsWord = WORD_CHARACTER.test(span[0] ?? '');
    const endsWord = WORD_CHARACTER.test(span[span.length - 1] ?? '');
    if ((!startsWord || !WORD_CHARACTER.test(before)) && (!endsWord || !WORD_CHARACTER.test(after))) return true;
  }
  return false;
}
