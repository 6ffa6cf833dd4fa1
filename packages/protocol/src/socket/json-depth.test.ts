import { describe, expect, it } from 'vitest';
import { jsonDepth } from './json-depth.js';

describe('jsonDepth', () => {
  it('counts nested arrays and objects, not brackets inside strings', () => {
    expect(jsonDepth('1', 10)).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}', 10)).toBe(4);
    expect(jsonDepth('[[],[],[[]]]', 10)).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{"}', 10)).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[[", "b":["\\\\"]}', 10)).toBe(2);
  });

  it('stops as soon as the depth passes the limit', () => {
    expect(jsonDepth(`${'['.repeat(1_000_000)}`, 512)).toBe(513);
  });
});
