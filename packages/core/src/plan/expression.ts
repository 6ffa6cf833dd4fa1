/**
 * The expression language of a step's `when` and a loop's `until`: a hand-written tokenizer and Pratt parser that
 * compile the source once into a tree of closures. Nothing is ever passed to `eval` or `Function`.
 *
 * Grammar, loosest binding first:
 *
 * ```text
 * expression  := ternary
 * ternary     := or ( "?" expression ":" ternary )?
 * or          := and ( ( "||" | "or" ) and )*
 * and         := equality ( ( "&&" | "and" ) equality )*
 * equality    := compare ( ( "==" | "!=" ) compare )*
 * compare     := member ( ( "<" | "<=" | ">" | ">=" ) member )*
 * member      := sum ( ( "in" | "not in" ) sum )*
 * sum         := product ( ( "+" | "-" ) product )*
 * product     := unary ( ( "*" | "/" | "%" ) unary )*
 * unary       := ( "!" | "not" | "-" ) unary | primary
 * primary     := number | string | "true" | "false" | "null" | "[" ( expression ( "," expression )* )? "]"
 *              | path | function "(" ( expression ( "," expression )* )? ")" | "(" expression ")"
 * path        := root ( "." name | "[" integer "]" | "[" string "]" )*
 * root        := "steps" | "request" | "loop" | "input"
 * ```
 *
 * - Numbers: `12`, `0.5`, `1e-3`. Strings: single or double quotes; escapes `\\ \' \" \n \r \t`.
 * - Paths are static, so the plan validator can check them: `a[b]` is rejected, and so are the segments
 *   `__proto__`, `constructor` and `prototype`. The whole path goes to the caller's lookup in one call; a name with a
 *   hyphen needs brackets: `steps['fetch-user'].output`.
 * - `==` and `!=` are strict and deep for arrays and plain objects (`1 == '1'` is false, `null == undefined` too; use
 *   `exists(path)` for missing values). `< <= > >=` need two numbers or two strings; `+` adds two numbers or joins two
 *   strings; `- * / %` need numbers, and dividing by zero is an error.
 * - `&&` and `||` short-circuit like JavaScript and return an operand, so `x || 'default'` works. `!` and the test of
 *   `? :` need a boolean: a condition that is not one is a mistake worth reporting.
 * - `x in y`: `x` is an element of array `y` (deep equality), a substring of string `y`, or an own key of object `y`.
 * - Functions: `len exists lower upper trim contains startsWith endsWith number string abs min max round floor ceil`.
 * - Limits: 4096 characters, nesting (parentheses, brackets, calls, unary operators, `? :`) 64 deep, 1000 items
 *   per array literal.
 */
import { BatonError } from '../errors/baton-error.js';

export type PathSegment = string | number;
export type ExpressionLookup = (path: readonly PathSegment[]) => unknown;

export interface Expression {
  readonly source: string;
  /** Every path the expression reads, e.g. [['steps','score','output','value'], ['request','data','tier']]; deduplicated. */
  readonly references: readonly (readonly PathSegment[])[];
  /** Evaluate with a lookup for paths; a missing path resolves to undefined (lookup returns undefined). */
  evaluate(lookup: ExpressionLookup): unknown;
}

/** An expression that does not parse, or failed while evaluating (wrong operand types, a non-boolean condition). */
export class ExpressionError extends BatonError {
  readonly source: string;
  /** 0-based character index in `source`, or -1 when the problem is not at one place. */
  readonly position: number;

  /** `problem` says what is wrong; `hint`, placed after the location, what to do about it. */
  constructor(problem: string, details: { source: string; position?: number; hint?: string }) {
    const position = details.position ?? -1;
    const where = position >= 0 ? ` at position ${position}` : '';
    const hint = details.hint ? `; ${details.hint}` : '';
    super('expression-invalid', `${problem}${where} in ${quote(details.source, position)}${hint}`);
    this.name = 'ExpressionError';
    this.source = details.source;
    this.position = position;
  }

  static override isInstance(error: unknown): error is ExpressionError {
    return BatonError.isInstance(error) && error.code === 'expression-invalid';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), source: this.source, position: this.position };
  }
}

/**
 * Parses and compiles an expression once; evaluate it as often as needed.
 * Throws ExpressionError on bad syntax, an unknown root or function, a dynamic or forbidden path, or a limit exceeded.
 *
 * @example
 * const ready = parseExpression("steps.score.output.value > 0.5 && request.data.tier == 'gold'");
 * ready.references; // [['steps', 'score', 'output', 'value'], ['request', 'data', 'tier']]
 * ready.evaluate((path) => readPath(state, path)); // true or false
 */
