import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { CancelledError } from '../errors/cancelled-error.js';
import { RetryableError } from '../errors/retryable-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { type EvidenceEvent, type ReplicateResult, runReplicates } from './run-replicates.js';

/** A run function that returns `outputs[index]` and reports 10 tokens and $0.01. */
function returning(outputs: readonly unknown[]) {
  return vi.fn(
    async (index: number): Promise<ReplicateResult> => ({
      output: outputs[index],
      usage: { tokens: 10, costUsd: 0.01 },
    }),
  );
}

/** Resolves when `signal` aborts, rejecting with its reason, the way a well-behaved replicate stops. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(new CancelledError(signal.reason)), { once: true });
  });
}

describe('runReplicates', () => {
  it('runs k replicates and bundles them with their total usage', async () => {
    const run = returning(['Paris', 'Paris', 'Lyon']);
    const result = await runReplicates({ k: 3, run, adaptive: false });
    expect(run).toHaveBeenCalledTimes(3);
    expect(result.consensus).toEqual({ index: 0, output: 'Paris' });
    expect(result.confidence).toBeCloseTo(2 / 3, 12);
    expect(result.disagreements).toEqual([{ index: 2, distance: 1 }]);
    expect(result.usage.tokens).toBe(30);
    expect(result.usage.costUsd).toBeCloseTo(0.03, 12);
    expect(result.replicates[0]).toMatchObject({ index: 0, output: 'Paris', usage: { tokens: 10, costUsd: 0.01 } });
    expect(result.meta).toEqual({ k: 3, ran: 3, epsilon: 0.2, earlyStopped: false, distance: 'auto' });
  });

  it('counts input + output tokens when a replicate does not give a total', async () => {
    const run = async (index: number) => ({
      output: index,
      usage: index === 0 ? { inputTokens: 3, outputTokens: 4, costUsd: 0.5 } : { tokens: 10 },
    });
    const result = await runReplicates({ k: 2, run });
    expect(result.usage).toEqual({ tokens: 17, costUsd: 0.5 });
  });

  it('stops after two runs when the first two agree', async () => {
    const run = returning(['Paris', 'paris!', 'Lyon', 'Lyon', 'Lyon']);
    const result = await runReplicates({ k: 5, maxParallel: 2, run });
    expect(run).toHaveBeenCalledTimes(2);
    expect(result.meta).toMatchObject({ k: 5, ran: 2, earlyStopped: true });
    expect(result.confidence).toBe(1);
    expect(result.usage.tokens).toBe(20);
  });

  it('starts no third replicate while the first two are still to be compared', async () => {
    const started: number[] = [];
    const run = vi.fn(async (index: number) => {
      started.push(index);
      await sleep(index === 1 ? 20 : 0);
      return { output: 'same' };
    });
    const result = await runReplicates({ k: 5, maxParallel: 2, run });
    expect(started).toEqual([0, 1]);
    expect(result.meta).toMatchObject({ ran: 2, earlyStopped: true });
  });

  it('can decide the early stop with embeddings', async () => {
    const embed = vi.fn(async (texts: string[]) => texts.map((text) => (text === 'car' ? [1, 0.1] : [1, 0.12])));
    const run = returning(['car', 'automobile', 'bicycle']);
    const result = await runReplicates({ k: 3, maxParallel: 2, run, embed });
    expect(run).toHaveBeenCalledTimes(2);
    expect(result.meta).toMatchObject({ ran: 2, earlyStopped: true, distance: 'auto+embedding' });
  });

  it('runs all k when the first two disagree', async () => {
    const run = returning(['Paris', 'Lyon', 'Paris', 'Paris', 'Nice']);
    const result = await runReplicates({ k: 5, maxParallel: 2, run });
    expect(run).toHaveBeenCalledTimes(5);
    expect(result.meta).toMatchObject({ k: 5, ran: 5, earlyStopped: false });
    expect(result.clusters).toEqual([[0, 2, 3], [1], [4]]);
  });

  it('runs all k when the first to finish failed, even if the next two agree', async () => {
    const run = vi.fn(async (index: number) => {
      if (index === 0) throw new Error('flaky');
      return { output: 'same' };
    });
    const result = await runReplicates({ k: 4, maxParallel: 1, run });
    expect(run).toHaveBeenCalledTimes(4);
    expect(result.meta.earlyStopped).toBe(false);
    expect(result.confidence).toBe(3 / 4);
  });

  it('runs all k when adaptive is off', async () => {
    const run = returning(['same', 'same', 'same', 'same']);
    const result = await runReplicates({ k: 4, maxParallel: 2, adaptive: false, run });
    expect(run).toHaveBeenCalledTimes(4);
    expect(result.meta.earlyStopped).toBe(false);
  });

  it('uses the given distance and epsilon for the early stop', async () => {
    const run = returning([100, 90, 50]);
    const loose = await runReplicates({ k: 3, maxParallel: 2, epsilon: 0.1, run });
    expect(loose.meta).toMatchObject({ ran: 2, earlyStopped: true });
    const strict = await runReplicates({ k: 3, maxParallel: 2, epsilon: 0.05, run: returning([100, 90, 50]) });
    expect(strict.meta).toMatchObject({ ran: 3, earlyStopped: false });
    const never = await runReplicates({ k: 3, maxParallel: 2, distance: () => 1, run: returning([1, 1, 1]) });
    expect(never.meta).toMatchObject({ ran: 3, earlyStopped: false, distance: 'distance' });
  });

  it('never starts the rest when the first two agree, whatever maxParallel allows', async () => {
    const run = returning(['done', 'done', 'other', 'other']);
    const events: EvidenceEvent[] = [];
    const result = await runReplicates({ k: 4, run, onEvent: (event) => events.push(event) });
    expect(run).toHaveBeenCalledTimes(2);
    expect(result.replicates.map((r) => r.index)).toEqual([0, 1]);
    expect(result.meta).toMatchObject({ k: 4, ran: 2, earlyStopped: true });
    expect(result.usage.tokens).toBe(20);
    expect(events.filter((e) => e.type === 'replicate-start').map((e) => e.index)).toEqual([0, 1]);
  });

  it('never runs more than maxParallel replicates at once', async () => {
    let active = 0;
    let most = 0;
    const run = vi.fn(async (index: number) => {
      active++;
      most = Math.max(most, active);
      await sleep(5 + (index % 3) * 5);
      active--;
      return { output: index };
    });
    await runReplicates({ k: 7, maxParallel: 3, adaptive: false, run });
    expect(run).toHaveBeenCalledTimes(7);
    expect(most).toBe(3);
  });

  it('runs the first two alone by default, then the rest at once when they disagree', async () => {
    let active = 0;
    const waves: number[][] = [];
    const run = async (index: number) => {
      active++;
      waves.push([index, active]);
      await sleep(5);
      active--;
      return { output: index === 0 ? 'Paris' : `Lyon ${index}` };
    };
    const result = await runReplicates({ k: 5, epsilon: 0, run });
    expect(waves).toEqual([
      [0, 1],
      [1, 2],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    expect(result.meta).toMatchObject({ ran: 5, earlyStopped: false });
  });

  it('runs all k at once when adaptive is off', async () => {
    let active = 0;
    let most = 0;
    const run = async (index: number) => {
      active++;
      most = Math.max(most, active);
      await sleep(5);
      active--;
      return { output: index };
    };
    await runReplicates({ k: 4, adaptive: false, run });
    expect(most).toBe(4);
  });

  it('stops and rethrows when beforeReplicate refuses a replicate', async () => {
    const refusal = new BudgetExceededError({
      budget: 'tokens',
      scope: 'run',
      limit: 25,
      amount: 30,
      phase: 'refused',
      stepId: 'analyze',
    });
    const beforeReplicate = vi.fn((index: number) => {
      if (index === 3) throw refusal;
    });
    const run = returning(['a', 'b', 'c', 'd', 'e']);
    const events: EvidenceEvent[] = [];
    const options = { k: 5, maxParallel: 1, run, beforeReplicate, onEvent: (e: EvidenceEvent) => events.push(e) };
    await expect(runReplicates(options)).rejects.toBe(refusal);
    expect(run).toHaveBeenCalledTimes(3);
    expect(beforeReplicate.mock.calls.map(([index]) => index)).toEqual([0, 1, 2, 3]);
    expect(events.some((e) => e.type === 'bundle-ready')).toBe(false);
  });

  it('aborts and awaits replicates in flight when a replicate is refused', async () => {
    const signals: AbortSignal[] = [];
    const run = (_index: number, signal: AbortSignal) => {
      signals.push(signal);
      return untilAborted(signal);
    };
    const events: EvidenceEvent[] = [];
    const beforeReplicate = (index: number) => {
      if (index === 2) throw new Error('over budget');
    };
    const options = { k: 4, adaptive: false, run, beforeReplicate, onEvent: (e: EvidenceEvent) => events.push(e) };
    await expect(runReplicates(options)).rejects.toThrow('over budget');
    expect(signals).toHaveLength(2);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(events.map((e) => `${e.type} ${'index' in e ? e.index : ''}`)).toEqual([
      'replicate-start 0',
      'replicate-start 1',
      'replicate-finish 0',
      'replicate-finish 1',
    ]);
  });

  it('rejects with a CancelledError when the signal aborts, after aborting the replicates', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const run = vi.fn((_index: number, signal: AbortSignal) => {
      signals.push(signal);
      if (signals.length === 3) setTimeout(() => controller.abort('user pressed stop'), 5);
      return untilAborted(signal);
    });
    const error = await runReplicates({ k: 3, adaptive: false, run, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(CancelledError.isInstance(error)).toBe(true);
    expect((error as CancelledError).reason).toBe('user pressed stop');
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('runs nothing when the signal has already aborted', async () => {
    const run = returning(['a']);
    const error = await runReplicates({ k: 2, run, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(run).not.toHaveBeenCalled();
  });

  it('throws the lowest-indexed error when every replicate fails', async () => {
    const errors = [new RetryableError('rate limited'), new Error('boom')];
    const run = async (index: number) => {
      await sleep(index === 0 ? 15 : 0);
      throw errors[index];
    };
    await expect(runReplicates({ k: 2, run })).rejects.toBe(errors[0]);
  });

  it('lists failed replicates with their error code', async () => {
    const run = async (index: number) => {
      if (index === 1) throw new RetryableError('rate limited');
      if (index === 2) throw new Error('boom');
      return { output: 'ok' };
    };
    const result = await runReplicates({ k: 3, maxParallel: 1, run });
    expect(result.replicates.map((r) => r.error)).toEqual([
      undefined,
      { code: 'retryable', message: 'rate limited' },
      { code: 'replicate-failed', message: 'boom' },
    ]);
    expect(result.confidence).toBeCloseTo(1 / 3, 12);
    expect(result.disagreements.map((d) => d.index)).toEqual([1, 2]);
  });

  it('emits events in order', async () => {
    const events: EvidenceEvent[] = [];
    const run = returning(['a', 'b', 'a']);
    await runReplicates({ k: 3, maxParallel: 1, run, onEvent: (event) => events.push(event) });
    expect(events.map((e) => `${e.type}${'index' in e ? ` ${e.index}` : ''}`)).toEqual([
      'replicate-start 0',
      'replicate-finish 0',
      'replicate-start 1',
      'replicate-finish 1',
      'replicate-start 2',
      'replicate-finish 2',
      'bundle-ready',
    ]);
    expect(events[1]).toEqual({
      type: 'replicate-finish',
      index: 0,
      durationMs: expect.any(Number),
      usage: { tokens: 10, costUsd: 0.01 },
    });
    expect(events.at(-1)).toEqual({ type: 'bundle-ready', confidence: 2 / 3, ran: 3, earlyStopped: false });
  });

  it('stops when an event listener throws', async () => {
    const run = returning(['a', 'b', 'c']);
    const onEvent = (event: EvidenceEvent) => {
      if (event.type === 'replicate-finish') throw new Error('listener broke');
    };
    await expect(runReplicates({ k: 3, maxParallel: 1, run, onEvent })).rejects.toThrow('listener broke');
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('rejects bad options with every problem, naming the field and the value', async () => {
    const run = returning([]);
    const error = await runReplicates({ k: 0, epsilon: -0.1, maxParallel: 0, run }).catch((e: unknown) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).problems).toEqual([
      { path: 'epsilon', code: 'out-of-range', message: 'epsilon must be a number in [0, 1], got -0.1' },
      { path: 'k', code: 'out-of-range', message: 'k must be an integer ≥ 1, got 0' },
      { path: 'maxParallel', code: 'out-of-range', message: 'maxParallel must be an integer ≥ 1, got 0' },
    ]);
    await expect(runReplicates({ k: 2.5, run })).rejects.toThrow('k must be an integer ≥ 1, got 2.5');
    await expect(runReplicates({ k: 2, epsilon: Number.NaN, run })).rejects.toThrow('got NaN');
    expect(run).not.toHaveBeenCalled();
  });
});
