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
});