export function parseExpression(source: string): Expression {
  if (typeof source !== 'string') {
    throw new ExpressionError(`an expression must be a string, got ${describe(source)}`, { source: String(source) });
  }
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionError(`the expression is ${source.length} characters long; the limit is ${MAX_SOURCE_LENGTH}`, {
      source,
      position: MAX_SOURCE_LENGTH,
    });
  }
  const parser = new Parser(source, tokenize(source));
  const evaluate = compile(parser.parse(), source);
  return Object.freeze({ source, references: Object.freeze([...parser.references.values()]), evaluate });
}

/**
 * Evaluates a `when` or `until` condition, which must produce a boolean.
 *
 * @example
 * const until = parseExpression('steps.review.output.approved == true || loop.iteration >= 3');
 * if (evaluateCondition(until, lookup)) break;
 */
export function evaluateCondition(expression: Expression, lookup: ExpressionLookup): boolean {
  const result = expression.evaluate(lookup);
  if (typeof result === 'boolean') return result;
  throw new ExpressionError(`a condition must evaluate to true or false, got ${describe(result)}`, {
    source: expression.source,
    hint: 'compare the value explicitly, e.g. with ==, > or exists()',
  });
}

const MAX_SOURCE_LENGTH = 4096;
const MAX_DEPTH = 64;
const MAX_ARRAY_ITEMS = 1000;
/** Guards deep equality against cyclic values handed back by a lookup. */
const MAX_COMPARE_DEPTH = 1000;
const ROOTS: ReadonlySet<string> = new Set(['steps', 'request', 'loop', 'input']);
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// ---- Tokens ---------------------------------------------------------------------------------------------------------

