import { afterEach, describe, expect, it, vi } from 'vitest';
import { BreakerOpenError } from '../errors/breaker-open-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { NonRetryableError, RetryableError } from '../errors/retryable-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { Plan, StepPolicy } from '../plan/plan.js';
import { delay, HttpError, kit, ofType, rejectionOf, settle } from './test-kit.js';

const fast = { initialDelayMs: 1, maxDelayMs: 5 };

/** A target that throws `failures[i]` on call i and returns `{ ok: call }` once they run out. */
function flaky(failures: unknown[]) {
  const k = kit();
  const attempts: number[] = [];
  k.add('flaky', async (_input, ctx) => {
    attempts.push(ctx.attempt);
    await delay(1);
    const failure = failures[attempts.length - 1];
    if (failure !== undefined) throw failure;
    return { ok: attempts.length };
  });
  k.add('backup', () => ({ from: 'backup' }));
  k.add('spare', () => ({ from: 'spare' }));
  return { ...k, attempts };
}

const step = (policy: StepPolicy, target = 'flaky'): Plan => ({ steps: [{ id: 's', target, input: {}, policy }] });

afterEach(() => {
  vi.useRealTimers();
});

/** Settles `promise` on a fake clock; `ended()` tells whether it has, without waiting. */
function observe<T>(promise: Promise<T>) {
  let ended = false;
  const settled = promise.finally(() => {
    ended = true;
  });
  return { settled, ended: () => ended };
}

