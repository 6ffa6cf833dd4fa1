/** The step options that would leave a step waiting forever: a timeout no timer can hold, a key no task can carry. */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../errors/validation-error.js';
import { codes, testRegistry } from './__fixtures__/registry.js';
import { MAX_TIMER_MS } from './max-timer.js';
import { validatePlan } from './validate-plan.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH, validatePolicy } from './validate-step-options.js';

function policyProblems(policy: unknown): Problem[] {
  const problems: Problem[] = [];
  validatePolicy(policy, 'steps[0].policy', problems);
  return problems;
}

describe('validatePolicy: timeoutMs', () => {
  it.each([9_007_199_254_740_992, MAX_TIMER_MS + 1, 1e300])('refuses %d, longer than any timer', (timeoutMs) => {
    const problems = policyProblems({ timeoutMs });
    expect(codes(problems)).toEqual(['steps[0].policy.timeoutMs range']);
    expect(problems[0]?.message).toBe(
      `timeoutMs must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${JSON.stringify(timeoutMs)}`,
    );
  });

  it.each([1, 2000.5, MAX_TIMER_MS])('takes %d', (timeoutMs) => {
    expect(policyProblems({ timeoutMs })).toEqual([]);
  });

  it('refuses Infinity once, as not a finite number', () => {
    expect(codes(policyProblems({ timeoutMs: Number.POSITIVE_INFINITY }))).toEqual(['steps[0].policy.timeoutMs range']);
  });
});

describe('validatePolicy: idempotencyKey', () => {
  it('refuses a key longer than a task can carry, naming its length and the limit', () => {
    const problems = policyProblems({ idempotencyKey: 'k'.repeat(100_000) });
    expect(codes(problems)).toEqual(['steps[0].policy.idempotencyKey max-length']);
    expect(problems[0]?.message).toContain(`at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got 100000`);
  });

  it('takes a key of exactly the limit', () => {
    expect(policyProblems({ idempotencyKey: 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH) })).toEqual([]);
    expect(MAX_IDEMPOTENCY_KEY_LENGTH).toBe(2000);
  });
});

describe('validatePlan: step policy limits', () => {
  it('refuses a plan whose step sets either, with one problem each', () => {
    const plan = {
      steps: [
        { id: 'a', target: 'noop', policy: { timeoutMs: 9_007_199_254_740_992 } },
        { id: 'b', target: 'noop', policy: { idempotencyKey: 'k'.repeat(2001) } },
      ],
    };
    const result = validatePlan(plan, testRegistry());
    expect(result.valid).toBe(false);
    expect(codes(result.problems)).toEqual([
      'steps[0].policy.timeoutMs range',
      'steps[1].policy.idempotencyKey max-length',
    ]);
  });
});
