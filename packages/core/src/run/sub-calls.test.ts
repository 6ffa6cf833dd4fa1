import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { ReplayMismatchError } from '../errors/replay-mismatch-error.js';
import { RetryableError } from '../errors/retryable-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { Plan } from '../plan/plan.js';
import type { BudgetLeft } from '../registry/target.js';
import { abortableDelay, kit, ofType, rejectionOf, settle } from './test-kit.js';

const one = (target: string, input: unknown = {}): Plan => ({ steps: [{ id: 'main', target, input }] });

/** `double` and `spend` as tools, counted; `flaky` fails until its count reaches `okOn`. */
function toolKit() {
  const k = kit();
  const calls: string[] = [];
  k.add('double', (input: { x: number }, ctx) => {
    calls.push(`double:${input.x}:${ctx.idempotencyKey}`);
    return { x: input.x * 2 };
  });
  k.add('spend', (input: { tokens: number }, ctx) => {
    calls.push(`spend:${input.tokens}`);
    ctx.reportUsage({ tokens: input.tokens, costUsd: input.tokens / 1000 });
    return { spent: input.tokens };
  });
  let flakyCalls = 0;
  k.add('flaky', (input: { okOn: number }) => {
    flakyCalls++;
    calls.push(`flaky:${flakyCalls}`);
    if (flakyCalls < input.okOn) throw new RetryableError(`flaky call ${flakyCalls}`);
    return { ok: flakyCalls };
  });
  return { ...k, calls };
}

