import { describe, expect, it } from 'vitest';
import { newId } from './time-ordered-id.js';

describe('newId', () => {
  it('is the prefix, nine base-36 digits of the time, and sixteen random base-36 digits', () => {
    const id = newId('orc', Date.UTC(2026, 11, 6));
    expect(id).toMatch(/^orc_[0-9a-z]{25}$/);
    expect(id.slice(4, 13)).toBe(Date.UTC(2026, 11, 6).toString(36).padStart(9, '0'));
  });

  it('sorts by creation time, as text, whatever the random digits', () => {
    const times = [0, 1, 35, 36, 1_000, Date.UTC(2001, 0, 1), Date.UTC(2026, 11, 6), Date.UTC(2100, 0, 1)];
    const ids = times.map((time) => newId('task', time));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('draws the random digits afresh for each id, every digit possible', () => {
    const ids = Array.from({ length: 2_000 }, () => newId('prj', 0));
    expect(new Set(ids).size).toBe(ids.length);
    const digits = new Set(ids.flatMap((id) => [...id.slice(13)]));
    expect(digits.size).toBe(36);
  });
});
