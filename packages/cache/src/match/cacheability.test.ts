import { describe, expect, it } from 'vitest';
import { isRefusalText, refusalToStore } from './cacheability.js';

const request = { model: 'm', messages: [{ role: 'user', content: 'q' }] };

describe('isRefusalText', () => {
  it.each([
    "I'm sorry, but I can't help with that.",
    'I am sorry, I cannot assist with this request.',
    'Sorry, but I won’t provide that information.',
    'As an AI language model, I cannot provide medical advice.',
    'I cannot comply with that request.',
    "Unfortunately, I'm unable to help with that.",
    "I'm sorry, but that's not something I can help with.",
  ])('flags %j', (text) => {
    expect(isRefusalText(text)).toBe(true);
  });

  it.each([
    'Paris is the capital of France.',
    'I can help with that: the premium plan costs $20.',
    'Sorry for the wait! Here is the answer: 42.',
    'Restart the router. If I cannot reach it afterwards, I will help you reset it.',
    "I can't find a plan called Gold; the plans are Free and Premium.",
  ])('does not flag an answer: %j', (text) => {
    expect(isRefusalText(text)).toBe(false);
  });
});

describe('refusalToStore', () => {
  it('refuses a response whose text is a refusal, and accepts a normal answer', () => {
    expect(refusalToStore(request, { finishReason: 'stop', text: "I'm sorry, but I can't help with that." }, {})).toBe(
      'the answer is a refusal',
    );
    expect(refusalToStore(request, { finishReason: 'stop', text: 'Here you go.' }, {})).toBeUndefined();
  });

  it('stores tool calls only with cacheToolCalls or when marked deterministic', () => {
    const response = { finishReason: 'stop', toolCalls: [{ name: 'search' }] };
    expect(refusalToStore(request, response, {})).toMatch(/not marked deterministic/);
    expect(refusalToStore(request, response, { cacheToolCalls: true })).toBeUndefined();
    expect(refusalToStore(request, response, { deterministic: true })).toBeUndefined();
  });
});
