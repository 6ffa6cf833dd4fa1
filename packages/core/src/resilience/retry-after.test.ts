import { describe, expect, it } from 'vitest';
import { RetryableError } from '../errors/retryable-error.js';
import { parseRetryAfter, retryAfterOf } from './retry-after.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    [' 3 ', 3000],
    ['0', 0],
    ['1.5', 1500],
    [2, 2000],
    [0.25, 250],
  ])('reads %o seconds as %i ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it.each([
    ['Thu, 01 Jan 2026 12:00:30 GMT', 30_000],
    ['Thursday, 01-Jan-26 12:01:00 GMT', 60_000],
    ['Thu Jan  1 12:00:05 2026', 5000],
  ])('reads the HTTP date %s as the time left until it', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it('reads an HTTP date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 12:00:00 GMT', NOW)).toBe(0);
  });

  it.each([
    ['-1'],
    ['-5'],
    ['abc 1'],
    ['soon'],
    [''],
    ['  '],
    [-3],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [null],
    [{}],
    ['1e3'],
  ])('says nothing for %o', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('retryAfterOf', () => {
  it('reads the retryAfter of a RetryableError', () => {
    expect(retryAfterOf(new RetryableError('busy', { retryAfter: '7' }), NOW)).toBe(7000);
    expect(retryAfterOf(new RetryableError('busy', { retryAfter: 'Thu, 01 Jan 2026 12:00:10 GMT' }), NOW)).toBe(10_000);
  });

  it('reads a Retry-After header in any case from plain headers, Headers and a response', () => {
    expect(retryAfterOf({ headers: { 'Retry-After': '4' } }, NOW)).toBe(4000);
    expect(retryAfterOf({ responseHeaders: { 'retry-after': '5' } }, NOW)).toBe(5000);
    expect(retryAfterOf({ headers: new Headers({ 'retry-after': '6' }) }, NOW)).toBe(6000);
    expect(retryAfterOf({ response: { status: 429, headers: new Headers({ 'Retry-After': '8' }) } }, NOW)).toBe(8000);
  });

  it('falls back to headers when the own retryAfter is unusable', () => {
    expect(retryAfterOf({ retryAfter: 'whenever', headers: { 'retry-after': '2' } }, NOW)).toBe(2000);
  });

  it('returns undefined for errors without one, and for non-objects', () => {
    expect(retryAfterOf(new Error('plain'), NOW)).toBeUndefined();
    expect(retryAfterOf({ headers: new Headers() }, NOW)).toBeUndefined();
    expect(retryAfterOf('429', NOW)).toBeUndefined();
    expect(retryAfterOf(undefined, NOW)).toBeUndefined();
  });
});
