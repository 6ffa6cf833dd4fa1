/** The operators: arithmetic, comparison, equality, logic, the ternary, precedence and `in`. */
import { describe, expect, it, vi } from 'vitest';
import { parseExpression } from '../expression.js';
import { lookupIn, run, runFailure } from './test-kit.js';

describe('arithmetic', () => {
  it.each([
    ['1 + 2', 3],
    ['10 - 4', 6],
    ['3 * 4', 12],
    ['9 / 2', 4.5],
    ['9 % 4', 1],
    ['-3', -3],
    ['-(2 + 3)', -5],
    ['- -3', 3],
    ['2 - -3', 5],
    ["'ab' + 'cd'", 'abcd'],
  ])('%s = %j', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('negates a value read from a path', () => {
    expect(run('-request.x', { request: { x: 7 } })).toBe(-7);
  });

  it('binds * / % tighter than + - and both to the left', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('10 - 4 - 3')).toBe(3);
    expect(run('24 / 4 / 2')).toBe(3);
    expect(run('2 * 7 % 4')).toBe(2);
    expect(run('-2 * -3')).toBe(6);
  });

  it('adds only two numbers or two strings', () => {
    const error = runFailure("request.n + 'x'", { request: { n: 1 } });
    expect(error.message).toBe(
      `cannot add number 1 and string "x" at position 10 in "request.n + 'x'"; "+" needs two numbers or two strings`,
    );
    expect(error.position).toBe(10);
    expect(runFailure("'1' + 1").message).toContain('cannot add string "1" and number 1');
  });

  it.each(['-', '*', '/', '%'])('requires numbers for %s', (operator) => {
    const error = runFailure(`request.s ${operator} 2`, { request: { s: '4' } });
    expect(error.message).toContain(`"${operator}" needs two numbers, got string "4" and number 2`);
    expect(error.position).toBe(10);
  });

  it('refuses to divide by zero', () => {
    expect(runFailure('1 / request.zero', { request: { zero: 0 } }).message).toBe(
      'division by zero at position 2 in "1 / request.zero"',
    );
    expect(runFailure('5 % 0').message).toContain('division by zero at position 2');
  });

  it('requires a number for unary minus', () => {
    expect(runFailure('-request.s', { request: { s: 'x' } }).message).toContain('"-" needs a number, got string "x"');
  });
});

describe('comparison', () => {
  it.each([
    ['1 < 2', true],
    ['2 < 2', false],
    ['2 <= 2', true],
    ['3 <= 2', false],
    ['3 > 2', true],
    ['2 > 2', false],
    ['2 >= 2', true],
    ['1 >= 2', false],
    ["'apple' < 'banana'", true],
    ["'b' > 'a'", true],
    ["'a' >= 'b'", false],
  ])('%s is %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('compares values read from paths', () => {
    expect(run('steps.score.output.value > 0.5', { steps: { score: { output: { value: 0.7 } } } })).toBe(true);
    expect(run('steps.score.output.value > 0.5', { steps: { score: { output: { value: 0.3 } } } })).toBe(false);
  });

  it.each([
    ['request.s > 3', { s: 'x' }, 'cannot compare string "x" with number 3 using ">"'],
    ['request.n <= request.b', { n: 1, b: true }, 'cannot compare number 1 with boolean true using "<="'],
    ['request.missing < 1', {}, 'cannot compare undefined with number 1 using "<"'],
    ['request.list >= 1', { list: [1, 2] }, 'cannot compare an array of 2 items with number 1 using ">="'],
    ['request.n < null', { n: 1 }, 'cannot compare number 1 with null using "<"'],
    ['request.o > 1', { o: {} }, 'cannot compare an object with number 1 using ">"'],
  ])('names both types when %s mixes them', (source, request, message) => {
    const error = runFailure(source, { request });
    expect(error.message).toContain(message);
    expect(error.message).toContain('both sides must be numbers or both strings');
    expect(error.position).toBe(source.search(/[<>]/));
  });
});

