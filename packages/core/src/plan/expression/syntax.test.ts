/** The syntax of expressions: literals, static paths and their references, syntax errors and the parser's limits. */
import { describe, expect, it, vi } from 'vitest';
import { parseExpression } from '../expression.js';
import { failure, lookupIn, parseFailure, run } from './test-kit.js';

describe('literals', () => {
  it.each([
    ['12', 12],
    ['0', 0],
    ['0.5', 0.5],
    ['1e3', 1000],
    ['2E+2', 200],
    ['1.5e-3', 0.0015],
    ['true', true],
    ['false', false],
    ['null', null],
    ["'single'", 'single'],
    ['"double"', 'double'],
    ["''", ''],
  ])('%s evaluates to %j', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it.each([
    [String.raw`'a\\b'`, 'a\\b'],
    [String.raw`'it\'s'`, "it's"],
    [String.raw`"say \"hi\""`, 'say "hi"'],
    [String.raw`'line\nbreak'`, 'line\nbreak'],
    [String.raw`'col\tumn'`, 'col\tumn'],
    [String.raw`'cr\r'`, 'cr\r'],
    [`"it's"`, "it's"],
    [`'say "hi"'`, 'say "hi"'],
  ])('decodes the escapes in %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('builds array literals, including nested ones and ones holding paths', () => {
    expect(run("[1, 'a', true, null]")).toEqual([1, 'a', true, null]);
    expect(run('[]')).toEqual([]);
    expect(run('[[1, 2], [3]]')).toEqual([[1, 2], [3]]);
    expect(run('[request.x, request.x + 1]', { request: { x: 4 } })).toEqual([4, 5]);
  });
});

describe('paths and references', () => {
  it('passes the whole static path to the lookup in one call', () => {
    const lookup = vi.fn(() => 'value');
    const expression = parseExpression(`steps.fetch.output.items[0]['the key']["other"].name`);
    expect(expression.evaluate(lookup)).toBe('value');
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith(['steps', 'fetch', 'output', 'items', 0, 'the key', 'other', 'name']);
  });

  it('keeps an index as a number and a quoted index as a string', () => {
    const [path] = parseExpression("steps.a[2]['2']").references;
    expect(path).toEqual(['steps', 'a', 2, '2']);
    expect(typeof path?.[2]).toBe('number');
    expect(typeof path?.[3]).toBe('string');
  });

  it('accepts every allowed root, alone or followed by segments', () => {
    for (const root of ['steps', 'request', 'loop', 'input']) {
      expect(parseExpression(`${root}.x`).references).toEqual([[root, 'x']]);
    }
    expect(parseExpression('request').references).toEqual([['request']]);
  });

  it('allows keywords and function names as names after a dot', () => {
    expect(parseExpression('steps.in.not.and.true.len').references).toEqual([
      ['steps', 'in', 'not', 'and', 'true', 'len'],
    ]);
  });

  it('lists every path read, in order, without duplicates, including paths given to exists()', () => {
    const expression = parseExpression(
      "steps.score.output.value > 0.5 && request.data.tier == 'gold' || steps.score.output.value < 0 || exists(loop.item)",
    );
    expect(expression.references).toEqual([
      ['steps', 'score', 'output', 'value'],
      ['request', 'data', 'tier'],
      ['loop', 'item'],
    ]);
  });

  it('treats a.b[0] and a.b["0"] as different paths', () => {
    expect(parseExpression("steps.b[0] == steps.b['0']").references).toEqual([
      ['steps', 'b', 0],
      ['steps', 'b', '0'],
    ]);
  });

  it('has no references for a constant expression', () => {
    expect(parseExpression("1 + 2 == 3 && 'a' in ['a']").references).toEqual([]);
  });

  it('resolves a missing path to undefined', () => {
    expect(run('steps.missing.output', { steps: {} })).toBeUndefined();
  });

  it('keeps the source and freezes the expression and its references', () => {
    const expression = parseExpression(' request.x ');
    expect(expression.source).toBe(' request.x ');
    expect(Object.isFrozen(expression)).toBe(true);
    expect(Object.isFrozen(expression.references)).toBe(true);
    expect(Object.isFrozen(expression.references[0])).toBe(true);
  });

  it('evaluates when evaluate is detached from its expression', () => {
    const { evaluate } = parseExpression('request.x * 2');
    expect(evaluate(lookupIn({ request: { x: 21 } }))).toBe(42);
  });
});

