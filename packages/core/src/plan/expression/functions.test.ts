/** The whitelisted functions: results, type errors, arity and unknown names. */
import { describe, expect, it, vi } from 'vitest';
import { parseExpression } from '../expression.js';
import { parseFailure, run, runFailure } from './test-kit.js';

describe('functions', () => {
  const state = {
    request: { text: '  Hello World  ', list: [3, 1, 2], object: { a: 1, b: 2 }, empty: [], none: null },
  };

  it.each([
    ['len(request.text)', 15],
    ['len(request.list)', 3],
    ['len(request.object)', 2],
    ["len('')", 0],
    ['lower(request.text)', '  hello world  '],
    ['upper(request.text)', '  HELLO WORLD  '],
    ['trim(request.text)', 'Hello World'],
    ['contains(request.list, 2)', true],
    ['contains(request.list, 5)', false],
    ["contains(request.text, 'World')", true],
    ["contains(request.object, 'a')", true],
    ["contains(request.object, 'c')", false],
    ["startsWith('hello', 'he')", true],
    ["startsWith('hello', 'lo')", false],
    ["endsWith('hello', 'lo')", true],
    ["endsWith('hello', 'he')", false],
    ["number('42')", 42],
    ["number(' 3.5 ')", 3.5],
    ['number(7)', 7],
    ['number(true)', 1],
    ['number(false)', 0],
    ['string(3)', '3'],
    ["string('x')", 'x'],
    ['string(true)', 'true'],
    ['string(null)', 'null'],
    ['string(request.list)', '[3,1,2]'],
    ['abs(-4)', 4],
    ['abs(4)', 4],
    ['min(3, 1, 2)', 1],
    ['max(3, 1, 2)', 3],
    ['min(5)', 5],
    ['min(request.list)', 1],
    ['max(request.list)', 3],
    ['round(2.5)', 3],
    ['round(2.4)', 2],
    ['floor(2.9)', 2],
    ['floor(-2.1)', -3],
    ['ceil(2.1)', 3],
    ['ceil(-2.9)', -2],
  ])('%s = %j', (source, expected) => {
    expect(run(source, state)).toEqual(expected);
  });

  it('tells with exists() whether a path resolves to anything', () => {
    expect(run('exists(request.text)', state)).toBe(true);
    expect(run('exists(request.none)', state)).toBe(true);
    expect(run('exists(request.missing)', state)).toBe(false);
    expect(run('exists(steps.a.output)', state)).toBe(false);
  });

  it('passes the path given to exists() to the lookup', () => {
    const lookup = vi.fn(() => undefined);
    parseExpression('exists(steps.a.output[0])').evaluate(lookup);
    expect(lookup).toHaveBeenCalledWith(['steps', 'a', 'output', 0]);
  });

  it('composes functions with operators', () => {
    expect(run("lower(trim(request.text)) == 'hello world'", state)).toBe(true);
    expect(run('len(request.list) > 2 && max(request.list) - min(request.list) == 2', state)).toBe(true);
  });

  it.each([
    ['len(request.none)', 'len() needs a string, an array or an object, got null at position 0'],
    ['len(5)', 'len() needs a string, an array or an object, got number 5'],
    ['lower(5)', 'lower() needs a string, got number 5'],
    ['upper(request.missing)', 'upper() needs a string, got undefined'],
    ['trim(request.list)', 'trim() needs a string, got an array of 3 items'],
    ["startsWith(1, 'a')", 'startsWith() needs a string, got number 1'],
    ["endsWith('a', null)", 'endsWith() needs a string, got null'],
    ['contains(5, 1)', 'contains() needs an array, a string or an object to look in, got number 5'],
    ["number('abc')", 'number() cannot turn string "abc" into a number'],
    ["number('')", 'number() cannot turn string "" into a number'],
    ["number('1e999')", 'number() cannot turn string "1e999" into a number'],
    ['number(null)', 'number() cannot turn null into a number'],
    ['string(request.missing)', 'string() cannot turn undefined into a string'],
    ["abs('1')", 'abs() needs a number, got string "1"'],
    ["min(1, '2')", 'min() needs a number, got string "2"'],
    ['max(request.empty)', 'max() needs at least one number, got an empty array'],
    ['round(true)', 'round() needs a number, got boolean true'],
    ['floor(null)', 'floor() needs a number, got null'],
    ["ceil('1')", 'ceil() needs a number, got string "1"'],
  ])('%s fails: %s', (source, message) => {
    expect(runFailure(source, state).message).toContain(message);
  });

  it('names the function once in its error', () => {
    expect(runFailure('contains(5, 1)').message).toBe(
      'contains() needs an array, a string or an object to look in, got number 5 at position 0 in "contains(5, 1)"',
    );
  });

  it('places a failing call at the function name', () => {
    expect(runFailure('1 + len(5)').position).toBe(4);
  });

  it('checks the number of arguments when parsing', () => {
    expect(parseFailure('len(1, 2)').message).toBe('len() takes 1 argument, got 2 at position 0 in "len(1, 2)"');
    expect(parseFailure('contains(1)').message).toContain('contains() takes 2 arguments, got 1');
    expect(parseFailure('min()').message).toContain('min() takes at least 1 argument, got 0');
    expect(parseFailure('upper()').message).toContain('upper() takes 1 argument, got 0');
  });

  it('requires a path for exists()', () => {
    const error = parseFailure("exists('steps.a')");
    expect(error.message).toBe(
      `exists() takes a path, not a computed value at position 7 in "exists('steps.a')"; give it a path such as steps.fetch.output`,
    );
    expect(parseFailure('exists(request.a || request.b)').position).toBe(7);
  });

  it('rejects an unknown function and lists the allowed ones', () => {
    const error = parseFailure('1 + eval(request.x)');
    expect(error.message).toBe(
      'unknown function "eval" at position 4 in "1 + eval(request.x)"; the allowed functions are len, exists, lower, ' +
        'upper, trim, contains, startsWith, endsWith, number, string, abs, min, max, round, floor, ceil',
    );
    expect(error.position).toBe(4);
    expect(parseFailure('constructor(1)').message).toContain('unknown function "constructor"');
    expect(parseFailure('toString()').message).toContain('unknown function "toString"');
  });
});
