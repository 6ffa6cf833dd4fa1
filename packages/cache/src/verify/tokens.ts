/**
 * Splits a prompt into tokens without losing anything that can change an answer: words, numbers, times, symbols
 * (currency, operators, signs), language names such as C++ and C#, command flags and format codes (whose case
 * matters: `-R` is not `-r`), code spans, words in other scripts and emoji. Sentence punctuation becomes a `break`
 * (where a clause ends); quotes and brackets carry nothing and are dropped. One regular expression pass, so the cost
 * is linear in the length of the text.
 */

export type TokenKind = 'word' | 'number' | 'time' | 'code' | 'symbol' | 'script' | 'emoji' | 'break';

export interface Token {
  /** What is compared: lowercase for words and numbers, exactly as written for codes, symbols, scripts and emoji. */
  readonly key: string;
  /** The token as written. */
  readonly raw: string;
  readonly kind: TokenKind;
  /**
   * Written in a case that may carry meaning: an upper-case letter after a lower-case one ("myVar", "mB") or in the
   * second place of a short word ("MB", "MM"). Such a word matches only the same word in the same case.
   */
  readonly cased?: true;
  /** A verb's -ing form standing for its base form in a rephrased frame ("go about changing" → "change"). */
  readonly gerund?: true;
}

const CASED = /\p{Ll}\p{Lu}|^\p{L}\p{Lu}$|\p{Lu}\p{Lu}\p{Ll}|^[B-HJ-Z]$/u;
/** An acronym's plural ("URLs", "APIs") is no mixed case: it is the acronym. */
const ACRONYM_PLURAL = /^\p{Lu}+s$/u;

/**
 * Whether the case of `raw` may carry meaning: a capital after a small letter ("myVar", "kB"), a short word with a
 * capital second ("MB"), capitals then small letters ("MBps" is not "Mbps", "GHz"), or one capital letter standing
 * alone ("X" in vim is not "x"; "A" and "I" are words).
 */
function isCased(raw: string): boolean {
  return CASED.test(raw) && !ACRONYM_PLURAL.test(raw);
}

const LATIN = '\\p{Script=Latin}';
const PATTERN = new RegExp(
  [
    '(?<code>`[^`\\n]{1,200}`)',
    '(?<url>https?://[^\\s]+|[\\w.+-]+@[\\w-]+\\.[\\w.]+)',
    `(?<flag>(?<![\\p{L}\\p{N}_-])--?${LATIN}[\\p{L}\\p{N}_-]*)`,
    '(?<format>%[A-Za-z])',
    // A regular expression's escape (`\d` is a digit, `\D` anything else) and a character class with a range.
    '(?<escape>\\\\[A-Za-z])',
    '(?<charclass>\\[\\^?[^\\]\\s]*[A-Za-z0-9]-[A-Za-z0-9][^\\]\\s]*\\])',
    '(?<language>[A-Za-z](?:\\+\\+|#)(?![\\p{L}\\p{N}#+]))',
    '(?<time>\\d{1,2}(?:[:.]\\d{2})?\\s?[AaPp]\\.?[Mm]\\b\\.?|\\d{1,2}:\\d{2}(?::\\d{2})?)',
    `(?<dotted>(?:${LATIN}\\.){2,})`,
    `(?<alphanumeric>[${LATIN}\\p{N}_]*\\p{N}[${LATIN}\\p{N}_]*(?:[-.,/](?=[${LATIN}\\p{N}_]*\\p{N})[${LATIN}\\p{N}_]+)*)`,
    `(?<word>${LATIN}[${LATIN}\\p{M}_]*(?:['’-][${LATIN}\\p{M}_]+)*)`,
    '(?<script>[\\p{L}\\p{M}]+)',
    '(?<emoji>\\p{Extended_Pictographic}(?:\\uFE0F|\\u200D\\p{Extended_Pictographic}|\\p{Emoji_Modifier})*)',
    '(?<break>[.,?!;:…]+|[–—]|(?<=\\p{L}\\s)-(?=\\s\\p{L}))',
    '(?<joiner>(?<=\\p{N})-(?=\\p{L}))',
    '(?<ignored>["“”‘’\'()\\[\\]{}]|\\s+|\\uFE0F|\\u200D)',
    '(?<symbol>.)',
  ].join('|'),
  'gsu',
);

const TIME = /^(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})?\s?(?:([AaPp])\.?[Mm]\.?)?$/;

