import { afterEach, describe, expect, it, vi } from 'vitest';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import type { Budget } from '../plan/plan.js';
import { BudgetTracker, type BudgetWarning } from './budget-tracker.js';

function tracker(limits?: Budget) {
  const warnings: BudgetWarning[] = [];
  const run = new BudgetTracker('run', limits, undefined, (warning) => warnings.push(warning));
  return { run, warnings };
}

const thrown = (work: () => unknown): BudgetExceededError => {
  try {
    work();
  } catch (error) {
    if (BudgetExceededError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a BudgetExceededError');
};

afterEach(() => {
  vi.useRealTimers();
});

describe('BudgetTracker', () => {
  it('reserves an estimate that fits and refuses one that does not, saying which budget, limit and amount', () => {
    const { run } = tracker({ tokens: 100 });
    run.reserve({ tokens: 60, costUsd: 0 }, 'a');
    const error = thrown(() => run.reserve({ tokens: 50, costUsd: 0 }, 'b'));
    expect(error).toMatchObject({
      budget: 'tokens',
      scope: 'run',
      limit: 100,
      amount: 110,
      phase: 'refused',
      stepId: 'b',
    });
    expect(error.message).toContain('refused to start step "b"');
  });

  it('says what is left: the least over the step and its run, after what is used and reserved', () => {
    const { run } = tracker({ tokens: 1000, costUsd: 1 });
    const step = run.child('s', { tokens: 300 });
    expect(step.remaining()).toEqual({ tokens: 300, costUsd: 1 });
    run.add({ tokens: 800, costUsd: 0.25 });
    expect(step.remaining()).toEqual({ tokens: 200, costUsd: 0.75 });
    const held = step.reserve({ tokens: 150, costUsd: 0 }, 's');
    expect(step.remaining()).toEqual({ tokens: 50, costUsd: 0.75 });
    held.release();
    // Usage restored from an earlier life may already be past a limit: nothing is left, never less.
    run.restore({ tokens: 500, costUsd: 0 });
    expect(step.remaining()).toEqual({ tokens: 0, costUsd: 0.75 });
    expect(tracker().run.remaining()).toEqual({ tokens: undefined, costUsd: undefined });
  });

  it('frees a reservation on release, once, even when released twice', () => {
    const { run } = tracker({ tokens: 100 });
    const first = run.reserve({ tokens: 60, costUsd: 0 }, 'a');
    first.release();
    first.release();
    run.reserve({ tokens: 100, costUsd: 0 }, 'b');
    expect(() => run.reserve({ tokens: 1, costUsd: 0 }, 'c')).toThrow(BudgetExceededError);
  });

  it('moves consumed usage out of the reservation so it is never counted twice', () => {
    const { run } = tracker({ tokens: 100 });
    const reservation = run.reserve({ tokens: 60, costUsd: 0 }, 'a');
    reservation.consume({ tokens: 60, costUsd: 0 });
    run.add({ tokens: 60, costUsd: 0 }, 'a');
    run.reserve({ tokens: 40, costUsd: 0 }, 'b');
    reservation.release();
    expect(() => run.reserve({ tokens: 1, costUsd: 0 }, 'c')).toThrow(BudgetExceededError);
  });

  it('consumes no more than was reserved', () => {
    const { run } = tracker({ tokens: 100 });
    const reservation = run.reserve({ tokens: 10, costUsd: 0 }, 'a');
    reservation.consume({ tokens: 30, costUsd: 0 });
    run.add({ tokens: 30, costUsd: 0 }, 'a');
    reservation.release();
    run.reserve({ tokens: 70, costUsd: 0 }, 'b');
    expect(() => run.reserve({ tokens: 1, costUsd: 0 }, 'c')).toThrow(BudgetExceededError);
  });

  it('checks a step reservation against its own budget and every parent', () => {
    const { run } = tracker({ costUsd: 1 });
    const step = run.child('s', { costUsd: 0.5 });
    expect(thrown(() => step.reserve({ tokens: 0, costUsd: 0.6 }, 's'))).toMatchObject({
      scope: 's',
      limit: 0.5,
      budget: 'costUsd',
    });
    step.reserve({ tokens: 0, costUsd: 0.4 }, 's');
    const other = run.child('t', undefined);
    expect(thrown(() => other.reserve({ tokens: 0, costUsd: 0.7 }, 't'))).toMatchObject({ scope: 'run', limit: 1 });
  });

  it('ignores budgets that are not set and estimates of zero', () => {
    const { run } = tracker({ tokens: 0 });
    run.reserve({ tokens: 0, costUsd: 5 }, 'a');
    expect(() => run.reserve({ tokens: 1, costUsd: 0 }, 'b')).toThrow(BudgetExceededError);
    tracker(undefined).run.reserve({ tokens: 1e9, costUsd: 1e9 }, 'c');
  });

  it('adds usage to the step and the run, and throws phase exceeded past a limit', () => {
    const { run } = tracker({ tokens: 100 });
    const step = run.child('s', { tokens: 50 });
    step.add({ tokens: 40, costUsd: 0.1 }, 's');
    expect(step.used).toEqual({ tokens: 40, costUsd: 0.1 });
    expect(run.used).toEqual({ tokens: 40, costUsd: 0.1 });
    const error = thrown(() => step.add({ tokens: 20, costUsd: 0 }, 's'));
    expect(error).toMatchObject({
      budget: 'tokens',
      scope: 's',
      limit: 50,
      amount: 60,
      phase: 'exceeded',
      stepId: 's',
    });
    expect(run.used.tokens).toBe(60);
  });

  it('allows usage exactly at the limit', () => {
    const { run } = tracker({ tokens: 100 });
    run.add({ tokens: 100, costUsd: 0 });
    expect(() => run.add({ tokens: 1, costUsd: 0 })).toThrow(BudgetExceededError);
  });

  it('warns once per budget when usage crosses warnAt, with the step that crossed it', () => {
    const { run, warnings } = tracker({ tokens: 100, costUsd: 1, warnAt: 0.5 });
    run.add({ tokens: 40, costUsd: 0 }, 'a');
    expect(warnings).toEqual([]);
    run.add({ tokens: 10, costUsd: 0.6 }, 'b');
    run.add({ tokens: 10, costUsd: 0.1 }, 'c');
    expect(warnings).toEqual([
      { budget: 'tokens', scope: 'run', limit: 100, used: 50, stepId: 'b' },
      { budget: 'costUsd', scope: 'run', limit: 1, used: 0.6, stepId: 'b' },
    ]);
  });

  it('warns at 80% by default and still warns the run when a step passes its own limit', () => {
    const { run, warnings } = tracker({ tokens: 100 });
    const step = run.child('s', { tokens: 10 });
    expect(() => step.add({ tokens: 85, costUsd: 0 }, 's')).toThrow(BudgetExceededError);
    expect(warnings).toEqual([
      { budget: 'tokens', scope: 's', limit: 10, used: 85, stepId: 's' },
      { budget: 'tokens', scope: 'run', limit: 100, used: 85, stepId: 's' },
    ]);
  });

  it('warns once before refusing when one report jumps from under the warning line past the limit', () => {
    const { run, warnings } = tracker({ tokens: 100, costUsd: 1 });
    run.add({ tokens: 10, costUsd: 0 }, 'a');
    const error = thrown(() => run.add({ tokens: 500, costUsd: 0.9 }, 'b'));
    expect(error).toMatchObject({ budget: 'tokens', phase: 'exceeded', amount: 510 });
    expect(warnings).toEqual([
      { budget: 'tokens', scope: 'run', limit: 100, used: 510, stepId: 'b' },
      { budget: 'costUsd', scope: 'run', limit: 1, used: 0.9, stepId: 'b' },
    ]);
    expect(() => run.add({ tokens: 1, costUsd: 0 }, 'c')).toThrow(BudgetExceededError);
    expect(warnings).toHaveLength(2);
  });

  it('does not warn for zero usage, even with warnAt 0', () => {
    const { run, warnings } = tracker({ tokens: 100, warnAt: 0 });
    run.add({ tokens: 0, costUsd: 0 });
    expect(warnings).toEqual([]);
    run.add({ tokens: 1, costUsd: 0 });
    expect(warnings).toHaveLength(1);
  });

  it('refuses new work once a time budget is spent', () => {
    vi.useFakeTimers();
    const { run } = tracker({ timeMs: 10 });
    vi.advanceTimersByTime(9);
    run.checkTime('a');
    vi.advanceTimersByTime(1);
    expect(thrown(() => run.child('b', undefined).checkTime('b'))).toMatchObject({
      budget: 'timeMs',
      scope: 'run',
      limit: 10,
      phase: 'refused',
      stepId: 'b',
    });
  });
});
