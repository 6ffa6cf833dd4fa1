import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors/cancelled-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { Plan } from '../plan/plan.js';
import { abortableDelay, kit, ofType, rejectionOf, settle } from './test-kit.js';

/**
 * `slow` waits `ms` honouring its signal or, when `stubborn`, ignores its signal and waits until the test calls
 * `releaseStubborn()`; `quick` returns at once. `firstStart` resolves when the first handler starts.
 */
function timingKit() {
  const k = kit();
  const started: string[] = [];
  const aborted: unknown[] = [];
  let releaseStubborn = () => {};
  const stubborn = new Promise<void>((resolve) => {
    releaseStubborn = resolve;
  });
  let markStart = () => {};
  const firstStart = new Promise<void>((resolve) => {
    markStart = resolve;
  });
  k.add('slow', async (input: { ms: number; stubborn?: boolean; name?: string }, ctx) => {
    started.push(input.name ?? ctx.stepId);
    markStart();
    ctx.signal.addEventListener('abort', () => aborted.push(ctx.signal.reason), { once: true });
    if (input.stubborn) await stubborn;
    else await abortableDelay(input.ms, ctx.signal);
    return { waited: input.ms };
  });
  k.add('quick', (_input, ctx) => {
    started.push(ctx.stepId);
    return 'quick';
  });
  return { ...k, started, aborted, firstStart, releaseStubborn };
}

const chain: Plan = {
  steps: [
    { id: 'first', target: 'slow', input: { ms: 2000 } },
    { id: 'second', target: 'quick', input: {}, dependsOn: ['first'] },
  ],
};

describe('per-attempt timeouts', () => {
  it('aborts an attempt after policy.timeoutMs with a TimeoutError and retries it', async () => {
    const k = kit();
    const attempts: number[] = [];
    const reasons: unknown[] = [];
    k.add('sometimes-slow', async (_input, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt === 1) {
        await abortableDelay(2000, ctx.signal).catch((error) => {
          reasons.push(error);
          throw error;
        });
      }
      return 'fast enough';
    });
    const plan: Plan = {
      steps: [
        {
          id: 's',
          target: 'sometimes-slow',
          input: {},
          policy: { timeoutMs: 20, retry: { maxAttempts: 2, initialDelayMs: 1 } },
        },
      ],
    };
    const { result, events } = await settle(k.engine().run(plan));
    expect(result?.output).toEqual({ s: 'fast enough' });
    expect(attempts).toEqual([1, 2]);
    expect(TimeoutError.isInstance(reasons[0])).toBe(true);
    expect(reasons[0]).toMatchObject({ scope: 's', timeoutMs: 20 });
    expect(ofType(events, 'step-retry')[0]?.error.code).toBe('timeout');
  });

  it('fails the step with the TimeoutError once the retries are spent', async () => {
    const { engine, aborted } = timingKit();
    const plan: Plan = {
      steps: [
        {
          id: 's',
          target: 'slow',
          input: { ms: 2000 },
          policy: { timeoutMs: 10, retry: { maxAttempts: 2, initialDelayMs: 1 } },
        },
      ],
    };
    const error = await rejectionOf(engine().run(plan).result());
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(error.attempts).toBe(2);
    expect(TimeoutError.isInstance(error.cause)).toBe(true);
    expect(aborted).toHaveLength(2);
  });

  it('applies the run option timeoutMs to steps that set none, and the step policy over it', async () => {
    const { engine } = timingKit();
    const plan: Plan = {
      steps: [
        { id: 'bounded', target: 'slow', input: { ms: 2000 }, policy: { retry: false } },
        { id: 'own', target: 'slow', input: { ms: 30 }, policy: { timeoutMs: 5000, retry: false } },
      ],
    };
    const error = await rejectionOf(engine().run(plan, {}, { timeoutMs: 15 }).result());
    expect(error.stepId).toBe('bounded');
    expect(TimeoutError.isInstance(error.cause)).toBe(true);
    const ok = await engine()
      .run({ steps: [plan.steps[1]!] }, {}, { timeoutMs: 15 })
      .result();
    expect(ok.output).toEqual({ own: { waited: 30 } });
  });

  it('times out a handler that ignores its signal', async () => {
    const { engine, releaseStubborn } = timingKit();
    const plan: Plan = {
      steps: [{ id: 's', target: 'slow', input: { ms: 0, stubborn: true }, policy: { timeoutMs: 10, retry: false } }],
    };
    // The handler only returns once released, after the run has failed: the timeout did not wait for it.
    const error = await rejectionOf(engine().run(plan).result());
    releaseStubborn();
    expect(TimeoutError.isInstance(error.cause)).toBe(true);
  });
});

