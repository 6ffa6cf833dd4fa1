import { afterEach, describe, expect, it, vi } from 'vitest';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { Plan } from '../plan/plan.js';
import type { RunHandle } from './run-types.js';
import { abortableDelay, kit, ofType, rejectionOf, settle } from './test-kit.js';

interface SpendInput {
  tokens?: number;
  costUsd?: number;
  estimate?: number;
  /** Wait this long (aborted with the run); `hold` waits until the run aborts it. */
  ms?: number | 'hold';
  /** Wait until the handler of this step has been called. */
  after?: string;
  /** Report usage before waiting instead of after. */
  early?: boolean;
}

/** `spend` reports the usage its input names; its estimate is `input.estimate` tokens. */
function budgetKit() {
  const k = kit();
  const calls: string[] = [];
  const aborted: string[] = [];
  const called = new Map<string, () => void>();
  const whenCalled = (stepId: string) =>
    new Promise<void>((resolve) => (calls.includes(stepId) ? resolve() : called.set(stepId, resolve)));
  k.add(
    'spend',
    async (input: SpendInput, ctx) => {
      calls.push(ctx.stepId);
      called.get(ctx.stepId)?.();
      ctx.signal.addEventListener('abort', () => aborted.push(ctx.stepId), { once: true });
      const report = () => ctx.reportUsage({ tokens: input.tokens ?? 0, costUsd: input.costUsd ?? 0 });
      if (input.early) report();
      if (input.after !== undefined) await whenCalled(input.after);
      await abortableDelay(input.ms === 'hold' ? 2_000_000_000 : (input.ms ?? 0), ctx.signal);
      if (!input.early) report();
      return { spent: input.tokens ?? 0 };
    },
    { estimate: (input: SpendInput) => ({ tokens: input.estimate ?? 0, costUsd: (input.estimate ?? 0) / 1000 }) },
  );
  return { ...k, calls, aborted };
}

afterEach(() => {
  vi.useRealTimers();
});

/** Settles a run whose outcome depends on timers, on a fake clock: every timer fires in order, none early or late. */
async function settleOnFakeTime(start: () => RunHandle) {
  vi.useFakeTimers();
  const settled = settle(start());
  await vi.runAllTimersAsync();
  return settled;
}

const spend = (id: string, input: SpendInput, extra: Partial<Plan['steps'][number]> = {}) => ({
  id,
  target: 'spend',
  input,
  ...extra,
});

describe('budget refusal before a call', () => {
  it('refuses a step whose estimate does not fit the run budget, without calling its handler', async () => {
    const { engine, calls } = budgetKit();
    const plan: Plan = { steps: [spend('big', { estimate: 500 })], budget: { tokens: 100 } };
    const { error, events } = await settle(engine().run(plan));
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      budget: 'tokens',
      scope: 'run',
      limit: 100,
      amount: 500,
      phase: 'refused',
      stepId: 'big',
    });
    expect(error.message).toContain('tokens');
    expect(error.message).toContain('100');
    expect(calls).toEqual([]);
    expect(ofType(events, 'run-error')[0]?.error).toMatchObject({ code: 'budget-exceeded', phase: 'refused' });
  });

  it('refuses against what earlier steps used', async () => {
    const { engine, calls } = budgetKit();
    const plan: Plan = {
      steps: [spend('a', { tokens: 70, estimate: 70 }), spend('b', { estimate: 40 }, { dependsOn: ['a'] })],
      budget: { tokens: 100 },
    };
    const error = await rejectionOf(engine().run(plan).result());
    expect(error).toMatchObject({ phase: 'refused', stepId: 'b', amount: 110 });
    expect(calls).toEqual(['a']);
  });

  it('refuses a step whose estimate does not fit its own cost budget', async () => {
    const { engine, calls } = budgetKit();
    const plan: Plan = { steps: [spend('pricey', { estimate: 50 }, { budget: { costUsd: 0.01 } })] };
    const error = await rejectionOf(engine().run(plan).result());
    expect(error).toMatchObject({ budget: 'costUsd', scope: 'pricey', limit: 0.01, amount: 0.05, phase: 'refused' });
    expect(calls).toEqual([]);
  });

  it('does not let parallel steps reserve more than the run has left', async () => {
    const { engine, calls } = budgetKit();
    const plan: Plan = {
      steps: [
        spend('a', { estimate: 40, ms: 'hold' }),
        spend('b', { estimate: 40, ms: 'hold' }),
        spend('c', { estimate: 40, ms: 'hold' }),
      ],
      budget: { tokens: 100 },
    };
    const error = await rejectionOf(engine().run(plan).result());
    expect(error).toMatchObject({ phase: 'refused', stepId: 'c', budget: 'tokens' });
    expect(calls).toEqual(['a', 'b']);
  });

  it('does not count usage twice while a call that already reported is still running', async () => {
    const { engine, calls } = budgetKit();
    const plan: Plan = {
      steps: [
        // a reports early, then waits until b has reserved and been called: b's estimate meets a's usage, not its reservation.
        spend('a', { tokens: 60, estimate: 60, after: 'b', early: true }),
        spend('tick', {}),
        spend('b', { tokens: 40, estimate: 40 }, { dependsOn: ['tick'] }),
      ],
      budget: { tokens: 100 },
    };
    const result = await engine().run(plan).result();
    expect(calls).toEqual(['a', 'tick', 'b']);
    expect(result.usage.tokens).toBe(100);
  });

  it('lets the run option budget override the plan budget', async () => {
    const { engine, calls } = budgetKit();
    const plan: Plan = { steps: [spend('a', { estimate: 50, tokens: 50 })], budget: { tokens: 10 } };
    const result = await engine()
      .run(plan, {}, { budget: { tokens: 60 } })
      .result();
    expect(result.usage.tokens).toBe(50);
    expect(calls).toEqual(['a']);
  });
});

