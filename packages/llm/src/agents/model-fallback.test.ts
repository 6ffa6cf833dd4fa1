import { APICallError } from '@ai-sdk/provider';
import { BreakerOpenError, BudgetExceededError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { chatModel } from './agent-test-kit.js';
import { ModelCallError } from './model-call-error.js';
import { fallbackChoice, mayFallBack } from './model-fallback.js';

const callError = (statusCode: number | undefined, isRetryable: boolean) =>
  new ModelCallError(
    'gpt-4o',
    new APICallError({
      message: 'failed',
      url: 'http://127.0.0.1:1/v1/chat/completions',
      requestBodyValues: {},
      ...(statusCode === undefined ? {} : { statusCode }),
      isRetryable,
    }),
  );

describe('mayFallBack', () => {
  const live = new AbortController().signal;

  it('switches for what another model may not share: an unreachable, overloaded or failing endpoint, an open breaker', () => {
    expect(mayFallBack(callError(undefined, true), live)).toBe(true);
    expect(mayFallBack(callError(429, true), live)).toBe(true);
    expect(mayFallBack(callError(503, true), live)).toBe(true);
    expect(mayFallBack(new BreakerOpenError('gpt-4o'), live)).toBe(true);
  });

  it('does not switch for what every model would share, nor once the call is cancelled', () => {
    expect(mayFallBack(callError(400, false), live)).toBe(false);
    expect(mayFallBack(callError(401, false), live)).toBe(false);
    const budget = new BudgetExceededError({ budget: 'costUsd', scope: 'run', limit: 1, amount: 2, phase: 'exceeded' });
    expect(mayFallBack(budget, live)).toBe(false);
    expect(mayFallBack(new Error('a bug'), live)).toBe(false);
    expect(mayFallBack(callError(503, true), AbortSignal.abort())).toBe(false);
  });
});

describe('fallbackChoice', () => {
  const models = ['a', 'b', 'c'].map((id, i) => ({
    model: chatModel('http://127.0.0.1:1/v1', id),
    price: { inputPerMTok: 10 ** (3 - i), outputPerMTok: 10 ** (3 - i) },
    maxOutputTokens: 100,
  }));
  const tokens = () => 900;

  it('takes the first model after the one that failed that the budget left can pay for', () => {
    // 1,000 tokens a call: b costs $0.10, c $0.01.
    const fits = fallbackChoice(models, 0, tokens, { tokens: undefined, costUsd: 0.5 }, 'ask');
    expect(fits?.index).toBe(1);
    const cheaper = fallbackChoice(models, 0, tokens, { tokens: undefined, costUsd: 0.05 }, 'ask');
    expect(cheaper?.index).toBe(2);
    expect(cheaper?.choice.skipped.map((skipped) => skipped.model)).toEqual(['local.chat:b']);
  });

  it('has none after the last model, or when the budget left pays for none', () => {
    expect(fallbackChoice(models, 2, tokens, { tokens: undefined, costUsd: undefined }, 'ask')).toBeUndefined();
    expect(fallbackChoice(models, 0, tokens, { tokens: undefined, costUsd: 0.001 }, 'ask')).toBeUndefined();
  });
});
