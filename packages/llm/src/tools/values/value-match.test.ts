import { describe, expect, it } from 'vitest';
import type { ValueKind } from './value-kind.js';
import { requestValues, valueKindMask, valueMatch } from './value-match.js';

const match = (request: ValueKind[], takes: ValueKind[]) =>
  valueMatch(requestValues(new Set(request)), valueKindMask(takes));

describe('valueMatch', () => {
  it('scores the weighted share of the request’s kinds the tool takes', () => {
    expect(match(['email'], ['email', 'datetime'])).toBe(1);
    expect(match(['email'], ['phone'])).toBe(0);
    expect(match(['email', 'phone'], ['phone'])).toBe(0.5);
  });

  it('lifts a tool little for a date alone, which is often only context', () => {
    expect(match(['datetime'], ['datetime'])).toBe(0.35);
    expect(match(['email', 'datetime'], ['email'])).toBeCloseTo(1 / 1.35, 10);
  });

  it('does not count a path for a tool that takes only another type of file', () => {
    expect(match(['path'], ['path', 'image'])).toBe(0);
    expect(match(['path', 'image'], ['path', 'image'])).toBe(1);
    expect(match(['path'], ['path'])).toBe(1);
  });

  it('scores 0 when the request names no value', () => {
    expect(match([], ['email'])).toBe(0);
  });
});