describe('retries', () => {
  it('retries a failing call until it succeeds and counts the attempts', async () => {
    const { engine, attempts } = flaky([new Error('a'), new Error('b')]);
    const { result, events } = await settle(engine().run(step({ retry: { maxAttempts: 3, ...fast } })));
    expect(result?.output).toEqual({ s: { ok: 3 } });
    expect(result?.steps.s?.attempts).toBe(3);
    expect(attempts).toEqual([1, 2, 3]);
    const retries = ofType(events, 'step-retry');
    expect(retries.map((e) => e.attempt)).toEqual([2, 3]);
    expect(retries.map((e) => e.error.message)).toEqual(['a', 'b']);
    expect(ofType(events, 'step-finish')[0]?.attempt).toBe(3);
  });

  it('fails with a StepFailedError carrying the attempts and the last error once attempts run out', async () => {
    const { engine, attempts } = flaky([new Error('1'), new Error('2'), new Error('3'), new Error('4')]);
    const { error, events, result } = await settle(engine().run(step({ retry: { maxAttempts: 3, ...fast } })));
    expect(result).toBeUndefined();
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ stepId: 's', attempts: 3, target: 'flaky@1.0.0' });
    expect(error.cause.message).toBe('3');
    expect(attempts).toHaveLength(3);
    expect(ofType(events, 'step-retry')).toHaveLength(2);
    for (const retry of ofType(events, 'step-retry')) {
      expect(retry.delayMs).toBeGreaterThanOrEqual(0);
      expect(retry.delayMs).toBeLessThanOrEqual(5);
    }
    expect(ofType(events, 'step-error')[0]).toMatchObject({ stepId: 's', attempt: 3 });
    expect(ofType(events, 'run-error')[0]?.error.code).toBe('step-failed');
  });

  it('uses three attempts by default', async () => {
    const { engine, attempts } = flaky(Array.from({ length: 9 }, () => new Error('x')));
    await rejectionOf(
      engine({ defaults: { retry: { ...fast } } })
        .run(step({}))
        .result(),
    );
    expect(attempts).toHaveLength(3);
  });

  it('makes one attempt only with retry: false', async () => {
    const { engine, attempts } = flaky([new Error('x')]);
    await rejectionOf(
      engine()
        .run(step({ retry: false }))
        .result(),
    );
    expect(attempts).toHaveLength(1);
  });

  it.each([
    ['NonRetryableError', new NonRetryableError('bad request')],
    ['ValidationError', new ValidationError('bad', [{ path: 'x', code: 'required', message: 'x is required' }])],
    ['HTTP 400', new HttpError(400)],
    ['HTTP 404', Object.assign(new Error('gone'), { statusCode: 404 })],
    ['an error that says it is not retryable', Object.assign(new Error('no'), { retryable: false })],
  ])('does not retry %s', async (_name, failure) => {
    const { engine, attempts } = flaky([failure]);
    const { error, events } = await settle(engine().run(step({ retry: { maxAttempts: 5, ...fast } })));
    expect(attempts).toHaveLength(1);
    expect(error.cause).toBe(failure);
    expect(ofType(events, 'step-retry')).toEqual([]);
  });

  it('does not retry errors whose code or name is listed in nonRetryable', async () => {
    const byCode = flaky([Object.assign(new Error('quota'), { code: 'QUOTA' })]);
    await rejectionOf(
      byCode
        .engine()
        .run(step({ retry: { maxAttempts: 5, nonRetryable: ['QUOTA'], ...fast } }))
        .result(),
    );
    expect(byCode.attempts).toHaveLength(1);
    const byName = flaky([new RangeError('bug')]);
    await rejectionOf(
      byName
        .engine()
        .run(step({ retry: { maxAttempts: 5, nonRetryable: ['RangeError'], ...fast } }))
        .result(),
    );
    expect(byName.attempts).toHaveLength(1);
  });

  it.each([429, 503, 408])('retries HTTP %i', async (status) => {
    const { engine, attempts } = flaky([new HttpError(status)]);
    const result = await engine()
      .run(step({ retry: { maxAttempts: 2, ...fast } }))
      .result();
    expect(attempts).toHaveLength(2);
    expect(result.output).toEqual({ s: { ok: 2 } });
  });

  it('waits the Retry-After seconds an error asks for before the next attempt', async () => {
    vi.useFakeTimers();
    const { engine, attempts } = flaky([new RetryableError('slow down', { status: 429, retryAfter: '0.05' })]);
    const run = observe(settle(engine().run(step({ retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1000 } }))));
    // The first attempt takes 1 ms on the fake clock; its retry is due 50 ms later.
    await vi.advanceTimersByTimeAsync(50);
    expect(attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(2);
    await vi.runAllTimersAsync();
    const { events } = await run.settled;
    expect(ofType(events, 'step-retry')[0]?.delayMs).toBe(50);
  });

  it('honours a Retry-After header given as an HTTP date, as the wait the date asks for', async () => {
    // HTTP dates have whole seconds: a date 3 s ahead is between 2 and 3 s away when it is read (no time passes on
    // the fake clock, however busy the machine).
    vi.useFakeTimers();
    const when = new Date(Date.now() + 3000).toUTCString();
    const { engine } = flaky([new HttpError(503, { 'Retry-After': when })]);
    const handle = engine().run(
      step({ retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 40 } }),
      {},
      {
        onEvent: (event) => {
          if (event.type === 'step-retry') handle.cancel('seen the delay');
        },
      },
    );
    const outcome = settle(handle);
    await vi.runAllTimersAsync();
    const { events } = await outcome;
    const delayMs = ofType(events, 'step-retry')[0]?.delayMs ?? 0;
    expect(delayMs).toBeGreaterThan(2000);
    expect(delayMs).toBeLessThanOrEqual(3000);
  });

  it('waits a Retry-After longer than maxDelayMs, up to maxRetryAfterMs', async () => {
    const honoured = flaky([new RetryableError('later', { retryAfter: 120 })]);
    const handle = honoured.engine().run(
      step({ retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 20 } }),
      {},
      {
        onEvent: (event) => {
          if (event.type === 'step-retry') handle.cancel('seen the delay');
        },
      },
    );
    expect(ofType((await settle(handle)).events, 'step-retry')[0]?.delayMs).toBe(120_000);
    const capped = flaky([new RetryableError('later', { retryAfter: 120 })]);
    const retry = { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 30 };
    const { events, result } = await settle(capped.engine().run(step({ retry })));
    expect(ofType(events, 'step-retry')[0]?.delayMs).toBe(30);
    expect(result?.output).toEqual({ s: { ok: 2 } });
  });

  it('ignores a Retry-After when respectRetryAfter is false', async () => {
    const ignored = flaky([new RetryableError('later', { retryAfter: 120 })]);
    const retry = {
      maxAttempts: 2,
      initialDelayMs: 3,
      maxDelayMs: 10_000,
      jitter: 'none' as const,
      respectRetryAfter: false,
    };
    const second = await settle(ignored.engine().run(step({ retry })));
    expect(ofType(second.events, 'step-retry')[0]?.delayMs).toBe(3);
  });

  it('fails at once with the deadline error when a Retry-After would outlast the run deadline', async () => {
    vi.useFakeTimers();
    const { engine, attempts } = flaky([new RetryableError('later', { retryAfter: 60 })]);
    const run = observe(
      settle(engine().run(step({ retry: { maxAttempts: 2, initialDelayMs: 1 } }), {}, { deadline: 5000 })),
    );
    // "At once": the run ends after the 1 ms attempt, long before the 5 s deadline could end it.
    await vi.advanceTimersByTimeAsync(1);
    expect(run.ended()).toBe(true);
    const { error, events } = await run.settled;
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ scope: 'run', timeoutMs: 5000 });
    // It says the deadline is still ahead, which retry it refused, and why the step failed.
    expect(error.message).toBe(
      'the run would time out after 5000 ms before step "s" could try again in 60000 ms; its last try failed: later',
    );
    expect(attempts).toHaveLength(1);
    expect(ofType(events, 'step-retry')).toHaveLength(0);
    expect(ofType(events, 'run-error')[0]?.error.code).toBe('timeout');
  });

  it('fails at once with the budget error when a Retry-After would outlast a time budget', async () => {
    vi.useFakeTimers();
    const stepBudget = flaky([new RetryableError('later', { retryAfter: 60 })]);
    const plan: Plan = {
      steps: [{ id: 's', target: 'flaky', budget: { timeMs: 5000 }, policy: { retry: { maxAttempts: 2 } } }],
    };
    const first = observe(settle(stepBudget.engine().run(plan)));
    await vi.advanceTimersByTimeAsync(1);
    expect(first.ended()).toBe(true);
    const { error } = await first.settled;
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ budget: 'timeMs', scope: 's', limit: 5000, stepId: 's', phase: 'refused' });
    expect(error.message).toMatch(
      /^refused to start step "s": its estimate would bring the timeMs budget of the step "s" to 600\d\d \(limit 5000\); it would have tried again in 60000 ms; its last try failed: later$/,
    );
    const runBudget = flaky([new RetryableError('later', { retryAfter: 60 })]);
    const second = observe(
      settle(runBudget.engine().run(step({ retry: { maxAttempts: 2 } }), {}, { budget: { timeMs: 5000 } })),
    );
    await vi.advanceTimersByTimeAsync(1);
    expect(second.ended()).toBe(true);
    expect((await second.settled).error).toMatchObject({
      code: 'budget-exceeded',
      budget: 'timeMs',
      scope: 'run',
      limit: 5000,
      phase: 'refused',
      message: expect.stringContaining('it would have tried again in 60000 ms; its last try failed: later'),
    });
  });

  it('grows the delay exponentially between attempts without jitter', async () => {
    const { engine } = flaky([new Error('1'), new Error('2'), new Error('3')]);
    const retry = { maxAttempts: 4, initialDelayMs: 2, backoffFactor: 3, maxDelayMs: 10, jitter: 'none' as const };
    const { events } = await settle(engine().run(step({ retry })));
    expect(ofType(events, 'step-retry').map((e) => e.delayMs)).toEqual([2, 6, 10]);
  });
});