describe('budget exceeded by reported usage', () => {
  it('stops the run when reported usage passes the run budget, aborting steps in flight', async () => {
    const { engine, calls, aborted } = budgetKit();
    const plan: Plan = {
      steps: [
        spend('hungry', { tokens: 150, after: 'slow' }),
        spend('slow', { ms: 'hold' }),
        spend('later', {}, { dependsOn: ['hungry'] }),
      ],
      budget: { tokens: 100 },
    };
    const { error, events } = await settle(engine().run(plan));
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ budget: 'tokens', scope: 'run', limit: 100, amount: 150, phase: 'exceeded' });
    expect(calls).not.toContain('later');
    expect(aborted).toContain('slow');
    expect(events.at(-1)?.type).toBe('run-error');
  });

  it('warns before it stops when one report jumps from under the warning line past the limit', async () => {
    const { engine } = budgetKit();
    const plan: Plan = { steps: [spend('a', { tokens: 10 }), spend('b', { tokens: 500 }, { dependsOn: ['a'] })] };
    const { error, events } = await settle(engine().run(plan, {}, { budget: { tokens: 100 } }));
    expect(error).toMatchObject({ budget: 'tokens', scope: 'run', phase: 'exceeded', amount: 510 });
    expect(ofType(events, 'budget-warning')).toMatchObject([
      { budget: 'tokens', scope: 'run', used: 510, stepId: 'b' },
    ]);
    const types = events.map((e) => e.type);
    expect(types.indexOf('budget-warning')).toBeLessThan(types.indexOf('run-error'));
  });

  it('counts what steps still running report after a budget stopped the run', async () => {
    const k = kit();
    k.add('slow', async (_input, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      // Reports after the abort, a macrotask later: a handler winding down and telling what it spent.
      await new Promise<void>((resolve) => setImmediate(resolve));
      ctx.reportUsage({ tokens: 7, costUsd: 0.07 });
      throw ctx.signal.reason;
    });
    k.add('hungry', (_input, ctx) => {
      ctx.reportUsage({ tokens: 150 });
      return 'ate';
    });
    const plan: Plan = {
      steps: [
        { id: 'slow', target: 'slow' },
        { id: 'hungry', target: 'hungry' },
      ],
      budget: { tokens: 100 },
    };
    const handle = k.engine().run(plan);
    const { error } = await settle(handle);
    expect(error).toMatchObject({ budget: 'tokens', phase: 'exceeded', amount: 150 });
    expect(handle.snapshot().usage).toEqual({ tokens: 157, costUsd: 0.07 });
  });

  it('waits at most 5 s for a step that ignores the abort before settling a run a budget stopped', async () => {
    vi.useFakeTimers();
    const k = kit();
    k.add('stubborn', () => new Promise(() => {}));
    k.add('hungry', (_input, ctx) => {
      ctx.reportUsage({ tokens: 150 });
      return 'ate';
    });
    const plan: Plan = {
      steps: [
        { id: 'stubborn', target: 'stubborn' },
        { id: 'hungry', target: 'hungry' },
      ],
      budget: { tokens: 100 },
    };
    let settled = false;
    const outcome = settle(k.engine().run(plan)).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await outcome;
    expect(error).toMatchObject({ budget: 'tokens', phase: 'exceeded' });
  });

  it('stops on a step cost budget with the step as scope', async () => {
    const { engine } = budgetKit();
    const plan: Plan = {
      steps: [spend('s', { costUsd: 0.5, early: true, ms: 'hold' }, { budget: { costUsd: 0.25 } })],
    };
    const error = await rejectionOf(engine().run(plan).result());
    expect(error).toMatchObject({ budget: 'costUsd', scope: 's', limit: 0.25, amount: 0.5, phase: 'exceeded' });
  });

  it('fires one budget-warning when usage crosses warnAt', async () => {
    const { engine } = budgetKit();
    const plan: Plan = {
      steps: [
        spend('a', { tokens: 30 }),
        spend('b', { tokens: 30 }, { dependsOn: ['a'] }),
        spend('c', { tokens: 30 }, { dependsOn: ['b'] }),
      ],
      budget: { tokens: 100, warnAt: 0.5 },
    };
    const { result, events } = await settle(engine().run(plan));
    expect(result?.status).toBe('succeeded');
    const warnings = ofType(events, 'budget-warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ budget: 'tokens', scope: 'run', limit: 100, used: 60, stepId: 'b' });
    const types = events.map((e) => e.type);
    expect(types.indexOf('budget-warning')).toBeLessThan(types.lastIndexOf('step-finish'));
  });

  it('warns at 80% by default, for a step budget too', async () => {
    const { engine } = budgetKit();
    const plan: Plan = { steps: [spend('s', { tokens: 85 }, { budget: { tokens: 100 } })] };
    const { events } = await settle(engine().run(plan));
    expect(ofType(events, 'budget-warning')).toMatchObject([{ budget: 'tokens', scope: 's', used: 85, stepId: 's' }]);
  });

  it("places a step's budget warnings at the step, with its id and attempt", async () => {
    const { engine } = budgetKit();
    const plan: Plan = {
      steps: [
        spend('s', { tokens: 85 }, { budget: { tokens: 100 } }),
        spend('t', { ms: 45 }, { budget: { timeMs: 50 }, dependsOn: ['s'] }),
      ],
    };
    const { events } = await settleOnFakeTime(() => engine().run(plan, {}, { runId: 'r' }));
    expect(ofType(events, 'budget-warning')).toEqual([
      expect.objectContaining({ budget: 'tokens', scope: 's', path: ['r', 's'], stepId: 's', attempt: 1 }),
      expect.objectContaining({ budget: 'timeMs', scope: 't', path: ['r', 't'], stepId: 't', attempt: 1 }),
    ]);
  });

  it('places a run budget warning at the step whose usage crossed it', async () => {
    const { engine } = budgetKit();
    const plan: Plan = { steps: [spend('a', { tokens: 90 })], budget: { tokens: 100 } };
    const { events } = await settle(engine().run(plan, {}, { runId: 'r' }));
    expect(ofType(events, 'budget-warning')).toEqual([
      expect.objectContaining({ scope: 'run', path: ['r', 'a'], stepId: 'a', attempt: 1 }),
    ]);
  });
});