describe('context.call', () => {
  it('calls targets as sub-steps in order, with events under the step and their usage in the step and run', async () => {
    const k = toolKit();
    k.add('chain', async (input: { x: number }, ctx) => {
      const a = await ctx.call<{ x: number }>('double', { x: input.x });
      const b = await ctx.call<{ x: number }>('double', { x: a.x });
      const spent = await ctx.call<{ spent: number }>('spend', { tokens: 40 });
      return { x: b.x, spent: spent.spent };
    });
    const run = k.engine().run(one('chain', { x: 3 }), {}, { runId: 'r1' });
    const { result, events } = await settle(run);
    expect(result?.output).toEqual({ main: { x: 12, spent: 40 } });
    expect(k.calls).toEqual(['double:3:undefined', 'double:6:undefined', 'spend:40']);
    const starts = ofType(events, 'sub-call-start');
    expect(starts.map((e) => [e.callId, e.target, e.path])).toEqual([
      ['call-1', 'double', ['r1', 'main', 'call-1']],
      ['call-2', 'double', ['r1', 'main', 'call-2']],
      ['call-3', 'spend', ['r1', 'main', 'call-3']],
    ]);
    const finishes = ofType(events, 'sub-call-finish');
    expect(finishes.map((e) => [e.callId, e.target, e.output, e.replayed])).toEqual([
      ['call-1', 'double@1.0.0', { x: 6 }, undefined],
      ['call-2', 'double@1.0.0', { x: 12 }, undefined],
      ['call-3', 'spend@1.0.0', { spent: 40 }, undefined],
    ]);
    expect(finishes[2]?.usage).toEqual({ tokens: 40, costUsd: 0.04 });
    expect(result?.steps.main?.usage).toEqual({ tokens: 40, costUsd: 0.04 });
    expect(result?.usage).toEqual({ tokens: 40, costUsd: 0.04 });
  });

  it('passes each sub-call an idempotency key under its step key, and nests sub-calls of sub-calls', async () => {
    const k = toolKit();
    k.add('inner', async (input: { x: number }, ctx) => ctx.call('double', input, { id: 'twice' }));
    k.add('outer', async (_input, ctx) => ctx.call('inner', { x: 5 }), {
      // A business key gives every call under the step one of its own.
    });
    const plan: Plan = {
      steps: [{ id: 'main', target: 'outer', input: {}, policy: { idempotencyKey: 'order-7' } }],
    };
    const run = k.engine().run(plan, {}, { runId: 'r2' });
    const { result, events } = await settle(run);
    expect(result?.output).toEqual({ main: { x: 10 } });
    expect(k.calls).toEqual(['double:5:order-7#call-1#twice']);
    expect(ofType(events, 'sub-call-start').map((e) => e.path)).toEqual([
      ['r2', 'main', 'call-1'],
      ['r2', 'main', 'call-1', 'twice'],
    ]);
  });

  it("retries a sub-call by its own policy, announcing each retry under the call's path", async () => {
    const k = toolKit();
    k.add('caller', async (_input, ctx) =>
      ctx.call('flaky', { okOn: 3 }, { retry: { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } }),
    );
    const { result, events } = await settle(k.engine().run(one('caller'), {}, { runId: 'r3' }));
    expect(result?.output).toEqual({ main: { ok: 3 } });
    const retries = ofType(events, 'step-retry');
    expect(retries.map((e) => [e.stepId, e.path, e.target])).toEqual([
      ['main#call-1', ['r3', 'main', 'call-1'], 'flaky@1.0.0'],
      ['main#call-1', ['r3', 'main', 'call-1'], 'flaky@1.0.0'],
    ]);
  });

  it('hands a failed sub-call to the handler as a StepFailedError, announced as sub-call-error', async () => {
    const k = toolKit();
    k.add('caller', async (_input, ctx) => {
      const error = await rejectionOf(ctx.call('flaky', { okOn: 5 }, { retry: false }));
      return { failed: StepFailedError.isInstance(error), cause: (error as Error).message };
    });
    const { result, events } = await settle(k.engine().run(one('caller')));
    expect(result?.output).toEqual({
      main: { failed: true, cause: expect.stringContaining('flaky call 1') },
    });
    expect(ofType(events, 'sub-call-error').map((e) => [e.callId, e.target, e.error.code])).toEqual([
      ['call-1', 'flaky', 'step-failed'],
    ]);
  });

  it('times a sub-call out by its own timeout', async () => {
    const k = toolKit();
    k.add('hang', (_input, ctx) => abortableDelay(2_000_000_000, ctx.signal));
    k.add('caller', async (_input, ctx) => {
      const error = await rejectionOf(ctx.call('hang', {}, { timeoutMs: 5, retry: false }));
      return { cause: ((error as Error).cause as { code?: string }).code };
    });
    const { result } = await settle(k.engine().run(one('caller')));
    expect(result?.output).toEqual({ main: { cause: 'timeout' } });
  });

  it('gives a retried step the results of the sub-calls that finished before, without calling them again', async () => {
    const k = toolKit();
    let attempts = 0;
    k.add(
      'agentish',
      async (_input, ctx) => {
        attempts++;
        const a = await ctx.call<{ x: number }>('double', { x: 1 });
        const b = await ctx.call<{ spent: number }>('spend', { tokens: 10 });
        if (attempts === 1) throw new RetryableError('model hiccup');
        return { x: a.x, spent: b.spent, attempt: ctx.attempt };
      },
      {},
    );
    const plan: Plan = {
      steps: [{ id: 'main', target: 'agentish', policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } } }],
    };
    const { result, events } = await settle(k.engine().run(plan));
    expect(result?.output).toEqual({ main: { x: 2, spent: 10, attempt: 2 } });
    expect(k.calls).toEqual(['double:1:undefined', 'spend:10']);
    const replayed = ofType(events, 'sub-call-finish').filter((e) => e.replayed);
    expect(replayed.map((e) => [e.callId, e.attempt])).toEqual([
      ['call-1', 2],
      ['call-2', 2],
    ]);
    // The usage was spent once.
    expect(result?.usage.tokens).toBe(10);
  });

  it('never hands a fallback the sub-call results of the target it stands in for', async () => {
    const k = toolKit();
    k.add('primary', async (_input, ctx) => {
      await ctx.call('double', { x: 5 });
      throw new Error('primary gave up');
    });
    k.add('backup', async (_input, ctx) => ({ got: await ctx.call('spend', { tokens: 7 }) }));
    const plan: Plan = {
      steps: [{ id: 'main', target: 'primary', policy: { retry: false, fallback: ['backup'] } }],
    };
    const { result, events } = await settle(k.engine().run(plan));
    expect(result?.output).toEqual({ main: { got: { spent: 7 } } });
    expect(k.calls).toEqual(['double:5:undefined', 'spend:7']);
    expect(ofType(events, 'sub-call-finish').filter((e) => e.replayed)).toEqual([]);
  });

  it('numbers a call tried again after a failure as it numbered the failed one, so a retry of the step replays in order', async () => {
    const k = toolKit();
    let otherCalls = 0;
    k.add('other', () => {
      otherCalls++;
      if (otherCalls === 1) throw new RetryableError('other failed once');
      return { other: true };
    });
    k.add('careful', async (_input, ctx) => {
      let a: unknown;
      try {
        a = await ctx.call('flaky', { okOn: 2 }, { retry: false });
      } catch {
        a = await ctx.call('flaky', { okOn: 2 }, { retry: false });
      }
      const b = await ctx.call('other', {}, { retry: false }).catch((error: Error) => {
        throw new RetryableError(`other: ${error.message}`); // the step is worth trying again
      });
      return { a, b };
    });
    const plan: Plan = {
      steps: [{ id: 'main', target: 'careful', policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } } }],
    };
    const { result } = await settle(k.engine().run(plan));
    expect(result?.output).toEqual({ main: { a: { ok: 2 }, b: { other: true } } });
    // The second attempt replays flaky's success as call-1 and calls other for real as call-2.
    expect(k.calls).toEqual(['flaky:1', 'flaky:2']);
    expect(otherCalls).toBe(2);
  });

  it('stops with a ReplayMismatchError when a retried step asks another target or input under a journaled id', async () => {
    const k = toolKit();
    let attempts = 0;
    k.add('fickle', async (_input, ctx) => {
      attempts++;
      if (attempts === 1) {
        await ctx.call('double', { x: 1 });
        throw new RetryableError('try again');
      }
      return ctx.call('spend', { tokens: 3 });
    });
    const plan: Plan = {
      steps: [{ id: 'main', target: 'fickle', policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } } }],
    };
    const { result, error } = await settle(k.engine().run(plan));
    expect(result).toBeUndefined();
    const cause = (error as { cause?: unknown })?.cause ?? error;
    expect(ReplayMismatchError.isInstance(cause)).toBe(true);
    expect((cause as ReplayMismatchError).message).toMatch(
      /asked for a call of spend as "call-1", but its journal holds a call of double there/,
    );
    expect(k.calls).toEqual(['double:1:undefined']);
  });

  it('keeps a failure asked to be kept: a retried step gets the same error back instead of calling again', async () => {
    const k = toolKit();
    let attempts = 0;
    k.add('asks-twice', async (_input, ctx) => {
      attempts++;
      const seen = await ctx
        .call('flaky', { okOn: 9 }, { retry: false, keepFailure: true })
        .catch((error: Error) => `failed: ${error.message}`);
      if (attempts === 1) throw new RetryableError('the model hiccuped after seeing the failure');
      return seen;
    });
    const plan: Plan = {
      steps: [{ id: 'main', target: 'asks-twice', policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } } }],
    };
    const { result, events } = await settle(k.engine().run(plan));
    expect(k.calls).toEqual(['flaky:1']);
    expect((result?.output as { main?: string } | undefined)?.main).toMatch(/^failed: .*flaky call 1/);
    const errors = ofType(events, 'sub-call-error');
    expect(errors.map((e) => [e.callId, e.attempt, e.replayed])).toEqual([
      ['call-1', 1, undefined],
      ['call-1', 2, true],
    ]);
  });

  it('locks the version a sub-call first reached, so a retry of its step calls it again after a newer one came', async () => {
    const k = toolKit();
    const seen: string[] = [];
    let v1Calls = 0;
    k.add('versioned', () => {
      v1Calls++;
      seen.push('1.0.0');
      if (v1Calls === 1) throw new RetryableError('first call fails');
      return { v: 1 };
    });
    k.add('caller', async (_input, ctx) => {
      // A sub-call that failed for good fails its step for good, unless the handler says the step may try again.
      const out = await ctx.call<{ v: number }>('versioned', {}, { retry: false }).catch(() => {
        throw new RetryableError('try the step again');
      });
      return { v: out.v };
    });
    const engine = k.engine({
      onEvent: (event) => {
        // Between the failed attempt and its retry, a newer version is registered.
        if (event.type === 'step-retry' && event.stepId === 'main') {
          k.add(
            'versioned',
            () => {
              seen.push('2.0.0');
              return { v: 2 };
            },
            { version: '2.0.0' },
          );
        }
      },
    });
    const plan: Plan = {
      steps: [{ id: 'main', target: 'caller', policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } } }],
    };
    const { result, error } = await settle(engine.run(plan));
    expect(error).toBeUndefined();
    expect(result?.output).toEqual({ main: { v: 1 } });
    expect(seen).toEqual(['1.0.0', '1.0.0']);
    expect(result?.steps.main?.target).toBe('caller@1.0.0');
  });

  it('keeps sub-calls within the run budget, and says what is left of it', async () => {
    const k = toolKit();
    k.add(
      'spend-estimated',
      (input: { tokens: number }, ctx) => {
        ctx.reportUsage({ tokens: input.tokens });
        return {};
      },
      { estimate: (input: { tokens: number }) => ({ tokens: input.tokens }) },
    );
    const seen: BudgetLeft[] = [];
    k.add('caller', async (_input, ctx) => {
      seen.push(ctx.budgetLeft());
      await ctx.call('spend', { tokens: 30 });
      seen.push(ctx.budgetLeft());
      const error = await rejectionOf(ctx.call('spend-estimated', { tokens: 80 }));
      return {
        refused: BudgetExceededError.isInstance(error) || BudgetExceededError.isInstance((error as Error).cause),
      };
    });
    const { result } = await settle(k.engine().run(one('caller'), {}, { budget: { tokens: 100 } }));
    expect(result?.output).toEqual({ main: { refused: true } });
    expect(seen).toEqual([
      { tokens: 100, costUsd: undefined },
      { tokens: 70, costUsd: undefined },
    ]);
  });

  it('calls nothing more once the run has passed its budget: a sub-call is refused before its target runs', async () => {
    const k = toolKit();
    const charged: number[] = [];
    k.add('charge', (input: { amount: number }) => {
      charged.push(input.amount);
      return { charged: input.amount };
    });
    let refusal: unknown;
    k.add('caller', async (_input, ctx) => {
      // Past the run's 4,000 tokens: the run stops, and this handler's signal says so.
      ctx.reportUsage({ tokens: 5000 });
      refusal = await rejectionOf(ctx.call('charge', { amount: 10 }));
      return {};
    });
    const { events, error } = await settle(k.engine().run(one('caller'), {}, { budget: { tokens: 4000 } }));
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(charged).toEqual([]);
    expect(BudgetExceededError.isInstance(refusal)).toBe(true);
    expect(ofType(events, 'sub-call-start')).toEqual([]);
  });

  it('refuses a bad or repeated id, naming it', async () => {
    const k = toolKit();
    k.add('caller', async (_input, ctx) => {
      const bad = await rejectionOf(ctx.call('double', { x: 1 }, { id: 'has space' }));
      await ctx.call('double', { x: 1 }, { id: 'same' });
      const twice = await rejectionOf(ctx.call('double', { x: 1 }, { id: 'same' }));
      return [bad, twice].map((error) => ValidationError.isInstance(error) && error.message);
    });
    const { result } = await settle(k.engine().run(one('caller')));
    expect(result?.output).toEqual({
      main: [
        'invalid sub-call id in step "main": id: got "has space"; use letters, digits and ._:- (at most 200)',
        'sub-call id "same" is used twice in one attempt of step "main": id: "same" names another sub-call of this attempt already',
      ],
    });
  });

  it('calls through a business idempotency key once across runs', async () => {
    const k = toolKit();
    k.add('caller', async (_input, ctx) => ctx.call('double', { x: 4 }, { idempotencyKey: 'charge-1' }));
    const engine = k.engine();
    await settle(engine.run(one('caller')));
    const { result } = await settle(engine.run(one('caller')));
    expect(result?.output).toEqual({ main: { x: 8 } });
    expect(k.calls).toEqual(['double:4:charge-1']);
  });
});