describe('fallbacks', () => {
  it('takes the fallback once the target has used up its retries, and names it in the result', async () => {
    const { engine, attempts } = flaky([new Error('1'), new Error('2')]);
    const { result, events } = await settle(
      engine().run(step({ retry: { maxAttempts: 2, ...fast }, fallback: 'backup' })),
    );
    expect(attempts).toHaveLength(2);
    expect(result?.output).toEqual({ s: { from: 'backup' } });
    expect(result?.steps.s?.target).toBe('backup@1.0.0');
    expect(result?.steps.s?.attempts).toBe(3);
    // One retry of flaky itself, then one hand-over to the fallback: a fallback is not a retry.
    expect(ofType(events, 'step-retry')).toMatchObject([{ target: 'flaky@1.0.0', attempt: 2 }]);
    expect(ofType(events, 'step-fallback')).toEqual([
      expect.objectContaining({
        stepId: 's',
        attempt: 3,
        from: 'flaky@1.0.0',
        to: 'backup',
        error: expect.objectContaining({ message: '2' }),
      }),
    ]);
    const types = events.map((e) => e.type);
    expect(types.indexOf('step-fallback')).toBeLessThan(types.indexOf('step-finish'));
    expect(ofType(events, 'step-finish')[0]?.target).toBe('backup@1.0.0');
  });

  it('hands over from a target that is down, naming the reference and the not-found error', async () => {
    const k = kit();
    k.add('primary', () => 'never');
    k.add('backup', () => 'from backup');
    const e = k.engine();
    const plan = e.compile(step({ retry: false, fallback: 'backup' }, 'primary'));
    k.registry.setHealth('primary', 'down');
    const { result, events } = await settle(e.run(plan));
    expect(result?.output).toEqual({ s: 'from backup' });
    expect(ofType(events, 'step-fallback')).toMatchObject([
      { from: 'primary', to: 'backup', attempt: 1, error: { code: 'not-found' } },
    ]);
    expect(ofType(events, 'step-retry')).toEqual([]);
  });

  it('walks the fallback chain in order', async () => {
    const k = kit();
    const calls: string[] = [];
    for (const name of ['first', 'second', 'third', 'fourth']) {
      k.add(name, () => {
        calls.push(name);
        if (name !== 'third') throw new NonRetryableError(`${name} is down`);
        return name;
      });
    }
    const plan = step({ retry: false, fallback: ['second', 'third', 'fourth'] }, 'first');
    const { result: settled, events } = await settle(k.engine().run(plan));
    const result = settled as NonNullable<typeof settled>;
    expect(calls).toEqual(['first', 'second', 'third']);
    expect(result.steps.s?.target).toBe('third@1.0.0');
    expect(ofType(events, 'step-fallback').map((e) => `${e.from}>${e.to}`)).toEqual([
      'first@1.0.0>second',
      'second@1.0.0>third',
    ]);
  });

  it('fails with the last error when every target in the chain fails', async () => {
    const k = kit();
    k.add('one', () => {
      throw new NonRetryableError('one failed');
    });
    k.add('two', () => {
      throw new NonRetryableError('two failed');
    });
    const error = await rejectionOf(
      k
        .engine()
        .run(step({ retry: false, fallback: 'two' }, 'one'))
        .result(),
    );
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(error.target).toBe('two@1.0.0');
    expect(error.cause.message).toBe('two failed');
  });
});