describe('time budgets', () => {
  it('stops a run that outlives its timeMs budget, with a warning first', async () => {
    const { engine, aborted } = budgetKit();
    const plan: Plan = { steps: [spend('s', { ms: 'hold' })], budget: { timeMs: 30 } };
    const { error, events } = await settleOnFakeTime(() => engine().run(plan));
    expect(error).toMatchObject({ budget: 'timeMs', scope: 'run', limit: 30, phase: 'exceeded' });
    expect(aborted).toEqual(['s']);
    expect(ofType(events, 'budget-warning')).toMatchObject([{ budget: 'timeMs', scope: 'run', limit: 30 }]);
  });

  it('stops a step that outlives its own timeMs across retries', async () => {
    const k = kit();
    let calls = 0;
    k.add('slow-fail', async (_input, ctx) => {
      calls++;
      await abortableDelay(15, ctx.signal);
      throw new Error('still failing');
    });
    const plan: Plan = {
      steps: [
        {
          id: 's',
          target: 'slow-fail',
          input: {},
          budget: { timeMs: 40 },
          policy: { retry: { maxAttempts: 50, initialDelayMs: 1, maxDelayMs: 1 } },
        },
      ],
    };
    // On a fake clock the attempts take 15 ms each (with at most 1 ms between): the budget runs out in the third.
    const { error, events } = await settleOnFakeTime(() => k.engine().run(plan));
    expect(error).toMatchObject({ budget: 'timeMs', scope: 's', limit: 40, phase: 'exceeded', stepId: 's' });
    expect(calls).toBe(3);
    expect(ofType(events, 'budget-warning')).toMatchObject([{ budget: 'timeMs', scope: 's', stepId: 's' }]);
  });
});

