import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine.js';
import { NonRetryableError } from '../errors/retryable-error.js';
import { createRegistry, type Registry } from '../registry/registry.js';
import { CompensationTimeoutError } from '../run/compensation.js';
import { durableKit, eventually, intercept, KIT_BACKENDS, type Kit, stubbornTarget } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

/** `book` whose compensation never settles and ignores its signal; `boom` fails the run. */
function registerStuck(registry: Registry, started: string[]): void {
  registry.register({
    name: 'book',
    description: 'Books a seat; undoing it hangs',
    handler: () => ({ booked: true }),
    compensate: (ctx) => {
      started.push(ctx.stepId);
      return new Promise<void>(() => {});
    },
  });
  registry.register({
    name: 'boom',
    description: 'Always fails',
    handler: () => {
      throw new Error('payment service down');
    },
  });
}

const stuckPlan = {
  steps: [
    { id: 'seat', target: 'book' },
    { id: 'pay', target: 'boom', dependsOn: ['seat'] },
  ],
};

describe('compensation TTL', () => {
  it('records a compensation that ignores its signal as failed once its TTL passes, and finishes the run', async () => {
    kit = await durableKit();
    const started: string[] = [];
    registerStuck(kit.registry, started);
    const engine = await kit.engine({ compensationTtlMs: 200, defaults: { retry: false } });
    const run = engine.run(stuckPlan);
    const startedAt = Date.now();
    const error = await run.result().catch((caught) => caught);
    expect(error.message).toContain('payment service down');
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(started).toEqual(['seat']);
    expect((await kit.stores[0]!.getRun(run.runId))?.status).toBe('failed');
    const [failed, ...more] = await engine.failedCompensations({ runId: run.runId });
    expect(more).toEqual([]);
    expect(failed).toMatchObject({
      stepKey: 'seat',
      status: 'open',
      target: 'book@1.0.0',
      error: { code: 'compensation-timeout', name: 'CompensationTimeoutError' },
    });
    expect((failed!.error as { message: string }).message).toContain('200 ms');
    const journal = await kit.stores[0]!.readJournal(run.runId);
    expect(journal.filter((entry) => entry.type === 'compensation-fail').map((entry) => entry.stepKey)).toEqual([
      'seat',
    ]);
  });

  it('does the same without a store', async () => {
    const registry = createRegistry();
    const started: string[] = [];
    registerStuck(registry, started);
    const engine = createEngine({ registry, compensationTtlMs: 100, defaults: { retry: false } });
    const run = engine.run(stuckPlan);
    await expect(run.result()).rejects.toThrow(/payment service down/);
    const failed = await engine.failedCompensations({ runId: run.runId });
    expect(failed).toHaveLength(1);
    expect(CompensationTimeoutError.isInstance(new CompensationTimeoutError('seat', 'book@1.0.0', 100))).toBe(true);
    expect(failed[0]?.error).toMatchObject({ code: 'compensation-timeout', stepId: 'seat', ttlMs: 100 });
  });
});

