import { describe, expect, it } from 'vitest';
import type { RunResult } from '../run/run-types.js';
import { stoppedSteps } from './stopped-steps.js';

const usage = { tokens: 0, costUsd: 0 };

describe('stoppedSteps', () => {
  it('keeps the started steps that did not finish: failed as tried, stopped ones with the try they were in', () => {
    const result: RunResult = {
      runId: 'r',
      status: 'failed',
      output: undefined,
      usage,
      startedAt: 1,
      finishedAt: 9,
      versions: { slow: { ref: 'slow', target: 'slow@1.0.0' } },
      steps: {
        done: { id: 'done', status: 'succeeded', attempts: 1, usage, startedAt: 2, target: 'done@1.0.0' },
        broken: { id: 'broken', status: 'failed', attempts: 3, usage, startedAt: 2, target: 'broken@1.0.0' },
        slow: { id: 'slow', status: 'running', attempts: 1, usage, startedAt: 3 },
        never: { id: 'never', status: 'pending', attempts: 0, usage },
      },
    };
    expect(stoppedSteps(result)).toEqual({
      broken: { status: 'failed', attempts: 3, startedAt: 2, target: 'broken@1.0.0' },
      slow: { status: 'cancelled', attempts: 2, startedAt: 3, target: 'slow@1.0.0' },
    });
  });

  it('is undefined when no step was stopped', () => {
    const steps = { done: { id: 'done', status: 'succeeded' as const, attempts: 1, usage, startedAt: 2 } };
    expect(
      stoppedSteps({ runId: 'r', status: 'failed', output: undefined, usage, startedAt: 1, finishedAt: 2, steps }),
    ).toBeUndefined();
  });
});
