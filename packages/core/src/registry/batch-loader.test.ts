import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchResultError } from '../errors/batch-result-error.js';
import { batchedHandler, splitUsage } from './batch-loader.js';
import type { BatchContext, HandlerContext, Usage } from './target.js';

function caller(stepId: string, controller = new AbortController()) {
  const usage: Usage[] = [];
  const context: HandlerContext = {
    runId: 'run-1',
    stepId,
    attempt: 1,
    signal: controller.signal,
    idempotencyKey: undefined,
    path: ['run-1', stepId],
    reportUsage: (u) => usage.push(u),
    call: () => Promise.reject(new Error('no sub-calls in this unit')),
    memo: () => Promise.reject(new Error('no memos in this unit')),
    budgetLeft: () => ({ tokens: undefined, costUsd: undefined }),
    emit: () => {},
  };
  return { context, usage, controller };
}

/** Settles every promise given, as `{ value }` or `{ error }`, without unhandled rejections. */
function outcomes(promises: Promise<unknown>[]) {
  return Promise.all(
    promises.map((p) =>
      p.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
    ),
  );
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batchedHandler', () => {
  it('coalesces the calls made within maxWaitMs into one handler call, each caller getting its own output', async () => {
    const batches: number[][] = [];
    const handler = batchedHandler('double@1.0.0', {
      maxSize: 10,
      maxWaitMs: 5,
      handler: (inputs: unknown[]) => {
        batches.push(inputs as number[]);
        return (inputs as number[]).map((x) => x * 2);
      },
    });
    const calls = [1, 2, 3].map((x) => handler(x, caller(`s${x}`).context));
    await vi.advanceTimersByTimeAsync(4);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all(calls)).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('starts a new batch past maxSize', async () => {
    const batches: unknown[][] = [];
    const handler = batchedHandler('echo@1.0.0', {
      maxSize: 2,
      maxWaitMs: 1,
      handler: (inputs) => {
        batches.push(inputs);
        return inputs;
      },
    });
    const calls = [1, 2, 3, 4, 5].map((x) => handler(x, caller(`s${x}`).context));
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all(calls)).toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('sends a full batch at once, without waiting for its timer', async () => {
    const batches: unknown[][] = [];
    const handler = batchedHandler('echo@1.0.0', {
      maxSize: 2,
      maxWaitMs: 1000,
      handler: (inputs) => {
        batches.push(inputs);
        return inputs;
      },
    });
    const calls = [1, 2, 3].map((x) => handler(x, caller(`s${x}`).context));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2]]);
    expect(await Promise.all(calls.slice(0, 2))).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(999);
    expect(batches).toEqual([[1, 2]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2], [3]]);
    expect(await calls[2]).toBe(3);
  });

  it('fails only the caller whose answer is an Error, and every caller when the handler throws', async () => {
    const perInput = batchedHandler('check@1.0.0', {
      maxSize: 10,
      maxWaitMs: 1,
      handler: (inputs: unknown[]) => inputs.map((x) => (x === 2 ? new Error('two is refused') : x)),
    });
    const some = outcomes([1, 2, 3].map((x) => perInput(x, caller(`s${x}`).context) as Promise<unknown>));
    await vi.advanceTimersByTimeAsync(1);
    const answers = await some;
    expect(answers[0]).toEqual({ value: 1 });
    expect((answers[1] as { error: Error }).error.message).toBe('two is refused');
    expect(answers[2]).toEqual({ value: 3 });

    const throwing = batchedHandler('down@1.0.0', {
      maxSize: 10,
      maxWaitMs: 1,
      handler: () => {
        throw new Error('service unavailable');
      },
    });
    const all = outcomes([1, 2].map((x) => throwing(x, caller(`s${x}`).context) as Promise<unknown>));
    await vi.advanceTimersByTimeAsync(1);
    for (const answer of await all) expect((answer as { error: Error }).error.message).toBe('service unavailable');
  });

  it('refuses an answer of the wrong length with a typed error for every caller', async () => {
    const handler = batchedHandler('short@1.0.0', { maxSize: 10, maxWaitMs: 1, handler: (inputs) => inputs.slice(1) });
    const all = outcomes([1, 2, 3].map((x) => handler(x, caller(`s${x}`).context) as Promise<unknown>));
    await vi.advanceTimersByTimeAsync(1);
    for (const answer of await all) {
      const { error } = answer as { error: unknown };
      expect(BatchResultError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ target: 'short@1.0.0', expected: 3, received: 2 });
    }
  });

  it('leaves out a caller aborted before its batch leaves, and aborts the batch only once every caller has', async () => {
    let seen: { inputs: unknown[]; context: BatchContext } | undefined;
    let finish: (outputs: unknown[]) => void = () => {};
    const handler = batchedHandler('slow@1.0.0', {
      maxSize: 10,
      maxWaitMs: 1,
      handler: (inputs, context) => {
        seen = { inputs, context };
        return new Promise((resolve) => {
          finish = resolve;
        });
      },
    });
    const [a, b, c] = [caller('a'), caller('b'), caller('c')];
    const all = outcomes([
      handler('a', a.context),
      handler('b', b.context),
      handler('c', c.context),
    ] as Promise<unknown>[]);
    a.controller.abort(new Error('a timed out'));
    await vi.advanceTimersByTimeAsync(1);
    expect(seen?.inputs).toEqual(['b', 'c']);
    expect(seen?.context.callers.map((x) => x.stepId)).toEqual(['b', 'c']);
    b.controller.abort(new Error('b cancelled'));
    expect(seen?.context.signal.aborted).toBe(false);
    c.controller.abort(new Error('c cancelled'));
    expect(seen?.context.signal.aborted).toBe(true);
    finish(['B', 'C']);
    const answers = await all;
    expect((answers[0] as { error: Error }).error.message).toBe('a timed out');
    expect(answers.slice(1)).toEqual([{ value: 'B' }, { value: 'C' }]);
  });

  it("splits the usage the batch reports evenly among its callers' steps", async () => {
    const handler = batchedHandler('embed@1.0.0', {
      maxSize: 10,
      maxWaitMs: 1,
      handler: (inputs, context) => {
        context.reportUsage({ tokens: 10, costUsd: 0.03 });
        return inputs;
      },
    });
    const callers = [caller('a'), caller('b'), caller('c')];
    const all = Promise.all(callers.map((x, i) => handler(i, x.context)));
    await vi.advanceTimersByTimeAsync(1);
    await all;
    expect(callers.map((x) => x.usage[0]?.tokens)).toEqual([4, 3, 3]);
    for (const x of callers) expect(x.usage[0]?.costUsd).toBeCloseTo(0.01);
  });
});

describe('splitUsage', () => {
  it('keeps whole token counts whole and adds up to the total', () => {
    const shares = splitUsage({ inputTokens: 7, outputTokens: 2, costUsd: 1 }, 4);
    expect(shares.map((s) => s.inputTokens)).toEqual([2, 2, 2, 1]);
    expect(shares.map((s) => s.outputTokens)).toEqual([1, 1, 0, 0]);
    expect(shares.reduce((sum, s) => sum + (s.costUsd ?? 0), 0)).toBeCloseTo(1);
    expect(shares[0]).not.toHaveProperty('tokens');
  });
});
