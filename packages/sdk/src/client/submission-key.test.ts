import { describe, expect, it } from 'vitest';
import { submissionKey } from './submission-key.js';

describe('submissionKey', () => {
  it('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 7, 8, 0, 0, 123);
    const key = submissionKey(at);
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(key.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts keys made later after earlier ones, and never repeats one', () => {
    const keys = Array.from({ length: 2000 }, (_, index) => submissionKey(1_700_000_000_000 + Math.floor(index / 10)));
    expect(new Set(keys).size).toBe(keys.length);
    for (let index = 10; index < keys.length; index += 10) {
      expect((keys[index] as string) > (keys[index - 1] as string)).toBe(true);
    }
  });
});
