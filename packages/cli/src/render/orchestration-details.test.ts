import type { Orchestration } from '@baton/protocol';
import { describe, expect, it } from 'vitest';
import { orchestrationDetails } from './orchestration-details.js';

const ended = (error: Orchestration['error']): Orchestration => ({
  id: 'orc_1',
  action: { content: 'book a room' },
  status: 'cancelled',
  plan: { steps: [{ id: 'book', target: 'hotel' }] },
  planning: null,
  parallelGroups: [['book']],
  steps: [
    {
      id: 'book',
      status: 'cancelled',
      service: 'hotel@1',
      attempts: 1,
      startedAt: null,
      finishedAt: null,
      error: null,
      usage: {},
    },
  ],
  error,
  usage: { tokens: 0, costUsd: 0 },
  retries: 0,
  createdAt: '2026-12-05T10:00:00.000Z',
  updatedAt: '2026-12-05T10:00:01.000Z',
  finishedAt: '2026-12-05T10:00:01.000Z',
});

describe('orchestrationDetails', () => {
  it('says the error code once, also when the message starts with it', () => {
    const errorLine = (error: Orchestration['error']) =>
      orchestrationDetails(ended(error), { detailed: false }).find((line) => line.startsWith('Error:'));
    expect(errorLine({ code: 'cancelled', message: 'cancelled: asked through the API' })).toBe(
      'Error:    cancelled: asked through the API',
    );
    expect(errorLine({ code: 'step-failed', message: 'step "book" failed: no rooms' })).toBe(
      'Error:    step-failed: step "book" failed: no rooms',
    );
  });

  it('shows a large result shortened in the summary, and whole with --detailed', () => {
    const result = { book: { confirmation: 'x'.repeat(5_000_000) } };
    const succeeded = { ...ended(null), status: 'succeeded' as const, result };
    const summary = orchestrationDetails(succeeded, { detailed: false });
    const at = summary.indexOf('Result (long values shortened; --detailed or --json shows them whole):');
    expect(at).toBeGreaterThan(0);
    expect(summary.join('\n').length).toBeLessThan(2000);
    expect(JSON.parse(summary.slice(at + 1).join('\n'))).toEqual({
      book: { confirmation: `${'x'.repeat(200)}… (5000000 characters)` },
    });
    const detailed = orchestrationDetails(succeeded, { detailed: true });
    expect(JSON.parse(detailed.slice(detailed.indexOf('Result:') + 1).join('\n'))).toEqual(result);
  });
});
