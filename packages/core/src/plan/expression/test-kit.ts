/**
 * Helpers the expression tests share: a lookup over a plain state object, and shortcuts that run an expression or
 * catch the ExpressionError it throws. Not exported from the package.
 */
import { ExpressionError, type PathSegment, parseExpression } from '../expression.js';

export type State = Record<string, unknown>;

/** Reads own properties only, like the engine's lookup. */
export function lookupIn(state: State) {
  return (path: readonly PathSegment[]): unknown => {
    let current: unknown = state;
    for (const segment of path) {
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<PathSegment, unknown>)[segment];
    }
    return current;
  };
}

export function run(source: string, state: State = {}): unknown {
  return parseExpression(source).evaluate(lookupIn(state));
}

export function failure(action: () => unknown): ExpressionError {
  try {
    action();
  } catch (error) {
    if (ExpressionError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError, but nothing was thrown');
}

export function parseFailure(source: string): ExpressionError {
  return failure(() => parseExpression(source));
}

export function runFailure(source: string, state: State = {}): ExpressionError {
  const expression = parseExpression(source);
  return failure(() => expression.evaluate(lookupIn(state)));
}