describe('syntax errors', () => {
  it('reports an unexpected token with its position and the source', () => {
    const error = parseFailure('steps.a == (1 + 2))');
    expect(error.message).toBe('unexpected ")" at position 18 in "steps.a == (1 + 2))"');
    expect(error.position).toBe(18);
    expect(error.source).toBe('steps.a == (1 + 2))');
  });

  it.each([
    ['1 +', 'unexpected end of expression at position 3'],
    ['(1 + 2', 'expected ")" but found end of expression at position 6'],
    ['[1, 2', 'expected "]" but found end of expression at position 5'],
    ['[1, 2,]', 'unexpected "]" at position 6'],
    ['len(1', 'expected ")" but found end of expression at position 5'],
    ['true ? 1', 'expected ":" but found end of expression at position 8'],
    ['1 2', 'unexpected "2" at position 2'],
    ['* 2', 'unexpected "*" at position 0'],
    ['1 and', 'unexpected end of expression at position 5'],
    ['and 1', 'unexpected "and" at position 0'],
    ['(request.a)[0]', 'unexpected "[" at position 11'],
    ['len(request.a).b', 'unexpected "." at position 14'],
    ['steps(1)', 'unexpected "(" at position 5'],
    ["'abc", 'unterminated string at position 0'],
    ['1 == "abc', 'unterminated string at position 5'],
    [String.raw`'a\x'`, String.raw`unknown escape "\x" at position 2`],
    ['1 # 2', 'unexpected character "#" at position 2'],
    ['1.', 'expected a digit after "." at position 1'],
    ['1.x', 'expected a digit after "." at position 1'],
    ['1e', 'expected a digit in the exponent at position 2'],
    ['1e+', 'expected a digit in the exponent at position 3'],
    ['3abc', 'unexpected "a" right after a number at position 1'],
    ['1e999', 'the number 1e999 is too large at position 0'],
    ['', 'the expression is empty at position 0'],
    ['   ', 'the expression is empty at position 0'],
  ])('%j fails: %s', (source, message) => {
    expect(parseFailure(source).message).toContain(message);
  });

  it('lists the escapes when one is unknown', () => {
    expect(parseFailure(String.raw`'\u0041'`).message).toContain(String.raw`the escapes are \\ \' \" \n \r and \t`);
  });

  it('hints at the right operator', () => {
    expect(parseFailure('request.a = 1').message).toBe(
      'unexpected character "=" at position 10 in "request.a = 1"; use "==" to compare',
    );
    expect(parseFailure('request.a === 1').message).toBe(
      '"===" is not an operator at position 10 in "request.a === 1"; use "==" (it is already strict)',
    );
    expect(parseFailure('request.a !== 1').message).toContain('"!==" is not an operator at position 10');
    expect(parseFailure('true & false').message).toContain('use "&&" or "and"');
    expect(parseFailure('true | false').message).toContain('use "||" or "or"');
  });

  it('rejects an unknown root and lists the allowed ones', () => {
    const error = parseFailure('request.a == 1 && secrets.key == 2');
    expect(error.message).toBe(
      'unknown name "secrets" at position 18 in "request.a == 1 && secrets.key == 2"; ' +
        'a path must start with one of steps, request, loop, input',
    );
    expect(error.position).toBe(18);
    expect(parseFailure('Steps.a').message).toContain('unknown name "Steps"');
    expect(parseFailure('process.env').message).toContain('unknown name "process"');
  });

  it('suggests calling a function named without parentheses', () => {
    expect(parseFailure('len > 1').message).toContain('len is a function: call it as len(…)');
  });

  it.each([
    ['steps.a[steps.b]', 8, 'found "steps"'],
    ['steps.a[-1]', 8, 'found "-"'],
    ['steps.a[1.5]', 8, 'found "1.5"'],
    ['steps.a[]', 8, 'found "]"'],
    ['steps.a[true]', 8, 'found "true"'],
  ])('rejects the computed index in %s', (source, position, found) => {
    const error = parseFailure(source);
    expect(error.message).toContain(`a path index must be a non-negative integer or a quoted name, ${found}`);
    expect(error.message).toContain('computed indexes such as a[b] are not allowed because paths must be static');
    expect(error.position).toBe(position);
  });

  it('rejects an unclosed index and a missing name after a dot', () => {
    expect(parseFailure('steps.a[0').message).toContain('expected "]" but found end of expression at position 9');
    expect(parseFailure("steps.a.'b'").message).toContain(`expected a name after "." but found "'b'" at position 8`);
    expect(parseFailure('steps.a.0').message).toBe(
      'expected a name after "." but found "0" at position 8 in "steps.a.0"; write an index as [0]',
    );
  });

  it.each([
    ['steps.__proto__', 6, '__proto__'],
    ['steps.a.constructor', 8, 'constructor'],
    ['request.prototype.x', 8, 'prototype'],
    ["steps['__proto__']", 6, '__proto__'],
    ['steps.a["constructor"]', 8, 'constructor'],
    ["input['prototype']", 6, 'prototype'],
    ["exists(steps.a['__proto__'])", 15, '__proto__'],
  ])('rejects the segment in %s', (source, position, name) => {
    const error = parseFailure(source);
    expect(error.message).toBe(`"${name}" cannot be used as a path segment at position ${position} in "${source}"`);
    expect(error.position).toBe(position);
  });

  it('rejects a source that is not a string', () => {
    expect(failure(() => parseExpression(42 as unknown as string)).message).toContain(
      'an expression must be a string, got number 42',
    );
  });
});

