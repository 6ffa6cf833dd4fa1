/** ExpressionError: its code, fields, isInstance and how its message quotes the source. */
import { describe, expect, it } from 'vitest';
import { BatonError } from '../../errors/baton-error.js';
import { ExpressionError } from '../expression.js';
import { parseFailure } from './test-kit.js';

describe('ExpressionError', () => {
  it('is a BatonError with code expression-invalid, a source and a position', () => {
    const error = parseFailure('1 +');
    expect(error).toBeInstanceOf(ExpressionError);
    expect(BatonError.isInstance(error)).toBe(true);
    expect(error.code).toBe('expression-invalid');
    expect(error.name).toBe('ExpressionError');
    expect(error.retryable).toBe(false);
    expect(error.toJSON()).toMatchObject({ code: 'expression-invalid', source: '1 +', position: 3 });
  });

  it('is recognised by isInstance only for its own code', () => {
    expect(ExpressionError.isInstance(new ExpressionError('x', { source: 'y' }))).toBe(true);
    expect(ExpressionError.isInstance(new BatonError('validation-failed', 'x'))).toBe(false);
    expect(ExpressionError.isInstance(new Error('expression-invalid'))).toBe(false);
    expect(ExpressionError.isInstance(undefined)).toBe(false);
  });

  it('has position -1 and no position in its message when it is about the whole expression', () => {
    const error = new ExpressionError('bad', { source: 'request.a' });
    expect(error.position).toBe(-1);
    expect(error.message).toBe('bad in "request.a"');
  });

  it('quotes only the part of a long source around the position', () => {
    const source = `request.a == 1 && ${'request.b == 2 && '.repeat(20)}1 +`;
    const error = parseFailure(source);
    expect(error.position).toBe(source.length);
    expect(error.message).toMatch(/^unexpected end of expression at position \d+ in "….*1 \+"$/);
    expect(error.message.length).toBeLessThan(200);
  });
});