/** "6am", "6 a.m.", "06:00" → "6:00"; "6pm", "18:00" → "18:00". */
export function normalizeTime(raw: string): string {
  const match = TIME.exec(raw);
  if (!match) return raw.toLowerCase();
  let hour = Number(match[1]);
  const meridiem = match[3]?.toLowerCase();
  if (meridiem) hour = (hour % 12) + (meridiem === 'p' ? 12 : 0);
  return `${hour}:${match[2] ?? '00'}`;
}

/** "1,000" → "1000", "5k" → "5000", "007" stays a code; other alphanumerics are lowercased. */
function normalizeAlphanumeric(raw: string): { key: string; kind: TokenKind } {
  const lower = raw.toLowerCase();
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(lower)) return { key: lower.replace(/,/g, ''), kind: 'number' };
  const thousands = /^(\d+(?:\.\d+)?)k$/.exec(lower);
  if (thousands) return { key: String(Number(thousands[1]) * 1000), kind: 'number' };
  if (/^(?:0|[1-9]\d*)(?:\.\d+)?$/.test(lower)) return { key: lower, kind: 'number' };
  return { key: lower, kind: /^\d/.test(lower) && /^\d+(?:st|nd|rd|th)$/.test(lower) ? 'number' : 'word' };
}

function toToken(group: string, raw: string): Token | undefined {
  switch (group) {
    case 'code':
      return { key: raw.slice(1, -1), raw, kind: 'code' };
    case 'url':
    case 'flag':
    case 'format':
    case 'escape':
    case 'charclass':
      return { key: raw, raw, kind: 'code' };
    case 'language':
      return { key: raw.toUpperCase(), raw, kind: 'symbol' };
    case 'time':
      return { key: normalizeTime(raw), raw, kind: 'time' };
    case 'dotted':
      return { key: raw.replace(/\./g, '').toLowerCase(), raw, kind: 'word' };
    case 'alphanumeric':
      return { ...normalizeAlphanumeric(raw), raw, ...(isCased(raw) ? { cased: true } : {}) };
    case 'word':
      return {
        key: raw.toLowerCase().replace(/’/g, "'"),
        raw,
        kind: 'word',
        ...(isCased(raw) ? { cased: true } : {}),
      };
    case 'script':
    case 'emoji':
    case 'symbol':
      return { key: raw.normalize('NFC'), raw, kind: group };
    case 'break':
      return { key: raw, raw, kind: 'break' };
    default:
      return undefined;
  }
}

/**
 * @example
 * tokenize('Is C# faster than C++? Run `ls -R`').map((t) => t.key);
 * // → ['is', 'C#', 'faster', 'than', 'C++', '?', 'run', 'ls -R']
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let upper = 0;
  let letters = 0;
  const push = (token: Token) => {
    if (token.kind === 'word') {
      letters += token.raw.length;
      for (let i = 0; i < token.raw.length; i++) if (token.raw[i] !== token.key[i]) upper++;
    }
    tokens.push(token);
  };
  // Most chunks between spaces are plain words: they skip the full expression (a third of the time on long texts).
  for (const [chunk] of text.normalize('NFC').replace(MERIDIEM, '$1$2').matchAll(CHUNK)) {
    if (DASH.test(chunk) && tokens.at(-1)?.kind === 'word') {
      push({ key: chunk, raw: chunk, kind: 'break' });
      continue;
    }
    const plain = PLAIN.exec(chunk);
    if (plain) {
      push(plainWord(plain[1]!));
      if (plain[2]) push({ key: plain[2], raw: plain[2], kind: 'break' });
      continue;
    }
    for (const match of chunk.matchAll(PATTERN)) {
      const index = match.findIndex((value, group) => group > 0 && value !== undefined);
      const token = toToken(GROUPS[index - 1]!, match[index]!);
      if (token) push(token);
    }
  }
  // A text written in capitals shouts; its case says nothing about any one word.
  if (upper > 0.6 * letters) return tokens.map(({ cased: _cased, ...token }) => token);
  return tokens;
}

const CHUNK = /\S+/g;
const PLAIN = /^([A-Za-z]+)([.,?!;:]*)$/;
/** A dash standing alone after a word ends a clause ("quick one - does it …"); after a number it is a minus. */
const DASH = /^[-–—]+$/;
/** "6 am" is one time: the space is taken out before chunks are cut at spaces. */
const MERIDIEM = /(\d)\s+([AaPp]\.?[Mm]\b\.?)/g;
const GROUPS = [...PATTERN.source.matchAll(/\(\?<([a-z]+)>/g)].map((match) => match[1]!);

function plainWord(raw: string): Token {
  const key = raw.toLowerCase();
  return isCased(raw) ? { key, raw, kind: 'word', cased: true } : { key, raw, kind: 'word' };
}
