/**
 * Rewrites a JSON Schema pattern (ECMA-262 with the `u` flag) into RE2 syntax that `test`s the same strings, so it
 * can run on a linear-time engine. Where the two dialects read the same text differently (`.`, `\s`, a `[` inside a
 * class, `\u{…}`, `[]`) the output spells the ECMA meaning out; every literal is written as `\x{…}` so no character
 * can take on an RE2-only meaning. What RE2 cannot do at all (backreferences, lookaround, counts above 1000), and
 * a pattern too large to compile cheaply, is refused with an `UnsupportedPatternError`.
 */
import { RE2JS } from 're2js';
import { UnsupportedPatternError } from './unsupported-pattern-error.js';

type Range = readonly [from: number, to: number];

/** RE2 refuses a repeat count above this. */
const MAX_REPEAT = 1000;
/**
 * The most RE2 instructions (estimated: `x{0,1000}` counts each copy of `x`) a pattern may compile to. Compiling
 * costs time and memory in proportion (a 7 KB pattern of `a{1000}`s took 4 s and 475 MB), and so can matching; the
 * largest common patterns (`^.{1,1000}$`) need about 2,000.
 */
const MAX_PROGRAM_SIZE = 5000;
const MAX_CODE_POINT = 0x10ffff;
const ANY_CODE_POINT = `${hex(0)}-${hex(MAX_CODE_POINT)}`;
/** ECMA `\s`: the WhiteSpace and LineTerminator code points (RE2's `\s` is ASCII only). */
const WHITE_SPACE: readonly Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
/** ECMA `.` without the `s` flag matches anything but a line terminator (RE2's `.` only excludes `\n`). */
const NOT_LINE_TERMINATOR = `[^${[0x0a, 0x0d, 0x2028, 0x2029].map(hex).join('')}]`;
/** Escapes both dialects read alike: ASCII digit, word character, word boundary. */
const SHARED_ESCAPES = new Set(['d', 'D', 'w', 'W', 'b', 'B']);
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };
/** ECMA's long General_Category names; RE2 knows only the short ones. */
const GENERAL_CATEGORIES: Readonly<Record<string, string>> = {
  Cased_Letter: 'LC',
  Close_Punctuation: 'Pe',
  Combining_Mark: 'M',
  Connector_Punctuation: 'Pc',
  Control: 'Cc',
  Currency_Symbol: 'Sc',
  Dash_Punctuation: 'Pd',
  Decimal_Number: 'Nd',
  Enclosing_Mark: 'Me',
  Final_Punctuation: 'Pf',
  Format: 'Cf',
  Initial_Punctuation: 'Pi',
  Letter: 'L',
  Letter_Number: 'Nl',
  Line_Separator: 'Zl',
  Lowercase_Letter: 'Ll',
  Mark: 'M',
  Math_Symbol: 'Sm',
  Modifier_Letter: 'Lm',
  Modifier_Symbol: 'Sk',
  Nonspacing_Mark: 'Mn',
  Number: 'N',
  Open_Punctuation: 'Ps',
  Other: 'C',
  Other_Letter: 'Lo',
  Other_Number: 'No',
  Other_Punctuation: 'Po',
  Other_Symbol: 'So',
  Paragraph_Separator: 'Zp',
  Private_Use: 'Co',
  Punctuation: 'P',
  Separator: 'Z',
  Space_Separator: 'Zs',
  Spacing_Mark: 'Mc',
  Surrogate: 'Cs',
  Symbol: 'S',
  Titlecase_Letter: 'Lt',
  Unassigned: 'Cn',
  Uppercase_Letter: 'Lu',
  cntrl: 'Cc',
  digit: 'Nd',
  punct: 'P',
};
/** ECMA properties RE2 has no name for, as code point ranges. */
const PROPERTY_RANGES: Readonly<Record<string, readonly Range[]>> = { ASCII: [[0, 0x7f]] };

/**
 * The RE2 form of an ECMA-262 `u`-flag pattern.
 *
 * @example
 * translatePattern('^\\S+$'); // '^[^\\x{9}-\\x{d}…]+$', with ECMA's Unicode white space
 * translatePattern('(a)\\1'); // throws UnsupportedPatternError: a backreference \1
 */
export function translatePattern(pattern: string): string {
  checkSyntax(pattern);
  return new PatternReader(pattern).translate();
}

/** Compiling (never running) with the native engine rejects what is not ECMA-262 with the `u` flag. */
function checkSyntax(pattern: string): void {
  try {
    void new RegExp(pattern, 'u');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.slice(message.lastIndexOf(': ') + 2);
    throw new UnsupportedPatternError({ pattern, kind: 'syntax', reason });
  }
}

