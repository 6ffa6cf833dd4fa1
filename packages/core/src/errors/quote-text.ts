/**
 * How a message quotes text the caller gave (an expression, a step id, a reference, a key): whole when short, cut
 * to the part that matters when long, so a 10 MB id never becomes a 10 MB message.
 */

/** Quoted text longer than this is cut. */
export const MAX_QUOTED_LENGTH = 160;

/**
 * The text in double quotes; a long one is cut to 120 characters around `position` (or from the start when there
 * is none), with `…` where text was left out.
 *
 * @example
 * quoteText('lookup'); // '"lookup"'
 * quoteText('x'.repeat(10_000)).length; // 124
 */
export function quoteText(text: string, position = -1): string {
  if (text.length <= MAX_QUOTED_LENGTH) return `"${text}"`;
  const from = Math.max(0, position - 60);
  const to = Math.min(text.length, from + 120);
  return `"${from > 0 ? '…' : ''}${text.slice(from, to)}${to < text.length ? '…' : ''}"`;
}

/** `text` itself when short, else its first `max - 1` characters and `…` (for paths and names shown unquoted). */
export function clipText(text: string, max = MAX_QUOTED_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
