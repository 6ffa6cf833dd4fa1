/** Parses a step's `when` or a loop's `until` for plan validation, and spots conditions whose value never changes. */

import { describeValue } from '../errors/describe-value.js';
import { quoteText } from '../errors/quote-text.js';
import type { Problem } from '../errors/validation-error.js';
import { type Expression, parseExpression } from './expression.js';

export function parseCondition(source: unknown, path: string, problems: Problem[]): Expression | undefined {
  if (source === undefined) return undefined;
  if (typeof source !== 'string') {
    problems.push({ path, code: 'type', message: `a condition must be a string expression, got ${typeof source}` });
    return undefined;
  }
  try {
    const expression = parseExpression(source);
    if (expression.references.length === 0) {
      const value = expression.evaluate(() => undefined);
      if (typeof value !== 'boolean') {
        problems.push({
          path,
          code: 'invalid-expression',
          message: `${quoteText(source)} is always ${describeValue(value)}, not true or false`,
        });
      }
    }
    return expression;
  } catch (error) {
    problems.push({
      path,
      code: 'invalid-expression',
      message: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
}

export function isConstantFalse(expression: Expression): boolean {
  if (expression.references.length > 0) return false;
  try {
    return expression.evaluate(() => undefined) === false;
  } catch {
    return false;
  }
}