describe('usage totals', () => {
  it('sums reported usage per step and per run, in the result and in run-finish', async () => {
    const { engine } = budgetKit();
    const plan: Plan = {
      steps: [spend('a', { tokens: 10, costUsd: 0.01 }), spend('b', { tokens: 5, costUsd: 0.02 })],
      budget: { tokens: 1000, costUsd: 1 },
    };
    const { result, events } = await settle(engine().run(plan));
    expect(result?.steps.a?.usage).toEqual({ tokens: 10, costUsd: 0.01 });
    expect(result?.steps.b?.usage).toEqual({ tokens: 5, costUsd: 0.02 });
    expect(result?.usage.tokens).toBe(15);
    expect(result?.usage.costUsd).toBeCloseTo(0.03);
    const finish = ofType(events, 'run-finish')[0];
    expect(finish?.usage.tokens).toBe(15);
    expect(ofType(events, 'step-finish').find((e) => e.stepId === 'a')?.usage).toEqual({ tokens: 10, costUsd: 0.01 });
  });

  it('adds input and output tokens when a handler reports them separately', async () => {
    const k = kit();
    k.add('llm', (_input, ctx) => {
      ctx.reportUsage({ inputTokens: 12, outputTokens: 8, costUsd: 0.001 });
      ctx.reportUsage({ tokens: 5 });
      return 'ok';
    });
    const result = await k
      .engine()
      .run({ steps: [{ id: 'l', target: 'llm', input: {} }] })
      .result();
    expect(result.usage).toEqual({ tokens: 25, costUsd: 0.001 });
  });

  it('counts the usage of failed attempts that were retried', async () => {
    const k = kit();
    k.add('costly-flaky', (_input, ctx) => {
      ctx.reportUsage({ tokens: 10 });
      if (ctx.attempt < 3) throw new Error('again');
      return 'ok';
    });
    const plan: Plan = {
      steps: [{ id: 's', target: 'costly-flaky', input: {}, policy: { retry: { maxAttempts: 3, initialDelayMs: 1 } } }],
    };
    const result = await k.engine().run(plan).result();
    expect(result.usage.tokens).toBe(30);
    expect(result.steps.s?.usage.tokens).toBe(30);
  });

  it('refuses usage or estimates that are not finite non-negative numbers', async () => {
    const k = kit();
    const thrown: unknown[] = [];
    k.add('liar', (_input, ctx) => {
      try {
        ctx.reportUsage({ tokens: Number.NaN });
      } catch (error) {
        thrown.push(error);
      }
      ctx.reportUsage({ tokens: 5 });
      return 'ok';
    });
    k.add('bad-estimate', () => 'never', { estimate: () => ({ tokens: -1 }) });
    const plan: Plan = { steps: [{ id: 'l', target: 'liar', input: {} }], budget: { tokens: 10 } };
    const result = await k.engine().run(plan).result();
    expect(ValidationError.isInstance(thrown[0])).toBe(true);
    expect(result.usage.tokens).toBe(5);
    const error = await rejectionOf(
      k
        .engine()
        .run({ steps: [{ id: 'b', target: 'bad-estimate', input: {}, policy: { retry: false } }] })
        .result(),
    );
    expect(ValidationError.isInstance(error.cause)).toBe(true);
    expect(error.cause.problems[0].path).toBe('tokens');
  });
});