describe('equality', () => {
  it.each([
    ['1 == 1', true],
    ['1 == 2', false],
    ["1 == '1'", false],
    ["'a' == 'a'", true],
    ['null == false', false],
    ['0 == false', false],
    ["'' == false", false],
    ['null == null', true],
    ['true != false', true],
    ["1 != '1'", true],
    ['2 != 2', false],
  ])('%s is %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('does not treat a missing value as null', () => {
    expect(run('request.missing == null', { request: {} })).toBe(false);
    expect(run('request.present == null', { request: { present: null } })).toBe(true);
    expect(run('null == request.missing', { request: {} })).toBe(false);
  });

  it('compares arrays deeply', () => {
    const request = { list: [1, [2, 'x'], { a: 1 }] };
    expect(run("request.list == [1, [2, 'x'], request.object]", { request: { ...request, object: { a: 1 } } })).toBe(
      true,
    );
    expect(run("request.list == [1, [2, 'y'], request.object]", { request: { ...request, object: { a: 1 } } })).toBe(
      false,
    );
    expect(run('request.list == [1, [2]]', { request })).toBe(false);
    expect(run('[1, 2] == [1, 2]')).toBe(true);
    expect(run('[1, 2] != [2, 1]')).toBe(true);
    expect(run("[1] == ['1']")).toBe(false);
    expect(run('[] == request.empty', { request: { empty: {} } })).toBe(false);
  });

  it('compares plain objects deeply, whatever the key order', () => {
    const state = {
      request: {
        a: { x: 1, y: { z: [1, 2] } },
        b: { y: { z: [1, 2] }, x: 1 },
        c: { x: 1, y: { z: [1, 3] } },
        d: { x: 1 },
        e: { x: 1, extra: undefined },
      },
    };
    expect(run('request.a == request.b', state)).toBe(true);
    expect(run('request.a == request.c', state)).toBe(false);
    expect(run('request.a != request.c', state)).toBe(true);
    expect(run('request.d == request.e', state)).toBe(false);
    expect(run('request.e == request.d', state)).toBe(false);
  });

  it('compares objects that are not plain by identity only', () => {
    const state = { request: { a: new Date(0), b: new Date(0) } };
    expect(run('request.a == request.b', state)).toBe(false);
    expect(run('request.a == request.a', state)).toBe(true);
  });

  it('fails instead of recursing forever on cyclic values', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    const b: Record<string, unknown> = {};
    b.self = b;
    expect(runFailure('request.a == request.b', { request: { a, b } }).message).toContain(
      'cannot compare values nested deeper than 1000',
    );
  });
});

describe('logic', () => {
  it.each([
    ['true && true', true],
    ['true && false', false],
    ['false || true', true],
    ['false || false', false],
    ['true and false', false],
    ['false or true', true],
    ['!true', false],
    ['!false', true],
    ['not true', false],
    ['!!true', true],
  ])('%s is %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('returns an operand from && and || like JavaScript, so defaults work', () => {
    expect(run("request.name || 'default'", { request: {} })).toBe('default');
    expect(run("request.name || 'default'", { request: { name: 'Ada' } })).toBe('Ada');
    expect(run("request.count || 'none'", { request: { count: 0 } })).toBe('none');
    expect(run("'a' && 'b'")).toBe('b');
    expect(run("'' && 'b'")).toBe('');
  });

  it('does not call the lookup for the right side when the left side decides', () => {
    const state = { steps: { a: { ok: false }, b: { ok: true } } };
    for (const source of ['steps.a.ok && steps.b.ok', 'steps.b.ok || steps.a.ok', 'steps.a.ok and steps.b.ok']) {
      const lookup = vi.fn(lookupIn(state));
      parseExpression(source).evaluate(lookup);
      expect(lookup).toHaveBeenCalledTimes(1);
    }
    const lookup = vi.fn(lookupIn(state));
    expect(parseExpression('steps.b.ok && steps.a.ok').evaluate(lookup)).toBe(false);
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it('guards a comparison behind exists() thanks to short-circuiting', () => {
    const source = 'exists(steps.x.output.value) && steps.x.output.value > 0.5';
    expect(run(source, { steps: {} })).toBe(false);
    expect(run(source, { steps: { x: { output: { value: 0.9 } } } })).toBe(true);
  });

  it('requires a boolean for ! and not', () => {
    expect(runFailure('!request.name', { request: { name: 'x' } }).message).toBe(
      '"!" needs a boolean, got string "x" at position 0 in "!request.name"',
    );
    expect(runFailure('not request.missing', { request: {} }).message).toContain('"!" needs a boolean, got undefined');
  });
});

describe('ternary', () => {
  it('picks a branch and evaluates only that one', () => {
    const state = { request: { gold: true, a: 'A', b: 'B' } };
    const lookup = vi.fn(lookupIn(state));
    expect(parseExpression('request.gold ? request.a : request.b').evaluate(lookup)).toBe('A');
    expect(lookup.mock.calls.map(([path]) => path)).toEqual([
      ['request', 'gold'],
      ['request', 'a'],
    ]);
    expect(run("false ? 'yes' : 'no'")).toBe('no');
  });

  it('associates to the right and binds loosest', () => {
    expect(run('true ? 1 : false ? 2 : 3')).toBe(1);
    expect(run('false ? 1 : true ? 2 : 3')).toBe(2);
    expect(run('false ? 1 : false ? 2 : 3')).toBe(3);
    expect(run("false || true ? 'y' : 'n'")).toBe('y');
    expect(run('1 + 1 == 2 ? 10 : 20')).toBe(10);
    expect(run('true ? false ? 1 : 2 : 3')).toBe(2);
  });

  it('requires a boolean test', () => {
    const error = runFailure("request.n ? 'a' : 'b'", { request: { n: 1 } });
    expect(error.message).toContain('the test of "? :" must be a boolean, got number 1');
    expect(error.position).toBe(10);
  });
});

describe('precedence', () => {
  it.each([
    // && binds tighter than ||: (true || false) && false would be false.
    ['true || false && false', true],
    ['false && true || true', true],
    // Comparison binds tighter than equality: 1 < (2 == true) would fail.
    ['1 < 2 == true', true],
    ['2 > 1 != false', true],
    // Equality binds tighter than &&.
    ['1 == 1 && 2 == 2', true],
    // + binds tighter than in: 'a' + ('b' in 'xaby') would fail.
    ["'a' + 'b' in 'xaby'", true],
    // in binds tighter than comparison and equality.
    ["'a' in 'abc' == true", true],
    // Unary binds tighter than binary: -(1 + 2) would be -3, not (false and false) would be true.
    ['-1 + 2', 1],
    ['not false and false', false],
    ['(true || false) && false', false],
  ])('%s is %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('binds in tighter than <, as the grammar says', () => {
    // 1 < (2 in [true]) compares a number with a boolean; (1 < 2) in [true] would have been true.
    expect(runFailure('1 < 2 in [true]').message).toContain('cannot compare number 1 with boolean false using "<"');
  });

  it('applies ! and not to the operand alone, not to a whole comparison', () => {
    // (!'a') fails; !('a' == 'a') would have been false.
    expect(runFailure("!request.s == 'a'", { request: { s: 'a' } }).message).toContain('"!" needs a boolean');
    expect(runFailure('not 1 == 2').message).toContain('"!" needs a boolean, got number 1');
  });

  it('reads the examples from the plan format', () => {
    const when = "steps.score.output.value > 0.5 && request.data.tier == 'gold'";
    const state = { steps: { score: { output: { value: 0.6 } } }, request: { data: { tier: 'gold' } } };
    expect(run(when, state)).toBe(true);
    expect(run(when, { ...state, request: { data: { tier: 'silver' } } })).toBe(false);
    const until = 'steps.review.output.approved == true || loop.iteration >= 3';
    expect(run(until, { steps: { review: { output: { approved: false } } }, loop: { iteration: 3 } })).toBe(true);
    expect(run(until, { steps: { review: { output: { approved: false } } }, loop: { iteration: 1 } })).toBe(false);
  });
});

