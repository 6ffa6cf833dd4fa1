/**
 * JSON without its whitespace: the same value in fewer tokens. The text is not re-serialised from a parsed value
 * (that would round 12345678901234567890 and reorder nothing but lose `1.0`), only the whitespace between tokens is
 * left out, once `JSON.parse` has accepted it. Text that is not a JSON object or array is left alone.
 */

/**
 * The JSON text without whitespace between tokens, or `undefined` when `text` is not a JSON object or array (a bare
 * number or string is left as written) or has no whitespace to leave out.
 *
 * @example
 * minifyJson('{ "city": "Porto",\n  "tempC": 21 }'); // '{"city":"Porto","tempC":21}'
 * minifyJson('Porto is sunny'); // undefined
 */
export function minifyJson(text: string): string | undefined {
  if (!isJsonText(text)) return undefined;
  const minified = withoutWhitespace(text);
  return minified.length < text.length ? minified : undefined;
}

/** True when `text` holds a JSON object or array (compression must not cut it into sentences). */
export function isJsonText(text: string): boolean {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function withoutWhitespace(json: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i]!;
    if (inString) {
      out += char;
      if (char === '\\') out += json[++i] ?? '';
      else if (char === '"') inString = false;
    } else if (!WHITESPACE.has(char)) {
      out += char;
      if (char === '"') inString = true;
    }
  }
  return out;
}