/** The estimated program size of one group level so far, and of its last atom (which a quantifier repeats). */
interface SizeFrame {
  size: number;
  last: number;
}

/** Reads a pattern already known to be valid `u`-flag syntax, one code point at a time. */
class PatternReader {
  private readonly chars: readonly string[];
  private at = 0;
  private readonly sizes: SizeFrame[] = [{ size: 0, last: 0 }];

  constructor(private readonly pattern: string) {
    this.chars = [...pattern];
  }

  translate(): string {
    let out = '';
    while (this.at < this.chars.length) out += this.term();
    const size = this.sizes[0]!.size;
    if (size > MAX_PROGRAM_SIZE) {
      const reason = `about ${size} steps compiled, more than ${MAX_PROGRAM_SIZE}`;
      throw new UnsupportedPatternError({ pattern: this.pattern, kind: 'size', reason });
    }
    return out;
  }

  private term(): string {
    const char = this.next();
    this.measure(char);
    if ('^$|)*+?'.includes(char)) return char;
    if (char === '(') return this.group();
    if (char === '{') return this.count();
    if (char === '.') return NOT_LINE_TERMINATOR;
    if (char === '[') return this.characterClass();
    if (char === '\\') return this.atomEscape();
    return hex(codePoint(char));
  }

  /** Keeps the estimated program size: an atom counts 1, a group its contents; `count` adds the copies. */
  private measure(char: string): void {
    const frame = this.sizes.at(-1)!;
    if ('*+?|'.includes(char)) frame.size += 1;
    else if (char === '(') this.sizes.push({ size: 0, last: 0 });
    else if (char === ')') this.measureAtom(this.sizes.pop()!.size);
    else if (char !== '{') this.measureAtom(1);
  }

  private measureAtom(size: number): void {
    const frame = this.sizes.at(-1)!;
    frame.size += size;
    frame.last = size;
  }

  /** Every group becomes non-capturing: only `test` is ever asked, and backreferences are refused. */
  private group(): string {
    if (this.peek() !== '?') return '(?:';
    const kind = this.peek(1);
    if (kind === ':') {
      this.at += 2;
      return '(?:';
    }
    if (kind === '=' || kind === '!') this.refuse(`a lookahead (?${kind}…)`);
    if (kind !== '<') this.refuse(`a modifier group (?${kind}…)`);
    const after = this.peek(2);
    if (after === '=' || after === '!') this.refuse(`a lookbehind (?<${after}…)`);
    this.readUntil('>');
    return '(?:';
  }

  /** `{n}`, `{n,}` or `{n,m}`; RE2 writes out `n` copies of the atom, then `m - n` optional ones. */
  private count(): string {
    const frame = this.sizes.at(-1)!;
    const body = this.readUntil('}');
    const [least = '', most] = body.split(',');
    const min = Number(least);
    const max = most === undefined ? min : most === '' ? undefined : Number(most);
    if (min > MAX_REPEAT || (max ?? 0) > MAX_REPEAT) this.refuse(`a repeat count above ${MAX_REPEAT}, {${body}}`);
    const atom = frame.last;
    const repeated = min * atom + (max === undefined ? atom + 1 : (max - min) * (atom + 1));
    frame.size += repeated - atom;
    frame.last = repeated;
    return `{${body}}`;
  }

  private atomEscape(): string {
    const char = this.next();
    if (char >= '1' && char <= '9') this.refuse(`a backreference \\${char}${this.readDigits()}`);
    if (char === 'k') this.refuse(`a backreference \\k${this.readUntil('>')}>`);
    if (SHARED_ESCAPES.has(char)) return `\\${char}`;
    if (char === 's' || char === 'S') return `[${char === 'S' ? '^' : ''}${rangesText(WHITE_SPACE)}]`;
    if (char === 'p' || char === 'P') return this.property(char === 'P', false);
    return hex(this.characterEscape(char));
  }

  private characterClass(): string {
    const negated = this.peek() === '^';
    if (negated) this.at++;
    const parts: string[] = [];
    while (this.at < this.chars.length && this.peek() !== ']') {
      const from = this.classAtom();
      if (typeof from === 'number' && this.peek() === '-' && this.peek(1) !== ']') {
        this.at++;
        parts.push(`${hex(from)}-${hex(this.classAtom() as number)}`);
      } else parts.push(typeof from === 'number' ? hex(from) : from);
    }
    this.at++;
    if (parts.length === 0) return negated ? `[${ANY_CODE_POINT}]` : `[^${ANY_CODE_POINT}]`;
    return `[${negated ? '^' : ''}${parts.join('')}]`;
  }