describe('in', () => {
  it('finds an element in an array, deeply', () => {
    expect(run("'b' in ['a', 'b']")).toBe(true);
    expect(run("'c' in ['a', 'b']")).toBe(false);
    expect(run("1 in ['1']")).toBe(false);
    expect(run('[1, 2] in [[1, 2], [3]]')).toBe(true);
    expect(run('request.tier in request.tiers', { request: { tier: 'gold', tiers: ['silver', 'gold'] } })).toBe(true);
  });

  it('finds a substring in a string', () => {
    expect(run("'ell' in 'hello'")).toBe(true);
    expect(run("'xyz' in 'hello'")).toBe(false);
    expect(run("'' in 'hello'")).toBe(true);
  });

  it('finds an own key in an object, never an inherited one', () => {
    const state = { request: { data: { tier: 'gold' } } };
    expect(run("'tier' in request.data", state)).toBe(true);
    expect(run("'name' in request.data", state)).toBe(false);
    expect(run("'toString' in request.data", state)).toBe(false);
    expect(run("'__proto__' in request.data", state)).toBe(false);
    expect(run("'constructor' in request.data", state)).toBe(false);
  });

  it('supports not in', () => {
    expect(run("'c' not in ['a', 'b']")).toBe(true);
    expect(run("'a' not in ['a', 'b']")).toBe(false);
    expect(run("'x' not in 'abc'")).toBe(true);
  });

  it('fails on anything else', () => {
    expect(runFailure("'a' in request.n", { request: { n: 5 } }).message).toContain(
      '"in" needs an array, a string or an object to look in, got number 5 at position 4',
    );
    expect(runFailure("1 in 'abc'").message).toContain('"in" can only look for a string in a string, got number 1');
    expect(runFailure('1 in request.o', { request: { o: {} } }).message).toContain(
      '"in" can only look for a string key in an object, got number 1',
    );
    expect(runFailure('1 not in 5').message).toContain('"not in" needs an array');
  });
});
