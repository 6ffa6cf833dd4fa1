import { createSifEmbedder } from '@baton/cache';
import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../tokens/token-counter.js';
import { createRelevanceCompressor } from './relevant-sentences.js';

const report = [
  'The quarterly review covered hiring, the office move and the database outage.',
  'Hiring went well: four engineers joined the platform team in March.',
  'The office move to the new building is planned for the second week of June.',
  'Parking permits for the new building will be handed out by facilities.',
  'The database outage on 14 February lasted 47 minutes and affected checkout.',
  'Its root cause was a full disk on the primary replica after a failed log rotation.',
  'The team added disk alerts at 80% and automated the log rotation checks.',
  'Lunch on Fridays will now be catered by the place across the street.',
  'The next review is scheduled for the first Monday of July.',
].join(' ');

const embedder = createSifEmbedder();
const counter = tokenCounter('gpt-4o');

describe('createRelevanceCompressor', () => {
  it('keeps the sentences most relevant to the request, in their order, with gaps marked', async () => {
    const compressor = createRelevanceCompressor({ embedder, counter, query: 'What caused the database outage?' });
    const compressed = await compressor.compress(report, Math.floor(counter.text(report) * 0.4));
    expect(compressed).toBeDefined();
    expect(compressed).toContain('The database outage on 14 February lasted 47 minutes');
    expect(compressed).toContain('full disk on the primary replica');
    expect(compressed).not.toContain('Lunch on Fridays');
    expect(compressed!.indexOf('47 minutes')).toBeLessThan(compressed!.indexOf('full disk'));
    expect(compressed).toContain('[…]');
    expect(counter.text(compressed!)).toBeLessThan(counter.text(report) * 0.6);
  });

  it('follows the request: another question keeps other sentences', async () => {
    const compressor = createRelevanceCompressor({
      embedder,
      counter,
      query: 'When is the office move to the new building?',
    });
    const compressed = await compressor.compress(report, Math.floor(counter.text(report) * 0.3));
    expect(compressed).toContain('second week of June');
    expect(compressed).not.toContain('47 minutes');
  });

  it('gives nothing back when a text cannot be shorter', async () => {
    const compressor = createRelevanceCompressor({ embedder, counter, query: 'anything' });
    expect(await compressor.compress('One sentence only.', 2)).toBeUndefined();
    expect(await compressor.compress(report, counter.text(report) * 2)).toBeUndefined();
  });
});