describe('limits', () => {
  it('accepts 4096 characters and refuses 4097', () => {
    const longest = `'${'x'.repeat(4094)}'`;
    expect(run(longest)).toHaveLength(4094);
    const error = parseFailure(`${longest} `);
    expect(error.message).toContain('the expression is 4097 characters long; the limit is 4096');
    expect(error.message.length).toBeLessThan(300);
  });

  it.each([
    ['parentheses', (n: number) => `${'('.repeat(n)}1${')'.repeat(n)}`],
    ['brackets', (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`],
    ['negations', (n: number) => `${'!'.repeat(n)}true`],
    ['calls', (n: number) => `${'abs('.repeat(n)}1${')'.repeat(n)}`],
    ['ternaries', (n: number) => `${'false ? 0 : '.repeat(n)}1`],
  ])('allows 64 nested %s and refuses 65', (_, build) => {
    expect(() => parseExpression(build(64))).not.toThrow();
    const error = parseFailure(build(65));
    expect(error.message).toContain('the expression nests deeper than 64 levels');
  });

  it('evaluates deeply nested but allowed expressions', () => {
    expect(run(`${'('.repeat(64)}1${')'.repeat(64)}`)).toBe(1);
    expect(run(`${'!'.repeat(64)}true`)).toBe(true);
    expect(run(`${'!'.repeat(63)}true`)).toBe(false);
  });

  it('does not count a long flat chain as nesting', () => {
    const chain = Array.from({ length: 1500 }, () => '1').join('+');
    expect(run(chain)).toBe(1500);
  });

  it('allows 1000 items in an array literal and refuses 1001', () => {
    const items = (n: number) => `[${Array.from({ length: n }, () => '0').join(',')}]`;
    expect(run(items(1000))).toHaveLength(1000);
    const error = parseFailure(items(1001));
    expect(error.message).toContain('an array literal may hold at most 1000 items at position 2001');
    expect(error.position).toBe(2001);
  });
});
