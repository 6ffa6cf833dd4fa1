/** The Pratt parser: turns tokens into a syntax tree, collecting the static paths it reads and enforcing the limits. */
import { ExpressionError } from './expression-error.js';
import { FUNCTIONS } from './functions.js';
import type { BinaryOperator, LogicalOperator, Node } from './syntax-tree.js';
import type { Token } from './tokenizer.js';
import type { PathSegment } from './types.js';

const MAX_DEPTH = 64;
const MAX_ARRAY_ITEMS = 1000;
const ROOTS: ReadonlySet<string> = new Set(['steps', 'request', 'loop', 'input']);
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

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

export class Parser {
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
