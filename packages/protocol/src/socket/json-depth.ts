/**
 * How deep a JSON text nests arrays and objects, and the most Baton takes — in an HTTP body and in a socket frame
 * alike: the engine and the stores walk values recursively, so a value thousands of levels deep could be accepted and
 * then fail where nothing can say why. The scan is one pass over the text, outside strings, without recursion.
 */

/** Deeper than any real request; shallow enough for every recursive walk in the engine and the stores. */
export const MAX_JSON_DEPTH = 512;

/** The deepest nesting of arrays and objects in `text`, or `limit + 1` as soon as it passes `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index += 1;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  return deepest;
}
