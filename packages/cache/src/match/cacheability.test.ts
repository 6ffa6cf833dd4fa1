import { describe, expect, it } from 'vitest';
import { bypassReason, isRefusalText, refusalToStore } from './cacheability.js';

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

describe('empty prompts', () => {
  const asking = (content: unknown, extra = {}) => ({ model: 'm', messages: [{ role: 'user', content }], ...extra });

  it.each(['', '   ', '\n\t', '?', '...', '?!', ' ¿¡ ', '"…"', '\u200b', '-- ()'])(
    'bypasses %j on lookup and refuses to store it',
    (text) => {
      expect(bypassReason(asking(text), {})).toMatch(/empty/);
      expect(refusalToStore(asking(text), { finishReason: 'stop', text: 'a' }, {})).toMatch(/empty/);
    },
  );

  it('bypasses a request without a user turn', () => {
    expect(bypassReason({ model: 'm', messages: [{ role: 'system', content: 'be brief' }] }, {})).toBeDefined();
  });

  it.each(['👍', '2+2', '?x', 'ok', '∑'])('lets %j through', (text) => {
    expect(bypassReason(asking(text), {})).toBeUndefined();
  });

  it('lets an image without text through, and an exact-only key such as []', () => {
    const image = [{ type: 'file', mediaType: 'image/png', data: new Uint8Array([1]) }];
    expect(bypassReason(asking(image), {})).toBeUndefined();
    expect(bypassReason(asking('[]', { exactOnly: true }), {})).toBeUndefined();
    expect(bypassReason(asking('', { exactOnly: true }), {})).toMatch(/empty/);
  });
});