describe('context.memo', () => {
  it('computes once per id across attempts, reserving the estimate and counting the usage', async () => {
    const k = toolKit();
    let computed = 0;
    const during: BudgetLeft[] = [];
    let attempts = 0;
    k.add('thinker', async (_input, ctx) => {
      attempts++;
      const answer = await ctx.memo(
        'model-1',
        () => {
          computed++;
          during.push(ctx.budgetLeft());
          return { text: 'forty-two', tokens: 25 };
        },
        { estimate: { tokens: 60 }, usage: (value) => ({ tokens: value.tokens }) },
      );
      if (attempts === 1) throw new RetryableError('after the model');
      return answer.text;
    });
    const plan: Plan = {
      steps: [{ id: 'main', target: 'thinker', policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } } }],
    };
    const { result } = await settle(k.engine().run(plan, {}, { budget: { tokens: 100 } }));
    expect(result?.output).toEqual({ main: 'forty-two' });
    expect(computed).toBe(1);
    expect(during).toEqual([{ tokens: 40, costUsd: undefined }]);
    expect(result?.usage.tokens).toBe(25);
  });

  it('lets a failed memo be tried again under its id within the attempt', async () => {
    const k = toolKit();
    let tries = 0;
    k.add('thinker', async (_input, ctx) => {
      const compute = () => {
        tries++;
        if (tries === 1) throw new Error('provider hiccup');
        return 'fine';
      };
      await rejectionOf(ctx.memo('model-1', compute));
      return ctx.memo('model-1', compute);
    });
    const { result } = await settle(k.engine().run(one('thinker')));
    expect(result?.output).toEqual({ main: 'fine' });
    expect(tries).toBe(2);
  });

  it('refuses an estimate the budget cannot cover before computing', async () => {
    const k = toolKit();
    let computed = false;
    k.add('thinker', async (_input, ctx) =>
      ctx.memo(
        'model-1',
        () => {
          computed = true;
          return 1;
        },
        { estimate: { costUsd: 2 } },
      ),
    );
    const error = await rejectionOf(
      k
        .engine()
        .run(one('thinker'), {}, { budget: { costUsd: 1 } })
        .result(),
    );
    expect(BudgetExceededError.isInstance(error.cause) || BudgetExceededError.isInstance(error)).toBe(true);
    expect(computed).toBe(false);
  });

  it('refuses a value that cannot be kept as JSON', async () => {
    const k = toolKit();
    k.add('thinker', async (_input, ctx) => {
      const error = await rejectionOf(ctx.memo('bad', () => ({ n: Number.NaN })));
      return ValidationError.isInstance(error) ? error.problems[0]?.message : 'accepted';
    });
    const { result } = await settle(k.engine().run(one('thinker')));
    expect(result?.output).toEqual({ main: expect.stringContaining('it must be JSON') });
  });
});

describe('context.emit', () => {
  it("adds the handler's event to the run's stream under its step", async () => {
    const k = toolKit();
    k.add('chooser', (_input, ctx) => {
      ctx.emit({
        type: 'model-choice',
        model: 'small',
        skipped: [{ model: 'large', reason: 'over budget' }],
        estimate: { tokens: 10, costUsd: 0.1 },
      });
      return 'ok';
    });
    const { events } = await settle(k.engine().run(one('chooser'), {}, { runId: 'r9' }));
    expect(ofType(events, 'model-choice')).toEqual([
      expect.objectContaining({
        stepId: 'main',
        attempt: 1,
        path: ['r9', 'main'],
        model: 'small',
        skipped: [{ model: 'large', reason: 'over budget' }],
      }),
    ]);
  });
});