describe('circuit breaker', () => {
  const failing = () => {
    const k = kit();
    const calls = { down: 0, backup: 0 };
    let healthy = false;
    k.add('down', () => {
      calls.down++;
      if (!healthy) throw new Error('unavailable');
      return 'recovered';
    });
    k.add('backup', () => {
      calls.backup++;
      return 'backup';
    });
    return { ...k, calls, heal: () => (healthy = true) };
  };
  // The recovery tests use `quick` on a fake clock; the others never reach halfOpenAfterMs.
  const policy = (extra: StepPolicy = {}, halfOpenAfterMs = 60_000): StepPolicy => ({
    retry: false,
    breaker: { threshold: 3, halfOpenAfterMs },
    ...extra,
  });
  const quick = (extra: StepPolicy = {}) => policy(extra, 100);

  it('opens after threshold consecutive failures across runs, then fails fast without calling the handler', async () => {
    const { engine, calls } = failing();
    const e = engine();
    for (let i = 0; i < 3; i++) await rejectionOf(e.run(step(policy(), 'down')).result());
    expect(calls.down).toBe(3);
    expect(e.breakerState('down@1.0.0')).toBe('open');
    // A name or a range reads the breaker of the version a step naming it calls; an unknown target is no breaker.
    expect(e.breakerState('down')).toBe('open');
    expect(e.breakerState('down@^1')).toBe('open');
    expect(() => e.breakerState('dwon')).toThrow(/no target "dwon" is registered.*down@1\.0\.0/);
    const error = await rejectionOf(e.run(step(policy(), 'down')).result());
    expect(calls.down).toBe(3);
    expect(BreakerOpenError.isInstance(error.cause)).toBe(true);
    expect(error.cause.target).toBe('down@1.0.0');
    // Refused before any call: the step was not run.
    expect(error.attempts).toBe(0);
    expect(error.message).toContain('was not run');
  });

  it('counts retries of one step towards the threshold and stops retrying once it opens', async () => {
    const { engine, calls } = failing();
    const e = engine();
    const { events, error } = await settle(e.run(step({ ...policy(), retry: { maxAttempts: 10, ...fast } }, 'down')));
    expect(calls.down).toBe(3);
    expect(BreakerOpenError.isInstance(error.cause)).toBe(true);
    // Three calls were made; no fourth try is announced, since the open breaker would refuse it.
    expect(error.attempts).toBe(3);
    expect(ofType(events, 'step-retry').map((event) => event.attempt)).toEqual([2, 3]);
    expect(error.message).toContain('failed after 3 attempts');
    // It says why the breaker opened: the target's own last failure.
    expect(error.cause.lastFailure).toBe('unavailable');
  });

  it('takes the fallback while the breaker is open', async () => {
    const { engine, calls } = failing();
    const e = engine();
    for (let i = 0; i < 3; i++) await rejectionOf(e.run(step(policy(), 'down')).result());
    const result = await e.run(step(policy({ fallback: 'backup' }), 'down')).result();
    expect(result.output).toEqual({ s: 'backup' });
    expect(result.steps.s?.target).toBe('backup@1.0.0');
    expect(calls).toEqual({ down: 3, backup: 1 });
  });

  it('lets one trial call through after halfOpenAfterMs and closes when it succeeds', async () => {
    vi.useFakeTimers();
    const { engine, calls, heal } = failing();
    const e = engine();
    for (let i = 0; i < 3; i++) await rejectionOf(e.run(step(quick(), 'down')).result());
    heal();
    await vi.advanceTimersByTimeAsync(150);
    const result = await e.run(step(quick({ fallback: 'backup' }), 'down')).result();
    expect(result.output).toEqual({ s: 'recovered' });
    expect(calls.down).toBe(4);
    expect(e.breakerState('down@1.0.0')).toBe('closed');
  });

  it('opens again when the trial call fails', async () => {
    vi.useFakeTimers();
    const { engine, calls } = failing();
    const e = engine();
    for (let i = 0; i < 3; i++) await rejectionOf(e.run(step(quick(), 'down')).result());
    await vi.advanceTimersByTimeAsync(150);
    await rejectionOf(e.run(step(quick(), 'down')).result());
    expect(calls.down).toBe(4);
    expect(e.breakerState('down@1.0.0')).toBe('open');
    await vi.advanceTimersByTimeAsync(99);
    await rejectionOf(e.run(step(quick(), 'down')).result());
    expect(calls.down).toBe(4);
  });

  it('keeps breakers per engine and per target, and not at all with breaker: false', async () => {
    const { engine, calls } = failing();
    const first = engine();
    for (let i = 0; i < 3; i++) await rejectionOf(first.run(step(policy(), 'down')).result());
    expect(first.breakerState('backup@1.0.0')).toBe('closed');
    expect(engine().breakerState('down@1.0.0')).toBe('closed');
    const off = engine();
    for (let i = 0; i < 5; i++) await rejectionOf(off.run(step({ retry: false, breaker: false }, 'down')).result());
    expect(calls.down).toBe(8);
  });

  it('does not count invalid input against the target', async () => {
    const k = kit();
    k.add('strict', () => 'ok', { input: { type: 'object', required: ['x'] } });
    const e = k.engine();
    const bad: Plan = { steps: [{ id: 's', target: 'strict', input: { x: { $ref: 'request.x' } }, policy: policy() }] };
    for (let i = 0; i < 4; i++) await rejectionOf(e.run(bad, {}).result());
    expect(e.breakerState('strict@1.0.0')).toBe('closed');
    expect((await e.run(bad, { x: 1 }).result()).output).toEqual({ s: 'ok' });
  });
});