describe('run deadline', () => {
  it.each([
    ['milliseconds', 25],
    ['a Date', 'date'],
  ])('fails the run with a TimeoutError of scope run when the deadline in %s passes', async (_label, given) => {
    const { engine, aborted, started } = timingKit();
    const deadline = given === 'date' ? new Date(Date.now() + 25) : (given as number);
    const { error, events } = await settle(engine().run(chain, {}, { deadline }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error.scope).toBe('run');
    expect(error.retryable).toBe(false);
    expect(started).toEqual(['first']);
    expect(aborted).toHaveLength(1);
    const last = events.at(-1);
    expect(last?.type).toBe('run-error');
    expect(ofType(events, 'run-error')[0]?.error.code).toBe('timeout');
  });

  it('fails at once for a Date deadline that has already passed', async () => {
    const { engine, started } = timingKit();
    const error = await rejectionOf(
      engine()
        .run(chain, {}, { deadline: new Date(Date.now() - 1000) })
        .result(),
    );
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(started).toEqual([]);
  });

  it('does not fire early for a far-away deadline', async () => {
    const { engine } = timingKit();
    const plan: Plan = { steps: [{ id: 's', target: 'slow', input: { ms: 20 } }] };
    const result = await engine()
      .run(plan, {}, { deadline: new Date(Date.now() + 20 * 86_400_000) })
      .result();
    expect(result.status).toBe('succeeded');
  });
});

describe('cancellation', () => {
  it('cancel() mid-run rejects with CancelledError, aborts in-flight calls and starts nothing after', async () => {
    const { engine, started, aborted, firstStart } = timingKit();
    const handle = engine().run(chain);
    await firstStart;
    handle.cancel('user pressed stop');
    const { error, events } = await settle(handle);
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(error.message).toContain('user pressed stop');
    expect(started).toEqual(['first']);
    expect(CancelledError.isInstance(aborted[0])).toBe(true);
    // The reason is the caller's words; the step it cut short is told it ended, before the run is.
    expect(events.slice(-2)).toMatchObject([
      { type: 'step-cancel', stepId: 'first', attempt: 1, reason: 'user pressed stop', durationMs: expect.any(Number) },
      { type: 'run-cancel', reason: 'user pressed stop' },
    ]);
    expect(ofType(events, 'run-error')).toEqual([]);
    expect(ofType(events, 'step-start').map((e) => e.stepId)).toEqual(['first']);
    // The step that never started is told nothing.
    expect(ofType(events, 'step-cancel').map((e) => e.stepId)).toEqual(['first']);
    const snapshot = handle.snapshot();
    expect(snapshot.status).toBe('cancelled');
    expect(snapshot.steps.first?.status).toBe('cancelled');
    expect(snapshot.steps.second?.status).toBe('pending');
  });

  it('engine.cancel(runId) cancels a run it holds, and refuses one it does not know', async () => {
    const { engine: make, started, firstStart } = timingKit();
    const engine = make();
    const handle = engine.run(chain);
    await firstStart;
    await engine.cancel(handle.runId, 'by id');
    const { error } = await settle(handle);
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(error.message).toContain('by id');
    expect(started).toEqual(['first']);
    await expect(engine.cancel(handle.runId)).rejects.toMatchObject({ code: 'not-found' });
    await expect(engine.cancel(handle.runId, 42 as never)).rejects.toMatchObject({
      problems: [{ path: 'reason', code: 'type', message: 'reason must be a string, got 42' }],
    });
  });

  it('rejects promptly even when the handler ignores its signal', async () => {
    const { engine, firstStart, releaseStubborn } = timingKit();
    const handle = engine().run({ steps: [{ id: 's', target: 'slow', input: { ms: 0, stubborn: true } }] });
    await firstStart;
    handle.cancel();
    // The handler is released only after the result rejected: the cancel did not wait for it.
    const error = await rejectionOf(handle.result());
    releaseStubborn();
    expect(CancelledError.isInstance(error)).toBe(true);
  });

  it('stops waiting between retries when cancelled', async () => {
    const k = kit();
    let calls = 0;
    k.add('fails', () => {
      calls++;
      throw new Error('nope');
    });
    const plan: Plan = {
      steps: [
        {
          id: 's',
          target: 'fails',
          input: {},
          policy: { retry: { maxAttempts: 3, initialDelayMs: 5000, jitter: 'none' } },
        },
      ],
    };
    const handle = k.engine().run(plan, {}, { onEvent: (event) => event.type === 'step-retry' && handle.cancel() });
    expect(CancelledError.isInstance(await rejectionOf(handle.result()))).toBe(true);
    expect(calls).toBe(1);
  });

  it('cancels through an external AbortSignal, even one aborted without a reason', async () => {
    const { engine, started, firstStart } = timingKit();
    const controller = new AbortController();
    const handle = engine().run(chain, {}, { signal: controller.signal });
    await firstStart;
    controller.abort();
    const { error, events } = await settle(handle);
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(started).toEqual(['first']);
    expect(events.at(-1)?.type).toBe('run-cancel');
    expect(handle.snapshot().status).toBe('cancelled');
  });

  it('does not start at all with a signal that is already aborted', async () => {
    const { engine, started } = timingKit();
    const error = await rejectionOf(
      engine()
        .run(chain, {}, { signal: AbortSignal.abort('too late') })
        .result(),
    );
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(started).toEqual([]);
  });

  it('ignores cancel() after the run has finished', async () => {
    const { engine } = timingKit();
    const handle = engine().run({ steps: [{ id: 'q', target: 'quick', input: {} }] });
    const result = await handle.result();
    handle.cancel();
    expect(await handle.result()).toBe(result);
    expect(handle.snapshot().status).toBe('succeeded');
  });
});

describe('the deadline a handler is given', () => {
  async function deadlineSeen(plan: Plan, options: { deadline?: number } = {}) {
    const k = kit();
    const seen: (number | undefined)[] = [];
    k.add('look', (_input, ctx) => {
      seen.push(ctx.deadline);
      return {};
    });
    const before = Date.now();
    await k.engine().run(plan, {}, options).result();
    return { seen: seen[0], before, after: Date.now() };
  }
  const step = (policy?: Record<string, unknown>): Plan => ({
    steps: [{ id: 's', target: 'look', input: {}, ...(policy ? { policy } : {}) }],
  });

  it("is the attempt's timeout from its start, or the run's deadline, whichever comes first", async () => {
    const timed = await deadlineSeen(step({ timeoutMs: 60_000 }));
    expect(timed.seen).toBeGreaterThanOrEqual(timed.before + 60_000);
    expect(timed.seen).toBeLessThanOrEqual(timed.after + 60_000);
    const cut = await deadlineSeen(step({ timeoutMs: 60_000 }), { deadline: 5_000 });
    expect(cut.seen).toBeGreaterThanOrEqual(cut.before + 5_000);
    expect(cut.seen).toBeLessThanOrEqual(cut.after + 5_000);
  });

  it('is unset when neither a timeout nor a deadline applies', async () => {
    expect((await deadlineSeen(step())).seen).toBeUndefined();
  });
});
