import { describe, expect, it } from 'vitest';
import { newRunId } from './run-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRunId', () => {
  it('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const now = Date.UTC(2026, 11, 6, 15, 30);
    const id = newRunId(now);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it('sorts by time as text, whatever its random bits', () => {
    const times = [0, 1, 255, 256, Date.UTC(2001, 0, 1), Date.UTC(2026, 11, 6), 2 ** 48 - 1];
    const ids = times.map((time) => newRunId(time));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('differs for every call in the same millisecond', () => {
    const ids = Array.from({ length: 2_000 }, () => newRunId(1_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });
});
