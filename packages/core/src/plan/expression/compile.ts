/** The compiler: turns a syntax tree into a tree of closures that check operand types as they evaluate. */
import { ExpressionError } from './expression-error.js';
import { FUNCTIONS, type FunctionSpec } from './functions.js';
import type { Node } from './syntax-tree.js';
import type { ExpressionLookup } from './types.js';
import { contains, deepEqual, describe, type Fail } from './values.js';

type Compiled = (lookup: ExpressionLookup) => unknown;

export function compile(node: Node, source: string): Compiled {
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