describe('a compensation that fails', () => {
  function registerRefusing(registry: Registry, calls: number[], failure: () => Error): void {
    registry.register({
      name: 'book',
      description: 'Books a seat; undoing it fails',
      handler: () => ({ booked: true }),
      compensate: (ctx) => {
        calls.push(ctx.attempt);
        throw failure();
      },
    });
    registry.register({
      name: 'boom',
      description: 'Always fails',
      handler: () => {
        throw new Error('payment service down');
      },
    });
  }

  it("is recorded at once with the target's own reason when it says retrying cannot help", async () => {
    const registry = createRegistry();
    const calls: number[] = [];
    registerRefusing(registry, calls, () => new NonRetryableError('the bank refused the refund'));
    const engine = createEngine({ registry, compensationTtlMs: 60_000, defaults: { retry: false } });
    const run = engine.run(stuckPlan);
    await expect(run.result()).rejects.toThrow(/payment service down/);
    expect(calls).toEqual([1]);
    const [failed] = await engine.failedCompensations({ runId: run.runId });
    expect(failed?.error).toMatchObject({ code: 'non-retryable', message: 'the bank refused the refund' });
  });

  it('keeps retrying a failure that may heal until its TTL, and records the last reason', async () => {
    const registry = createRegistry();
    const calls: number[] = [];
    registerRefusing(registry, calls, () => new Error('bank unreachable'));
    const engine = createEngine({
      registry,
      compensationTtlMs: 300,
      defaults: { retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    });
    const run = engine.run(stuckPlan);
    await expect(run.result()).rejects.toThrow(/payment service down/);
    expect(calls.length).toBeGreaterThan(1);
    const [failed] = await engine.failedCompensations({ runId: run.runId });
    // The TTL passes after a failed attempt (its error is recorded) or during the pause before the next one (a timeout
    // that names it): which one depends on the machine's speed, the last reason is there either way.
    expect(String((failed?.error as { message?: unknown } | undefined)?.message)).toContain('bank unreachable');
  });

  it('names the failure before an attempt that was still running when its TTL passed', async () => {
    const registry = createRegistry();
    const calls: number[] = [];
    registry.register({
      name: 'book',
      description: 'Books a seat; undoing it fails, then hangs',
      handler: () => ({ booked: true }),
      compensate: (ctx) => {
        calls.push(ctx.attempt);
        if (ctx.attempt === 1) throw new Error('bank unreachable');
        return new Promise<void>(() => {});
      },
    });
    registry.register({ name: 'boom', description: 'Always fails', handler: () => Promise.reject(new Error('no')) });
    const engine = createEngine({
      registry,
      // Long enough that even a stalled machine starts the second attempt (1–5 ms after the first) before it passes.
      compensationTtlMs: 1_000,
      defaults: { retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    });
    const run = engine.run(stuckPlan);
    await expect(run.result()).rejects.toThrow(/no/);
    expect(calls).toEqual([1, 2]);
    const [failed] = await engine.failedCompensations({ runId: run.runId });
    expect(failed?.error).toMatchObject({ code: 'compensation-timeout', lastError: 'bank unreachable' });
    expect(String((failed?.error as { message?: string } | undefined)?.message)).toContain(
      'its last attempt failed: bank unreachable',
    );
  });
});

describe.each(KIT_BACKENDS)('failed compensations across a crash on %s', (backend) => {
  it('records a compensation that failed once, when the process died before journaling the failure', async () => {
    kit = await durableKit(backend);
    kit.registry.register(stubbornTarget);
    kit.registry.register({
      name: 'decline',
      description: 'Always fails',
      handler: () => {
        throw new Error('card declined');
      },
    });
    // The first engine "dies" after recording the failed compensation and before its compensation-fail entry.
    const dying = await kit.engine(
      { engineId: 'dying', compensationTtlMs: 50, defaults: { retry: { initialDelayMs: 10, maxAttempts: 1 } } },
      (store) =>
        intercept(store, 'appendJournal', (append) => async (runId, owner, entries) => {
          if (entries.some((entry) => entry.type === 'compensation-fail')) throw new Error('process killed');
          return append(runId, owner, entries);
        }),
    );
    const run = dying.run({
      steps: [
        { id: 's', target: 'stubborn' },
        { id: 'pay', target: 'decline', dependsOn: ['s'] },
      ],
    });
    const store = kit.stores[0]!;
    await eventually(async () => (await store.listFailedCompensations({ runId: run.runId })).length === 1);
    const [first] = await store.listFailedCompensations({ runId: run.runId });
    const heir = await kit.engine({
      engineId: 'heir',
      compensationTtlMs: 50,
      defaults: { retry: { initialDelayMs: 10 } },
    });
    await heir.start();
    await eventually(async () => (await store.getRun(run.runId))?.status === 'failed');
    expect(await store.listFailedCompensations({ runId: run.runId })).toEqual([first]);
    const types = (await store.readJournal(run.runId)).map((entry) => entry.type);
    expect(types.filter((type) => type === 'compensation-fail')).toHaveLength(1);
    expect(types.filter((type) => type === 'run-fail')).toHaveLength(1);
  });
});

describe.each(KIT_BACKENDS)('a compensation under way when the engine closes on %s', (backend) => {
  it('is left for the next engine, not waited for until its TTL nor recorded as failed, and done by the next', async () => {
    kit = await durableKit(backend);
    let refunds = 'failing';
    const attempts: string[] = [];
    kit.registry.register({
      name: 'refund',
      description: 'Charges a card; undoing it fails (as if the bank were away) until the test lets it succeed',
      handler: () => ({ charged: true }),
      compensate: (ctx) => {
        attempts.push(`${refunds}:${ctx.attempt}`);
        if (refunds === 'failing') throw new Error('bank unreachable');
      },
    });
    kit.registry.register({
      name: 'boom',
      description: 'Always fails',
      handler: () => Promise.reject(new Error('no')),
    });
    const plan = {
      steps: [
        { id: 'charge', target: 'refund' },
        { id: 'ship', target: 'boom', dependsOn: ['charge'] },
      ],
    };
    // An hour of TTL: a close that waited for it would outlast the test.
    const options = { compensationTtlMs: 3_600_000, defaults: { retry: { initialDelayMs: 5, maxDelayMs: 20 } } };
    const first = await kit.engine({ engineId: 'first', ...options });
    const run = first.run(plan);
    const store = kit.stores[0]!;
    await eventually(() => attempts.length >= 2);
    await first.close();
    expect(await store.getRun(run.runId)).toMatchObject({ status: 'ready' });
    expect(await store.listFailedCompensations({ runId: run.runId })).toEqual([]);
    const types = () => store.readJournal(run.runId).then((journal) => journal.map((entry) => entry.type));
    expect(await types()).not.toContain('compensation-fail');

    refunds = 'working';
    const next = await kit.engine({ engineId: 'next', ...options });
    await next.start();
    await eventually(async () => (await store.getRun(run.runId))?.status === 'failed');
    expect(attempts.at(-1)).toBe('working:1');
    expect(await store.listFailedCompensations({ runId: run.runId })).toEqual([]);
    const journal = await types();
    expect(journal.filter((type) => type === 'run-fail')).toHaveLength(1);
    expect(journal.filter((type) => type === 'compensation-finish')).toHaveLength(1);
  });
});
