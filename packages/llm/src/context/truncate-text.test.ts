import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../tokens/token-counter.js';
import { truncateText, truncationFloor } from './truncate-text.js';

const log = Array.from(
  { length: 200 },
  (_, i) => `2026-01-04 12:00:${String(i % 60).padStart(2, '0')} INFO request ${i} served in ${i % 17} ms`,
).join('\n');

describe('truncateText', () => {
  it.each(['gpt-4o', 'gpt-4', 'claude-sonnet-4'])('keeps the head that fits with its marker (%s)', (model) => {
    const counter = tokenCounter(model);
    const total = counter.text(log);
    const cut = truncateText(counter, log, 300);
    expect(counter.text(cut)).toBeLessThanOrEqual(300);
    expect(counter.text(cut)).toBeGreaterThan(250);
    const [head, marker] = cut.split('\n[… truncated: ');
    expect(log.startsWith(head!)).toBe(true);
    expect(marker).toMatch(new RegExp(`^\\d+ of ${total} tokens left out\\]$`));
  });

  it('returns a text that fits as it is', () => {
    const counter = tokenCounter('gpt-4o');
    expect(truncateText(counter, 'short text', 10)).toBe('short text');
  });

  it('shrinks to the marker alone at the least, never to more than the text', () => {
    const counter = tokenCounter('gpt-4o');
    const floor = truncationFloor(counter, log);
    expect(floor).toBe(`\n[… truncated: ${counter.text(log)} of ${counter.text(log)} tokens left out]`);
    expect(truncateText(counter, log, 3)).toBe(floor);
    expect(truncationFloor(counter, 'a few words only')).toBe('a few words only');
  });
});
