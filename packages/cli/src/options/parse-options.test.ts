import { describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.js';
import { commaList, dataField, jsonValue, nonBlank, oneOf, positiveInteger } from './parse-options.js';

describe('dataField (-d key=value)', () => {
  it.each([
    ['n=3', 3],
    ['n=-0.5', -0.5],
    ['n=1e3', 1000],
    ['n=true', true],
    ['n=false', false],
    ['n=null', null],
    ['n=007', '007'],
    ['n=3 apples', '3 apples'],
    ['n=', ''],
    ['n=[1]', '[1]'],
    ['n={"a":1}', '{"a":1}'],
    ['n=a=b', 'a=b'],
    ['n=True', 'True'],
  ])('%s → %j', (argument, value) => {
    expect(dataField(argument)).toEqual([['n', value]]);
  });

  it('adds to the fields before it; keys are flat', () => {
    expect(dataField('a.b=1', dataField('x=y'))).toEqual([
      ['x', 'y'],
      ['a.b', 1],
    ]);
  });

  it.each(['novalue', '=1'])('refuses %j with a UsageError', (argument) => {
    expect(() => dataField(argument)).toThrow(UsageError);
  });
});

describe('option parsers', () => {
  it('positiveInteger names the option and its range', () => {
    expect(positiveInteger('--limit', 200)('20')).toBe(20);
    for (const bad of ['0', '-1', '1.5', '', 'ten', '201']) {
      expect(() => positiveInteger('--limit', 200)(bad)).toThrow(
        `--limit must be a whole number from 1 to 200, got "${bad}"`,
      );
    }
  });

  it('jsonValue parses JSON; the object form refuses arrays and scalars', () => {
    expect(jsonValue('--data')('[1,2]')).toEqual([1, 2]);
    expect(jsonValue('--data-json', 'object')('{"a":1}')).toEqual({ a: 1 });
    expect(() => jsonValue('--data-json', 'object')('[1]')).toThrow(/--data-json must be a JSON object/);
    expect(() => jsonValue('--data')('{a:1}')).toThrow(/--data must be JSON, got "\{a:1\}"/);
  });

  it('commaList, oneOf and nonBlank refuse what they cannot use', () => {
    expect(commaList('--events')('a, b')).toEqual(['a', 'b']);
    expect(() => commaList('--events')('a,')).toThrow(UsageError);
    expect(oneOf('--status', ['open', 'ignored'])('open')).toBe('open');
    expect(() => oneOf('--status', ['open', 'ignored'])('closed')).toThrow(
      '--status must be one of open, ignored; got "closed"',
    );
    expect(nonBlank('<id>')(' x ')).toBe('x');
    expect(() => nonBlank('<id>')('  ')).toThrow('<id> must not be empty');
  });
});
