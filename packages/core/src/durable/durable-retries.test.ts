import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../errors/retryable-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import type { Plan } from '../plan/plan.js';
import { durableKit, eventually, KIT_BACKENDS, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

/** A step whose target always fails with a retryable error: three attempts, a second between them. */
const flakyPlan = (fallback?: string): Plan => ({
  steps: [
    {
      id: 'flaky',
      target: 'flaky',
      input: {},
      policy: {
        retry: { maxAttempts: 3, initialDelayMs: 1_000, jitter: 'none' },
        breaker: false,
        ...(fallback === undefined ? {} : { fallback: [fallback] }),
      },
    },
  ],
});

describe.each(KIT_BACKENDS)('retries across the lives of a durable run on %s', (backend) => {
  const callTimes: number[] = [];
  const register = () => {
    callTimes.length = 0;
    kit.registry.register({
      name: 'flaky',
      description: 'Always fails, and says it may work next time',
      handler: () => {
        callTimes.push(Date.now());
        throw new RetryableError('the upstream is busy');
      },
    });
  };

  it('counts attempts made in an earlier life: maxAttempts bounds the step, not each engine that takes it up', async () => {
    kit = await durableKit(backend);
    register();
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run(flakyPlan());
    // The first attempt failed and its retry is journaled; the engine goes away during the delay.
    await eventually(async () =>
      (await kit.stores[0]!.readJournal(run.runId)).some((entry) => entry.type === 'retry-scheduled'),
    );
    await first.close();
    expect(callTimes).toHaveLength(1);
    const [scheduled] = (await kit.stores[0]!.readJournal(run.runId)).filter((e) => e.type === 'retry-scheduled');
    expect(scheduled).toMatchObject({ stepKey: 'flaky', data: { scope: '', failed: 1, attempts: 1 } });
    const retryAt = (scheduled!.data as { retryAt: number }).retryAt;

    const starts: number[] = [];
    const second = await kit.engine({
      engineId: 'second',
      onEvent: (event) => {
        if (event.type === 'step-start') starts.push(event.attempt);
      },
    });
    await second.start();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'failed', 10_000);
    // Two more attempts, not three: three in all, as the policy says.
    expect(callTimes).toHaveLength(3);
    // The taken-up step starts as its second attempt, as its handler is called.
    expect(starts).toEqual([2]);
    // The taken-up run waited out the delay the first engine had scheduled.
    expect(callTimes[1]).toBeGreaterThanOrEqual(retryAt);
    const error = (await kit.stores[0]!.getRun(run.runId))?.error as { code?: string; attempts?: number } | undefined;
    expect(error?.code).toBe(new StepFailedError('flaky', 'flaky', 3, undefined).code);
    expect(error?.attempts).toBe(3);
    const retries = (await kit.stores[0]!.readJournal(run.runId)).filter((e) => e.type === 'retry-scheduled');
    expect(retries.map((entry) => (entry.data as { failed: number }).failed)).toEqual([1, 2]);
  }, 20_000);

  it('keeps the attempts of each target apart: a fallback gets its own', async () => {
    kit = await durableKit(backend);
    register();
    kit.registry.register({ name: 'steady', description: 'Works', handler: () => ({ ok: true }) });
    const engine = await kit.engine({ engineId: 'only' });
    const result = await engine.run(flakyPlan('steady')).result();
    expect(result.output).toEqual({ flaky: { ok: true } });
    expect(result.steps.flaky).toMatchObject({ status: 'succeeded', target: 'steady@1.0.0', attempts: 4 });
    expect(callTimes).toHaveLength(3);
  }, 20_000);
});
