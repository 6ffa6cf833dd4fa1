import type { RunEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { agentEventLine } from './agent-event-line.js';

const base = { runId: 'r', timestamp: 1, stepId: 'agent', attempt: 1 };

describe('agentEventLine', () => {
  it('shows tool calls as they start and end, nested ones indented, replayed ones marked', () => {
    const events: RunEvent[] = [
      {
        ...base,
        type: 'sub-call-start',
        path: ['r', 'agent', 'tool-1-a'],
        callId: 'tool-1-a',
        target: 'weather.forecast',
        input: { city: 'Oslo' },
      },
      {
        ...base,
        type: 'sub-call-finish',
        path: ['r', 'agent', 'tool-1-a', 'call-1'],
        callId: 'call-1',
        target: 'geo.lookup@1.0.0',
        output: { lat: 59.9 },
        durationMs: 3,
        usage: { tokens: 0, costUsd: 0 },
        replayed: true,
      },
      {
        ...base,
        type: 'sub-call-error',
        path: ['r', 'agent', 'tool-2-b'],
        callId: 'tool-2-b',
        target: 'send-email',
        error: { name: 'Error', code: 'x', message: 'mailbox\nfull', retryable: false },
        durationMs: 1,
      },
    ];
    expect(events.map(agentEventLine)).toEqual([
      '→ weather.forecast {"city":"Oslo"}',
      '  ← geo.lookup@1.0.0 {"lat":59.9} (from the journal)',
      '✗ send-email: mailbox full',
    ]);
  });

  it('names the model chosen and the ones passed over, and cuts long values', () => {
    const choice: RunEvent = {
      ...base,
      type: 'model-choice',
      path: ['r', 'agent'],
      model: 'local:small',
      skipped: [{ model: 'local:large', reason: 'its estimate of $0.2 is over the $0.1 left' }],
      estimate: { tokens: 10, costUsd: 0.01 },
    };
    expect(agentEventLine(choice)).toBe(
      'model local:small (passed over local:large: its estimate of $0.2 is over the $0.1 left)',
    );
    const long = agentEventLine({
      ...base,
      type: 'sub-call-start',
      path: ['r', 'agent', 'c'],
      callId: 'c',
      target: 't',
      input: 'x'.repeat(500),
    });
    expect(long?.length).toBe(164);
    const fallback: RunEvent = {
      ...base,
      type: 'model-fallback',
      path: ['r', 'agent'],
      from: 'local:large',
      to: 'local:small',
      reason: 'the model large at http://127.0.0.1:1/v1/chat/completions could not be reached:\nfetch failed',
    };
    expect(agentEventLine(fallback)).toBe(
      'model local:large failed (the model large at http://127.0.0.1:1/v1/chat/completions could not be reached: fetch failed): asking local:small',
    );
    expect(agentEventLine({ ...base, type: 'step-start', path: ['r', 'agent'], target: 'agent' })).toBeUndefined();
  });
});
