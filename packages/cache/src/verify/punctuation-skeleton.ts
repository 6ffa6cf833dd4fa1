/**
 * The punctuation a prompt's answer may depend on when it holds code, data or arithmetic. The tokenizer reads words,
 * numbers and symbols (`$`, `%`, `+`, `=` are compared as tokens), and lets brackets, quotes and sentence punctuation
 * go, which is right for prose ("Hi, what's the time?" asks what "hi what's the time" asks) and wrong for code, data
 * and arithmetic: `{"a": 1, "b": 2,}` is not valid JSON where `{"a": 1, "b": 2}` is, `(2 + 3) * 4` is not
 * `2 + 3 * 4`, `print('a', 'b')` does not print what `print('a' 'b')` does.
 *
 * So a prompt that holds code or data (a code span, braces or square brackets, a call or a grouped sum, `=` or `;`, or
 * values joined by a bare `,` or `:`) has a skeleton: its brackets, quotes and `,` `.` `?` `!` `;` `:` `…` in order —
 * but not a `,` `.` `?` `!` `…` that ends a sentence or a clause of its prose (followed by a space, outside
 * brackets, quotes and code spans), an apostrophe inside a word (`don't`), nor the separator inside a number or a
 * time (`1,000`, `3.5`, `10:30`), which the numbers check reads; inside brackets, where each number starts is marked
 * `#`, since the numbers check sees which numbers there are but not where (`a[1:]` and `a[:1]`). A prompt of prose has
 * none.
 */

/** What marks code or data in a prompt. */
const CODE_OR_DATA = /`|[{}[\]]|[\p{L}\p{N}_]\(|\(\s*[\p{N}\p{L}_.]+\s*[-+*/^%]|[=;]|[\p{L}_][,:][\p{L}\p{N}_"'’]/u;
const READ = new Set([
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '“',
  '”',
  '‘',
  '’',
  '`',
  ',',
  '.',
  '?',
  '!',
  ';',
  ':',
  '…',
]);

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);
const PROSE_STOPS = new Set([',', '.', '?', '!', '…']);
const QUOTES = new Set(['"', "'", '“', '”', '‘', '’']);
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;
const DIGIT = /\p{N}/u;
/** What a digit inside a number or a name follows (`12`, `3.5`, `x2`). */
const NUMBER_OR_NAME = /[\p{L}\p{N}_.]/u;

/**
 * @example
 * punctuationSkeleton('Is this valid JSON? {"a": 1, "b": 2,}'); // '{"":,"":,}'
 * punctuationSkeleton("Hi, what's the time?"); // ''
 */
export function punctuationSkeleton(text: string): string {
  if (!CODE_OR_DATA.test(text)) return '';
  const body = text.trimEnd().replace(/[.?!…]+$/u, '');
  let depth = 0;
  let inCode = false;
  let quote: string | undefined;
  let skeleton = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (!READ.has(char)) {
      // Where a number stands among brackets and separators: `a[1:]` is not `a[:1]`, though both hold a 1.
      if (depth > 0 && !inCode && quote === undefined && DIGIT.test(char) && !NUMBER_OR_NAME.test(body[i - 1] ?? ' ')) {
        skeleton += '#';
      }
      continue;
    }
    const before = body[i - 1] ?? ' ';
    // The end of the text is no space: `a = 1,` ends in a comma no sentence ends with.
    const after = body[i + 1] ?? '';
    if ((char === "'" || char === '’') && LETTER_OR_DIGIT.test(before) && LETTER_OR_DIGIT.test(after)) continue;
    // Inside a number or a time (`1,000`, `3.5`, `10:30`): the numbers check reads those.
    if (DIGIT.test(before) && DIGIT.test(after) && !inCode) continue;
    const inside = depth > 0 || inCode || quote !== undefined;
    if (!inside && PROSE_STOPS.has(char) && after !== '' && SPACE.test(after)) continue;
    skeleton += char;
    if (char === '`') inCode = !inCode;
    else if (inCode) continue;
    else if (QUOTES.has(char)) quote = quote === undefined ? char : undefined;
    else if (quote !== undefined) continue;
    else if (OPEN.has(char)) depth++;
    else if (CLOSE.has(char)) depth = Math.max(0, depth - 1);
  }
  return skeleton;
}