  /** A code point, or a set already written as RE2 class contents. */
  private classAtom(): number | string {
    const char = this.next();
    if (char !== '\\') return codePoint(char);
    const escaped = this.next();
    if (escaped === 'b') return 0x08;
    if (SHARED_ESCAPES.has(escaped)) return `\\${escaped}`;
    if (escaped === 's') return rangesText(WHITE_SPACE);
    if (escaped === 'S') return rangesText(complement(WHITE_SPACE));
    if (escaped === 'p' || escaped === 'P') return this.property(escaped === 'P', true);
    return this.characterEscape(escaped);
  }

  private characterEscape(char: string): number {
    const control = CONTROL_ESCAPES[char];
    if (control !== undefined) return control;
    if (char === 'c') return codePoint(this.next()) % 32;
    if (char === '0') return 0;
    if (char === 'x') return this.readHex(2);
    if (char === 'u') return this.unicodeEscape();
    return codePoint(char);
  }

  /** `\u{1F600}`, `\u00e9`, or a surrogate pair written as two `\u` escapes, which the `u` flag reads as one. */
  private unicodeEscape(): number {
    if (this.peek() === '{') {
      this.at++;
      return Number.parseInt(this.readUntil('}'), 16);
    }
    const unit = this.readHex(4);
    if (unit < 0xd800 || unit > 0xdbff || this.peek() !== '\\' || this.peek(1) !== 'u') return unit;
    const trail = Number.parseInt(this.chars.slice(this.at + 2, this.at + 6).join(''), 16);
    if (!(trail >= 0xdc00 && trail <= 0xdfff)) return unit;
    this.at += 6;
    return 0x10000 + ((unit - 0xd800) << 10) + (trail - 0xdc00);
  }

  private property(negated: boolean, inClass: boolean): string {
    this.at++;
    const body = this.readUntil('}');
    const written = `\\${negated ? 'P' : 'p'}{${body}}`;
    const [key, value] = body.includes('=') ? body.split('=') : [undefined, body];
    if (key === 'Script_Extensions' || key === 'scx') this.refuse(`the Unicode property ${written}`);
    const name = key === 'Script' || key === 'sc' ? (value as string) : (GENERAL_CATEGORIES[value!] ?? value!);
    const ranges = PROPERTY_RANGES[name];
    if (ranges) {
      const set = rangesText(negated ? complement(ranges) : ranges);
      return inClass ? set : `[${set}]`;
    }
    const translated = `\\${negated ? 'P' : 'p'}{${name}}`;
    if (!re2Compiles(translated)) this.refuse(`the Unicode property ${written}`);
    return translated;
  }

  private next(): string {
    return this.chars[this.at++] ?? '';
  }

  private peek(offset = 0): string {
    return this.chars[this.at + offset] ?? '';
  }

  /** The text up to `end`, which is consumed. */
  private readUntil(end: string): string {
    const close = this.chars.indexOf(end, this.at);
    if (close < 0) throw new UnsupportedPatternError({ pattern: this.pattern, kind: 'syntax', reason: `no ${end}` });
    const text = this.chars.slice(this.at, close).join('');
    this.at = close + 1;
    return text;
  }

  private readDigits(): string {
    let digits = '';
    while (this.peek() >= '0' && this.peek() <= '9') digits += this.next();
    return digits;
  }

  private readHex(length: number): number {
    const digits = this.chars.slice(this.at, this.at + length).join('');
    this.at += length;
    return Number.parseInt(digits, 16);
  }

  private refuse(reason: string): never {
    throw new UnsupportedPatternError({ pattern: this.pattern, kind: 'feature', reason });
  }
}

function codePoint(char: string): number {
  return char.codePointAt(0) ?? 0;
}

function hex(code: number): string {
  return `\\x{${code.toString(16)}}`;
}

function rangesText(ranges: readonly Range[]): string {
  return ranges.map(([from, to]) => (from === to ? hex(from) : `${hex(from)}-${hex(to)}`)).join('');
}

/** The code points not in `ranges` (sorted, not overlapping), for a negated set inside a class. */
function complement(ranges: readonly Range[]): Range[] {
  const gaps: Range[] = [];
  let next = 0;
  for (const [from, to] of ranges) {
    if (from > next) gaps.push([next, from - 1]);
    next = to + 1;
  }
  if (next <= MAX_CODE_POINT) gaps.push([next, MAX_CODE_POINT]);
  return gaps;
}

function re2Compiles(pattern: string): boolean {
  try {
    RE2JS.compile(pattern);
    return true;
  } catch {
    return false;
  }
}
