import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CancelledError } from '../errors/cancelled-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { Plan } from '../plan/plan.js';
import type { BatchContext } from '../registry/target.js';
import { kit, rejectionOf } from './test-kit.js';

const WAIT_MS = 50;

/** `echo`, batched: records each batch, and answers through `answer` (by default, each text upper-cased). */
function batched(
  answer: (texts: string[], context: BatchContext) => unknown = (texts) => texts.map((t) => t.toUpperCase()),
) {
  const k = kit();
  const batches: string[][] = [];
  let joined = 0;
  k.registry.register({
    name: 'echo',
    description: 'Upper-cases texts, many at once',
    input: z.object({ text: z.string() }),
    // Called for each input right before it joins a batch: the tests wait for it instead of for time.
    estimate: () => {
      joined++;
      return {};
    },
    batch: {
      maxSize: 10,
      maxWaitMs: WAIT_MS,
      handler: (inputs: { text: string }[], context) => {
        const texts = inputs.map((i) => i.text);
        batches.push(texts);
        return answer(texts, context) as string[];
      },
    },
  });
  return { ...k, batches, joined: () => joined };
}

const twoSteps: Plan = {
  steps: [
    { id: 'a', target: 'echo', input: { text: { $ref: 'request.a' } }, policy: { retry: false } },
    { id: 'b', target: 'echo', input: { text: { $ref: 'request.b' } }, policy: { retry: false } },
  ],
};

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batched targets in runs', () => {
  it('coalesces the calls of parallel steps of several runs into one handler call, splitting its usage', async () => {
    const k = batched((texts, context) => {
      context.reportUsage({ tokens: 8, costUsd: 0.4 });
      return texts.map((t) => t.toUpperCase());
    });
    const engine = k.engine();
    const first = engine.run(twoSteps, { a: 'x', b: 'y' });
    const second = engine.run(twoSteps, { a: 'z', b: 'w' });
    await until(() => k.joined() === 4);
    expect(k.batches).toEqual([]);
    vi.advanceTimersByTime(WAIT_MS);
    const [one, two] = await Promise.all([first.result(), second.result()]);
    expect(k.batches).toEqual([['x', 'y', 'z', 'w']]);
    expect(one.output).toEqual({ a: 'X', b: 'Y' });
    expect(two.output).toEqual({ a: 'Z', b: 'W' });
    expect(one.steps.a?.usage).toEqual({ tokens: 2, costUsd: 0.1 });
    expect(one.usage.tokens).toBe(4);
    expect(two.usage.costUsd).toBeCloseTo(0.2);
  });

  it('checks each input before it joins: a bad one fails its own step and never reaches the batch', async () => {
    const k = batched();
    const engine = k.engine();
    const bad = engine.run({ steps: [twoSteps.steps[0]!] }, { a: 5 });
    const good = engine.run({ steps: [twoSteps.steps[0]!] }, { a: 'ok' });
    const refusal = rejectionOf(bad.result());
    await until(() => k.joined() === 1);
    vi.advanceTimersByTime(WAIT_MS);
    expect((await good.result()).output).toEqual({ a: 'OK' });
    const error = await refusal;
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(ValidationError.isInstance((error as Error).cause)).toBe(true);
    expect(k.batches).toEqual([['ok']]);
  });

  it('fails only the step whose answer is an Error, with that error', async () => {
    const k = batched((texts) => texts.map((t) => (t === 'bad' ? new Error(`cannot echo "${t}"`) : t)));
    const engine = k.engine();
    const failing = engine.run({ steps: [twoSteps.steps[0]!] }, { a: 'bad' });
    const passing = engine.run({ steps: [twoSteps.steps[0]!] }, { a: 'fine' });
    const refusal = rejectionOf(failing.result());
    await until(() => k.joined() === 2);
    vi.advanceTimersByTime(WAIT_MS);
    expect((await passing.result()).output).toEqual({ a: 'fine' });
    const error = await refusal;
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('cannot echo "bad"');
  });

  it('keeps the batch running for the other callers when one run is cancelled', async () => {
    let release: () => void = () => {};
    let batchSignal: AbortSignal | undefined;
    const k = batched(async (texts, context) => {
      batchSignal = context.signal;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return texts;
    });
    const engine = k.engine();
    const cancelled = engine.run({ steps: [twoSteps.steps[0]!] }, { a: 'gone' });
    const kept = engine.run({ steps: [twoSteps.steps[0]!] }, { a: 'kept' });
    const refusal = rejectionOf(cancelled.result());
    await until(() => k.joined() === 2);
    vi.advanceTimersByTime(WAIT_MS);
    await until(() => batchSignal !== undefined);
    cancelled.cancel('not needed');
    expect(CancelledError.isInstance(await refusal)).toBe(true);
    expect(batchSignal?.aborted).toBe(false);
    release();
    expect((await kept.result()).output).toEqual({ a: 'kept' });
    expect(k.batches).toEqual([['gone', 'kept']]);
  });
});
