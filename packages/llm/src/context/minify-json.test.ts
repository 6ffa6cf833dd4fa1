import { describe, expect, it } from 'vitest';
import { isJsonText, minifyJson } from './minify-json.js';

describe('minifyJson', () => {
  it('leaves out whitespace between tokens and keeps the text of every value', () => {
    const text =
      '{\n  "id": 12345678901234567890,\n  "price": 1.0,\n  "note": "two  spaces \\" and a quote",\n  "tags": [ "a", "b" ]\n}';
    expect(minifyJson(text)).toBe(
      '{"id":12345678901234567890,"price":1.0,"note":"two  spaces \\" and a quote","tags":["a","b"]}',
    );
    expect(JSON.parse(minifyJson(text)!)).toEqual(JSON.parse(text));
  });

  it('leaves alone what is not a JSON object or array, or has no whitespace to lose', () => {
    expect(minifyJson('Porto is sunny { today }')).toBeUndefined();
    expect(minifyJson('{"broken": ')).toBeUndefined();
    expect(minifyJson(' 42 ')).toBeUndefined();
    expect(minifyJson('{"a":1}')).toBeUndefined();
    expect(isJsonText('[1, 2]')).toBe(true);
    expect(isJsonText('"just a string"')).toBe(false);
  });
});
