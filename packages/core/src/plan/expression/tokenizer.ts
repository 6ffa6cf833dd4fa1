/** The tokenizer: splits an expression's source into numbers, strings, words and punctuation. */
import { ExpressionError } from './expression-error.js';

export interface Token {
  type: 'number' | 'string' | 'word' | 'punct' | 'end';
  /** The token as written in the source. */
  text: string;
  /** The decoded value of a number or string. */
  value: string | number;
  start: number;
}

const PUNCTUATION: ReadonlySet<string> = new Set('!<>+-*/%?:()[],.');
const DOUBLE_PUNCTUATION: ReadonlySet<string> = new Set(['==', '!=', '<=', '>=', '&&', '||']);
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at] as string;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      at++;
    } else if (isDigit(char)) {
      at = readNumber(source, at, tokens);
    } else if (char === "'" || char === '"') {
      at = readString(source, at, tokens);
    } else if (isNameStart(char)) {
      let end = at + 1;
      while (end < source.length && isNamePart(source[end] as string)) end++;
      const text = source.slice(at, end);
      tokens.push({ type: 'word', text, value: text, start: at });
      at = end;
    } else if (DOUBLE_PUNCTUATION.has(source.slice(at, at + 2))) {
      const text = source.slice(at, at + 2);
      tokens.push({ type: 'punct', text, value: text, start: at });
      at += 2;
    } else if (PUNCTUATION.has(char)) {
      tokens.push({ type: 'punct', text: char, value: char, start: at });
      at++;
    } else {
      throw unexpectedCharacter(source, at);
    }
  }
  tokens.push({ type: 'end', text: '', value: '', start: source.length });
  return tokens;
}

const CHARACTER_HINTS: Readonly<Record<string, string>> = {
  '=': 'use "==" to compare',
  '&': 'use "&&" or "and"',
  '|': 'use "||" or "or"',
};

function unexpectedCharacter(source: string, at: number): ExpressionError {
  const char = source[at] as string;
  const before = source.slice(Math.max(0, at - 2), at);
  if (char === '=' && (before === '==' || before === '!=')) {
    const hint = `use "${before}" (it is already strict)`;
    return new ExpressionError(`"${before}=" is not an operator`, { source, position: at - 2, hint });
  }
  const hint = CHARACTER_HINTS[char];
  return new ExpressionError(`unexpected character "${char}"`, { source, position: at, hint });
}

function readNumber(source: string, start: number, tokens: Token[]): number {
  let at = skipDigits(source, start);
  if (source[at] === '.') {
    if (!isDigit(source[at + 1] ?? ''))
      throw new ExpressionError('expected a digit after "."', { source, position: at });
    at = skipDigits(source, at + 1);
  }
  if (source[at] === 'e' || source[at] === 'E') {
    const sign = source[at + 1] === '+' || source[at + 1] === '-' ? 1 : 0;
    if (!isDigit(source[at + 1 + sign] ?? '')) {
      throw new ExpressionError('expected a digit in the exponent', { source, position: at + 1 + sign });
    }
    at = skipDigits(source, at + 1 + sign);
  }
  if (at < source.length && isNamePart(source[at] as string)) {
    throw new ExpressionError(`unexpected "${source[at]}" right after a number`, { source, position: at });
  }
  const text = source.slice(start, at);
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new ExpressionError(`the number ${text} is too large`, { source, position: start });
  tokens.push({ type: 'number', text, value, start });
  return at;
}

function readString(source: string, start: number, tokens: Token[]): number {
  const quoteChar = source[start];
  let value = '';
  let at = start + 1;
  for (;;) {
    const char = source[at];
    if (char === undefined) throw new ExpressionError('unterminated string', { source, position: start });
    if (char === quoteChar) break;
    if (char === '\\') {
      const escaped = ESCAPES[source[at + 1] ?? ''];
      if (escaped === undefined) {
        const what = at + 1 < source.length ? `"\\${source[at + 1]}"` : '"\\" at the end';
        const hint = 'the escapes are \\\\ \\\' \\" \\n \\r and \\t';
        throw new ExpressionError(`unknown escape ${what}`, { source, position: at, hint });
      }
      value += escaped;
      at += 2;
    } else {
      value += char;
      at++;
    }
  }
  tokens.push({ type: 'string', text: source.slice(start, at + 1), value, start });
  return at + 1;
}

function skipDigits(source: string, at: number): number {
  let end = at;
  while (end < source.length && isDigit(source[end] as string)) end++;
  return end;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

function isNameStart(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_' || char === '$';
}

function isNamePart(char: string): boolean {
  return isNameStart(char) || isDigit(char);
}
