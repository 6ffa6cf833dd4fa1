/** The public entry points; the language itself is tested by topic in ./expression/*.test.ts. */
import { describe, expect, it } from 'vitest';
import { failure, lookupIn } from './expression/test-kit.js';
import { evaluateCondition, parseExpression } from './expression.js';

describe('evaluateCondition', () => {
  it('returns the boolean result', () => {
    const until = parseExpression('steps.review.output.approved == true || loop.iteration >= 3');
    expect(evaluateCondition(until, lookupIn({ loop: { iteration: 3 } }))).toBe(true);
    expect(evaluateCondition(until, lookupIn({ loop: { iteration: 1 } }))).toBe(false);
  });

  it.each([
    ['request.data.tier', { tier: 'gold' }, 'string "gold"'],
    ['request.data.count', { count: 1 }, 'number 1'],
    ['request.data.missing', {}, 'undefined'],
    ['request.data.none', { none: null }, 'null'],
    ["request.data.flag || 'x'", { flag: false }, 'string "x"'],
    ['[true]', {}, 'an array of 1 item'],
    ['request.data', {}, 'an object'],
  ])('refuses %s when it is not a boolean', (source, data, got) => {
    const error = failure(() => evaluateCondition(parseExpression(source), lookupIn({ request: { data } })));
    expect(error.message).toBe(
      `a condition must evaluate to true or false, got ${got} in "${source}"; ` +
        'compare the value explicitly, e.g. with ==, > or exists()',
    );
    expect(error.source).toBe(source);
    expect(error.position).toBe(-1);
  });

  it('lets errors thrown by the lookup through', () => {
    const expression = parseExpression('request.a == 1');
    expect(() =>
      evaluateCondition(expression, () => {
        throw new Error('store down');
      }),
    ).toThrow('store down');
  });
});