interface Token {
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

function tokenize(source: string): Token[] {
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

// ---- Syntax tree ----------------------------------------------------------------------------------------------------

type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | '+' | '-' | '*' | '/' | '%';
type LogicalOperator = '&&' | '||';

type Node =
  | { kind: 'literal'; value: unknown; position: number }
  | { kind: 'path'; path: readonly PathSegment[]; position: number }
  | { kind: 'array'; items: Node[]; position: number }
  | { kind: 'unary'; operator: '!' | '-'; operand: Node; position: number }
  | { kind: 'binary'; operator: BinaryOperator; left: Node; right: Node; position: number }
  | { kind: 'logical'; operator: LogicalOperator; left: Node; right: Node; position: number }
  | { kind: 'conditional'; test: Node; consequent: Node; alternate: Node; position: number }
  | { kind: 'call'; name: string; args: Node[]; position: number };

const TERNARY_PRECEDENCE = 1;
const UNARY_PRECEDENCE = 9;
const INFIX: ReadonlyMap<string, { operator: BinaryOperator | LogicalOperator; precedence: number }> = new Map([
  ['||', { operator: '||', precedence: 2 }],
  ['or', { operator: '||', precedence: 2 }],
  ['&&', { operator: '&&', precedence: 3 }],
  ['and', { operator: '&&', precedence: 3 }],
  ['==', { operator: '==', precedence: 4 }],
  ['!=', { operator: '!=', precedence: 4 }],
  ['<', { operator: '<', precedence: 5 }],
  ['<=', { operator: '<=', precedence: 5 }],
  ['>', { operator: '>', precedence: 5 }],
  ['>=', { operator: '>=', precedence: 5 }],
  ['in', { operator: 'in', precedence: 6 }],
  ['+', { operator: '+', precedence: 7 }],
  ['-', { operator: '-', precedence: 7 }],
  ['*', { operator: '*', precedence: 8 }],
  ['/', { operator: '/', precedence: 8 }],
  ['%', { operator: '%', precedence: 8 }],
]);

class Parser {
  /** Paths read, keyed by their JSON form, in order of first appearance. */
  readonly references = new Map<string, readonly PathSegment[]>();
  private readonly source: string;
  private readonly tokens: readonly Token[];
  private index = 0;
  private depth = 0;

  constructor(source: string, tokens: readonly Token[]) {
    this.source = source;
    this.tokens = tokens;
  }

  parse(): Node {
    if (this.peek().type === 'end') throw this.error('the expression is empty', 0);
    const node = this.parseExpression(0);
    const token = this.peek();
    if (token.type !== 'end') throw this.unexpected(token);
    return node;
  }

  private parseExpression(minPrecedence: number): Node {
    let left = this.parsePrefix();
    for (;;) {
      const token = this.peek();
      if (isPunct(token, '?')) {
        if (TERNARY_PRECEDENCE < minPrecedence) break;
        this.index++;
        const [consequent, alternate] = this.nested(token.start, () => {
          const consequent = this.parseExpression(0);
          this.expect(':');
          return [consequent, this.parseExpression(TERNARY_PRECEDENCE)] as const;
        });
        left = { kind: 'conditional', test: left, consequent, alternate, position: token.start };
        continue;
      }
      const infix = this.infixAt(token);
      if (infix === undefined || infix.precedence < minPrecedence) break;
      this.index += infix.operator === 'not in' ? 2 : 1;
      const right = this.parseExpression(infix.precedence + 1);
      const { operator } = infix;
      left =
        operator === '&&' || operator === '||'
          ? { kind: 'logical', operator, left, right, position: token.start }
          : { kind: 'binary', operator, left, right, position: token.start };
    }
    return left;
  }

  /**
   * Runs `parse` one level deeper. Only parentheses, brackets, calls, unary operators and `? :` count: a chain such
   * as `a + b + c` recurses a bounded number of times per level, whatever its length.
   */
  private nested<T>(position: number, parse: () => T): T {
    if (this.depth >= MAX_DEPTH) throw this.error(`the expression nests deeper than ${MAX_DEPTH} levels`, position);
    this.depth++;
    const result = parse();
    this.depth--;
    return result;
  }

  private infixAt(token: Token): { operator: BinaryOperator | LogicalOperator; precedence: number } | undefined {
    if (token.type === 'word' && token.text === 'not' && isWord(this.tokens[this.index + 1], 'in')) {
      return { operator: 'not in', precedence: 6 };
    }
    return token.type === 'punct' || token.type === 'word' ? INFIX.get(token.text) : undefined;
  }

  private parsePrefix(): Node {
    const token = this.next();
    const position = token.start;
    if (token.type === 'number' || token.type === 'string') return { kind: 'literal', value: token.value, position };
    if (token.type === 'word') return this.parseWord(token);
    if (isPunct(token, '(')) {
      return this.nested(position, () => {
        const inner = this.parseExpression(0);
        this.expect(')');
        return inner;
      });
    }
    if (isPunct(token, '[')) return this.nested(position, () => this.parseArray(token));
    if (isPunct(token, '!')) return this.parseUnary('!', position);
    if (isPunct(token, '-')) return this.parseUnary('-', position);
    throw this.unexpected(token);
  }

  private parseUnary(operator: '!' | '-', position: number): Node {
    const operand = this.nested(position, () => this.parseExpression(UNARY_PRECEDENCE));
    if (operator === '-' && operand.kind === 'literal' && typeof operand.value === 'number') {
      return { kind: 'literal', value: -operand.value, position };
    }
    return { kind: 'unary', operator, operand, position };
  }

  private parseWord(token: Token): Node {
    const { text, start: position } = token;
    if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true', position };
    if (text === 'null') return { kind: 'literal', value: null, position };
    if (text === 'not') return this.parseUnary('!', position);
    if (ROOTS.has(text)) return this.parsePath(token);
    if (isPunct(this.peek(), '(')) return this.parseCall(token);
    if (INFIX.has(text)) throw this.unexpected(token);
    const hint = FUNCTIONS.has(text)
      ? `${text} is a function: call it as ${text}(…)`
      : `a path must start with one of ${[...ROOTS].join(', ')}`;
    throw this.error(`unknown name "${text}"`, position, hint);
  }

  private parsePath(root: Token): Node {
    const path: PathSegment[] = [root.text];
    for (;;) {
      if (this.accept('.')) {
        const name = this.next();
        if (name.type !== 'word') {
          const hint = name.type === 'number' ? `write an index as [${name.text}]` : undefined;
          throw this.error(`expected a name after "." but found ${show(name)}`, name.start, hint);
        }
        path.push(this.segment(name.text, name.start));
      } else if (this.accept('[')) {
        const key = this.next();
        if (key.type === 'string') path.push(this.segment(key.value as string, key.start));
        else if (key.type === 'number' && Number.isSafeInteger(key.value)) path.push(key.value);
        else {
          throw this.error(
            `a path index must be a non-negative integer or a quoted name, found ${show(key)}`,
            key.start,
            'computed indexes such as a[b] are not allowed because paths must be static',
          );
        }
        this.expect(']');
      } else {
        break;
      }
    }
    const key = JSON.stringify(path);
    const known = this.references.get(key);
    if (known) return { kind: 'path', path: known, position: root.start };
    const frozen = Object.freeze(path);
    this.references.set(key, frozen);
    return { kind: 'path', path: frozen, position: root.start };
  }

  private segment(name: string, position: number): string {
    if (FORBIDDEN_SEGMENTS.has(name)) throw this.error(`"${name}" cannot be used as a path segment`, position);
    return name;
  }

  private parseCall(token: Token): Node {
    const { text: name, start: position } = token;
    const spec = FUNCTIONS.get(name);
    if (spec === undefined) {
      const hint = `the allowed functions are ${[...FUNCTIONS.keys()].join(', ')}`;
      throw this.error(`unknown function "${name}"`, position, hint);
    }
    this.expect('(');
    const args: Node[] = [];
    const argsStart = this.peek().start;
    if (!this.accept(')')) {
      this.nested(position, () => {
        do {
          args.push(this.parseExpression(0));
        } while (this.accept(','));
        this.expect(')');
      });
    }
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      const expected =
        spec.maxArgs === Number.POSITIVE_INFINITY
          ? `at least ${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
          : `${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`;
      throw this.error(`${name}() takes ${expected}, got ${args.length}`, position);
    }
    const first = args[0];
    if (name === 'exists' && first?.kind !== 'path') {
      const hint = 'give it a path such as steps.fetch.output';
      throw this.error('exists() takes a path, not a computed value', argsStart, hint);
    }
    return { kind: 'call', name, args, position };
  }

  private parseArray(open: Token): Node {
    const items: Node[] = [];
    if (!this.accept(']')) {
      do {
        if (items.length === MAX_ARRAY_ITEMS) {
          throw this.error(`an array literal may hold at most ${MAX_ARRAY_ITEMS} items`, this.peek().start);
        }
        items.push(this.parseExpression(0));
      } while (this.accept(','));
      this.expect(']');
    }
    return { kind: 'array', items, position: open.start };
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index++;
    return token;
  }

  private accept(punct: string): boolean {
    if (!isPunct(this.peek(), punct)) return false;
    this.index++;
    return true;
  }

  private expect(punct: string): void {
    const token = this.next();
    if (!isPunct(token, punct)) throw this.error(`expected "${punct}" but found ${show(token)}`, token.start);
  }

  private unexpected(token: Token): ExpressionError {
    return this.error(`unexpected ${show(token)}`, token.start);
  }

  private error(problem: string, position: number, hint?: string): ExpressionError {
    return new ExpressionError(problem, { source: this.source, position, hint });
  }
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.type === 'punct' && token.text === text;
}

function isWord(token: Token | undefined, text: string): boolean {
  return token?.type === 'word' && token.text === text;
}

function show(token: Token): string {
  return token.type === 'end' ? 'end of expression' : `"${token.text}"`;
}

// ---- Compilation to closures ----------------------------------------------------------------------------------------

type Compiled = (lookup: ExpressionLookup) => unknown;
type Fail = (problem: string, hint?: string) => never;

function compile(node: Node, source: string): Compiled {
  const fail: Fail = (problem, hint) => {
    throw new ExpressionError(problem, { source, position: node.position, hint });
  };
  switch (node.kind) {
    case 'literal': {
      const { value } = node;
      return () => value;
    }
    case 'path': {
      const { path } = node;
      return (lookup) => lookup(path);
    }
    case 'array': {
      if (node.items.every((item) => item.kind === 'literal')) {
        const value = Object.freeze(node.items.map((item) => (item as { value: unknown }).value));
        return () => value;
      }
      const items = node.items.map((item) => compile(item, source));
      return (lookup) => items.map((item) => item(lookup));
    }
    case 'unary': {
      const operand = compile(node.operand, source);
      if (node.operator === '-') {
        return (lookup) => {
          const value = operand(lookup);
          return typeof value === 'number' ? -value : fail(`"-" needs a number, got ${describe(value)}`);
        };
      }
      return (lookup) => {
        const value = operand(lookup);
        return typeof value === 'boolean' ? !value : fail(`"!" needs a boolean, got ${describe(value)}`);
      };
    }
    case 'logical': {
      const left = compile(node.left, source);
      const right = compile(node.right, source);
      if (node.operator === '&&') {
        return (lookup) => {
          const value = left(lookup);
          return value ? right(lookup) : value;
        };
      }
      return (lookup) => {
        const value = left(lookup);
        return value ? value : right(lookup);
      };
    }
    case 'conditional': {
      const test = compile(node.test, source);
      const consequent = compile(node.consequent, source);
      const alternate = compile(node.alternate, source);
      return (lookup) => {
        const value = test(lookup);
        if (typeof value !== 'boolean') return fail(`the test of "? :" must be a boolean, got ${describe(value)}`);
        return value ? consequent(lookup) : alternate(lookup);
      };
    }
    case 'binary':
      return compileBinary(node, compile(node.left, source), compile(node.right, source), fail);
    case 'call':
      return compileCall(node, source, fail);
  }
}

type Ordered = number | string;
const ORDERINGS: Readonly<Record<string, (a: Ordered, b: Ordered) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function compileBinary(node: Extract<Node, { kind: 'binary' }>, left: Compiled, right: Compiled, fail: Fail): Compiled {
  const { operator } = node;
  const equal = (a: unknown, b: unknown) => deepEqual(a, b, 0, fail);
  switch (operator) {
    case '==':
    case '!=': {
      const negate = operator === '!=';
      // A literal is never an array or object, so comparing with one needs no deep equality.
      const literal = node.right.kind === 'literal' ? node.right : node.left.kind === 'literal' ? node.left : undefined;
      if (literal !== undefined) {
        const other = literal === node.right ? left : right;
        const { value } = literal;
        return negate ? (lookup) => other(lookup) !== value : (lookup) => other(lookup) === value;
      }
      return negate ? (lookup) => !equal(left(lookup), right(lookup)) : (lookup) => equal(left(lookup), right(lookup));
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const order = ORDERINGS[operator] as (a: Ordered, b: Ordered) => boolean;
      return (lookup) => {
        const a = left(lookup);
        const b = right(lookup);
        if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) {
          return order(a, b);
        }
        return fail(
          `cannot compare ${describe(a)} with ${describe(b)} using "${operator}"`,
          'both sides must be numbers or both strings',
        );
      };
    }
    case 'in':
    case 'not in': {
      const negate = operator === 'not in';
      const failIn: Fail = (problem, hint) => fail(`"${operator}" ${problem}`, hint);
      return (lookup) => {
        const found = contains(right(lookup), left(lookup), failIn);
        return negate ? !found : found;
      };
    }
    case '+':
      return (lookup) => {
        const a = left(lookup);
        const b = right(lookup);
        if (typeof a === 'number' && typeof b === 'number') return a + b;
        if (typeof a === 'string' && typeof b === 'string') return a + b;
        return fail(`cannot add ${describe(a)} and ${describe(b)}`, '"+" needs two numbers or two strings');
      };
    default:
      return compileArithmetic(operator, left, right, fail);
  }
}

function compileArithmetic(operator: '-' | '*' | '/' | '%', left: Compiled, right: Compiled, fail: Fail): Compiled {
  const apply: (a: number, b: number) => number =
    operator === '-'
      ? (a, b) => a - b
      : operator === '*'
        ? (a, b) => a * b
        : operator === '/'
          ? (a, b) => (b === 0 ? fail('division by zero') : a / b)
          : (a, b) => (b === 0 ? fail('division by zero') : a % b);
  return (lookup) => {
    const a = left(lookup);
    const b = right(lookup);
    if (typeof a === 'number' && typeof b === 'number') return apply(a, b);
    return fail(`"${operator}" needs two numbers, got ${describe(a)} and ${describe(b)}`);
  };
}

function compileCall(node: Extract<Node, { kind: 'call' }>, source: string, fail: Fail): Compiled {
  const { name } = node;
  if (name === 'exists') {
    const { path } = node.args[0] as Extract<Node, { kind: 'path' }>;
    return (lookup) => lookup(path) !== undefined;
  }
  const apply = (FUNCTIONS.get(name) as FunctionSpec).apply;
  const failIn: Fail = (problem, hint) => fail(`${name}() ${problem}`, hint);
  const args = node.args.map((arg) => compile(arg, source));
  if (args.length === 1) {
    const only = args[0] as Compiled;
    return (lookup) => apply([only(lookup)], failIn);
  }
  return (lookup) =>
    apply(
      args.map((arg) => arg(lookup)),
      failIn,
    );
}

// ---- Functions ------------------------------------------------------------------------------------------------------

interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  apply(args: readonly unknown[], fail: Fail): unknown;
}

const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['len', unary(length)],
  // Compiled specially: it reads its path itself rather than taking a value.
  ['exists', unary(() => true)],
  ['lower', unary((value, fail) => text(value, fail).toLowerCase())],
  ['upper', unary((value, fail) => text(value, fail).toUpperCase())],
  ['trim', unary((value, fail) => text(value, fail).trim())],
  ['contains', binary((haystack, needle, fail) => contains(haystack, needle, fail))],
  ['startsWith', binary((value, prefix, fail) => text(value, fail).startsWith(text(prefix, fail)))],
  ['endsWith', binary((value, suffix, fail) => text(value, fail).endsWith(text(suffix, fail)))],
  ['number', unary(toNumber)],
  ['string', unary(toText)],
  ['abs', unary((value, fail) => Math.abs(numeric(value, fail)))],
  [
    'min',
    { minArgs: 1, maxArgs: Number.POSITIVE_INFINITY, apply: (args, fail) => extreme(args, fail, (a, b) => a < b) },
  ],
  [
    'max',
    { minArgs: 1, maxArgs: Number.POSITIVE_INFINITY, apply: (args, fail) => extreme(args, fail, (a, b) => a > b) },
  ],
  ['round', unary((value, fail) => Math.round(numeric(value, fail)))],
  ['floor', unary((value, fail) => Math.floor(numeric(value, fail)))],
  ['ceil', unary((value, fail) => Math.ceil(numeric(value, fail)))],
]);

function unary(apply: (value: unknown, fail: Fail) => unknown): FunctionSpec {
  return { minArgs: 1, maxArgs: 1, apply: (args, fail) => apply(args[0], fail) };
}

function binary(apply: (a: unknown, b: unknown, fail: Fail) => unknown): FunctionSpec {
  return { minArgs: 2, maxArgs: 2, apply: (args, fail) => apply(args[0], args[1], fail) };
}

function length(value: unknown, fail: Fail): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length;
  return fail(`needs a string, an array or an object, got ${describe(value)}`);
}

function text(value: unknown, fail: Fail): string {
  return typeof value === 'string' ? value : fail(`needs a string, got ${describe(value)}`);
}

function numeric(value: unknown, fail: Fail): number {
  return typeof value === 'number' ? value : fail(`needs a number, got ${describe(value)}`);
}

function toNumber(value: unknown, fail: Fail): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  return fail(`cannot turn ${describe(value)} into a number`);
}

function toText(value: unknown, fail: Fail): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return fail(`cannot turn ${describe(value)} into a string`);
    }
  }
  return fail(`cannot turn ${describe(value)} into a string`);
}

function extreme(args: readonly unknown[], fail: Fail, wins: (a: number, b: number) => boolean): number {
  const values = args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly unknown[]) : args;
  if (values.length === 0) return fail('needs at least one number, got an empty array');
  let best = numeric(values[0], fail);
  for (let i = 1; i < values.length; i++) {
    const value = numeric(values[i], fail);
    if (wins(value, best)) best = value;
  }
  return best;
}

function contains(container: unknown, item: unknown, fail: Fail): boolean {
  if (Array.isArray(container)) {
    for (const element of container) if (deepEqual(element, item, 0, fail)) return true;
    return false;
  }
  if (typeof container === 'string') {
    return typeof item === 'string'
      ? container.includes(item)
      : fail(`can only look for a string in a string, got ${describe(item)}`);
  }
  if (typeof container === 'object' && container !== null) {
    return typeof item === 'string'
      ? Object.hasOwn(container, item)
      : fail(`can only look for a string key in an object, got ${describe(item)}`);
  }
  return fail(`needs an array, a string or an object to look in, got ${describe(container)}`);
}

function deepEqual(a: unknown, b: unknown, depth: number, fail: Fail): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (depth > MAX_COMPARE_DEPTH) return fail(`cannot compare values nested deeper than ${MAX_COMPARE_DEPTH}`);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i], depth + 1, fail)) return false;
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !deepEqual(a[key], b[key], depth + 1, fail)) return false;
  }
  return true;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---- Messages -------------------------------------------------------------------------------------------------------

/** A value as an error message shows it: its type, and the value itself when it is short. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** The source in quotes; a long one is cut to the part around `position`. */
function quote(source: string, position: number): string {
  if (source.length <= 160) return `"${source}"`;
  const from = Math.max(0, position - 60);
  const to = Math.min(source.length, from + 120);
  return `"${from > 0 ? '…' : ''}${source.slice(from, to)}${to < source.length ? '…' : ''}"`;
}
