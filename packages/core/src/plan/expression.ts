/**
 * The expression language of a step's `when` and a loop's `until`: a hand-written tokenizer and Pratt parser that
 * compile the source once into a tree of closures. Nothing is ever passed to `eval` or `Function`.
 * This module is the public entry point; the pieces live in `./expression/` (`tokenizer`, `parser`, `compile`,
 * `functions`, `values`, `expression-error`).
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
import { requireArgument } from '../errors/require-argument.js';
import { compile } from './expression/compile.js';
import { ExpressionError } from './expression/expression-error.js';
import { Parser } from './expression/parser.js';
import { tokenize } from './expression/tokenizer.js';
import type { Expression, ExpressionLookup } from './expression/types.js';
import { describe } from './expression/values.js';

export { ExpressionError } from './expression/expression-error.js';
export type { Expression, ExpressionLookup, PathSegment } from './expression/types.js';

const MAX_SOURCE_LENGTH = 4096;

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
  const parsed = typeof (expression as Partial<Expression> | null)?.evaluate === 'function';
  requireArgument('evaluateCondition', 'expression', parsed, 'an expression from parseExpression()', expression);
  requireArgument('evaluateCondition', 'lookup', typeof lookup === 'function', 'a function (path) => value', lookup);
  const result = expression.evaluate(lookup);
  if (typeof result === 'boolean') return result;
  throw new ExpressionError(`a condition must evaluate to true or false, got ${describe(result)}`, {
    source: expression.source,
    hint: 'compare the value explicitly, e.g. with ==, > or exists()',
  });
}
