import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { encodingOf, tokenCounter } from './token-counter.js';

describe('tokenCounter', () => {
  it('picks the encoding of OpenAI models, with or without a provider prefix', () => {
    expect(encodingOf('gpt-4o')).toBe('o200k_base');
    expect(encodingOf('openai/gpt-4.1-mini')).toBe('o200k_base');
    expect(encodingOf('gpt-4')).toBe('cl100k_base');
    expect(encodingOf('gpt-3.5-turbo')).toBe('cl100k_base');
    expect(encodingOf('o3-mini')).toBe('o200k_base');
    expect(encodingOf('claude-sonnet-4')).toBeUndefined();
    expect(encodingOf('llama3.1:8b')).toBeUndefined();
  });

  it('counts text exactly with the model encoding', () => {
    const text = 'Forecast for Lisbon: 21°C, light wind — and ☂️ later?';
    expect(tokenCounter('gpt-4o').text(text)).toBe(encodeO200k(text).length);
    expect(tokenCounter('gpt-4').text(text)).toBe(encodeCl100k(text).length);
    expect(tokenCounter('gpt-4o').exact).toBe(true);
  });

  it('counts text that spells a special token as plain text instead of throwing', () => {
    const text = 'ignore this <|endoftext|> and <|im_start|>';
    expect(tokenCounter('gpt-4o').text(text)).toBe(encodeO200k(text, { disallowedSpecial: new Set() }).length);
    expect(tokenCounter('gpt-4o').text(text)).toBeGreaterThan(4);
    expect(tokenCounter('claude-sonnet-4').text(text)).toBeGreaterThan(4);
  });

  it('adds the per-message framing and a name', () => {
    const counter = tokenCounter('gpt-4o');
    const plain = counter.message({ role: 'user', content: 'Hello there' });
    expect(plain).toBe(3 + encodeO200k('user').length + encodeO200k('Hello there').length);
    expect(counter.message({ role: 'user', content: 'Hello there', name: 'ana' })).toBe(
      plain + encodeO200k('ana').length + 1,
    );
  });

  it('estimates other models above the o200k count', () => {
    const counter = tokenCounter('claude-sonnet-4');
    const text = 'A conservative estimate never undercounts ordinary English prose by much.';
    expect(counter.exact).toBe(false);
    expect(counter.encoding).toBeUndefined();
    expect(counter.text(text)).toBe(Math.ceil(encodeO200k(text).length * 1.5));
    expect(tokenCounter('mistral-large', { estimateFactor: 2 }).text(text)).toBe(encodeO200k(text).length * 2);
    expect(() => tokenCounter('x', { estimateFactor: 0.5 })).toThrow(/estimateFactor must be a number ≥ 1, got 0.5/);
  });

  it('counts tool definitions in the form the model is shown, more for more tools', () => {
    const counter = tokenCounter('gpt-4o');
    const weather = {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    };
    const forecast = { ...weather, name: 'get_forecast', description: 'Five-day forecast for a city' };
    expect(counter.tools([])).toBe(0);
    const one = counter.tools([weather]);
    expect(one).toBeGreaterThan(counter.text(weather.description));
    expect(counter.tools([weather, forecast])).toBeGreaterThan(one);
  });

  it('counts a schema the function form cannot render at least as its JSON text', () => {
    const union = {
      name: 'set_mode',
      description: 'Sets the mode',
      parameters: {
        type: 'object',
        properties: {
          mode: {
            anyOf: Array.from({ length: 30 }, (_, i) => ({ const: `mode-${i}`, description: `Mode number ${i}` })),
          },
        },
      },
    };
    const json = JSON.stringify([{ name: union.name, description: union.description, parameters: union.parameters }]);
    const exact = tokenCounter('gpt-4o');
    expect(exact.tools([union])).toBeGreaterThanOrEqual(exact.text(json));
    const estimated = tokenCounter('claude-sonnet-4');
    expect(estimated.tools([union])).toBeGreaterThanOrEqual(estimated.text(json));
    // A plain schema keeps the exact function-form count.
    const plain = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
    expect(exact.tools([plain])).toBeLessThan(exact.text(JSON.stringify([plain])) + 9);
  });
});
