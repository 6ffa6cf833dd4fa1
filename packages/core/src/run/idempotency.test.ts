import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError } from '../errors/cancelled-error.js';
import type { Plan } from '../plan/plan.js';
import { createMemoryIdempotencyStore } from './idempotency-store.js';
import { abortableDelay, delay, kit, ofType, rejectionOf, settle } from './test-kit.js';

/** Resolves once `condition()` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** `holdFirst`: the first charge waits until its run is cancelled. */
function chargeKit(options: { failFirst?: boolean; ms?: number; holdFirst?: boolean } = {}) {
  const k = kit();
  const charged: { orderId: string; key: string | undefined }[] = [];
  k.add('charge', async (input: { orderId: string }, ctx) => {
    charged.push({ orderId: input.orderId, key: ctx.idempotencyKey });
    if (options.holdFirst && charged.length === 1) await abortableDelay(2_000_000_000, ctx.signal);
    await delay(options.ms ?? 5);
    if (options.failFirst && charged.length === 1) throw new Error('card declined');
    ctx.reportUsage({ costUsd: 0.5 });
    return { receipt: `r-${input.orderId}-${charged.length}` };
  });
  return { ...k, charged };
}

const chargePlan: Plan = {
  steps: [
    {
      id: 'pay',
      target: 'charge',
      input: { orderId: { $ref: 'request.orderId' } },
      policy: { idempotencyKey: 'charge-{{request.orderId}}', retry: false },
    },
  ],
};

describe('step idempotency keys', () => {
  it('returns the first result for a repeated key without calling the handler again', async () => {
    const { engine, charged } = chargeKit();
    const e = engine();
    const first = await e.run(chargePlan, { orderId: '42' }).result();
    const { result: second, events } = await settle(e.run(chargePlan, { orderId: '42' }));
    expect(charged).toHaveLength(1);
    expect(second?.output).toEqual(first.output);
    expect(second?.steps.pay).toMatchObject({ status: 'succeeded', reused: true, attempts: 0, target: 'charge@1.0.0' });
    expect(second?.usage).toEqual({ tokens: 0, costUsd: 0 });
    expect(ofType(events, 'step-finish')[0]?.reused).toBe(true);
    expect(first.steps.pay?.reused).toBeUndefined();
  });

  it('hands the handler the key built from the request template', async () => {
    const { engine, charged } = chargeKit();
    await engine().run(chargePlan, { orderId: '7' }).result();
    expect(charged).toEqual([{ orderId: '7', key: 'charge-7' }]);
  });

  it('keys by the template over the request: different requests run separately', async () => {
    const { engine, charged } = chargeKit();
    const e = engine();
    await e.run(chargePlan, { orderId: '1' }).result();
    await e.run(chargePlan, { orderId: '2' }).result();
    await e.run(chargePlan, { orderId: '1' }).result();
    expect(charged.map((c) => c.orderId)).toEqual(['1', '2']);
  });

  it('calls the handler once for concurrent runs with the same key', async () => {
    const { engine, charged } = chargeKit({ ms: 20 });
    const e = engine();
    const results = await Promise.all([1, 2, 3].map(() => e.run(chargePlan, { orderId: '9' }).result()));
    expect(charged).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r.output))).size).toBe(1);
    expect(results.filter((r) => r.steps.pay?.reused)).toHaveLength(2);
  });

  it('forgets a key whose call failed, so a later run calls the handler again', async () => {
    const { engine, charged } = chargeKit({ failFirst: true });
    const e = engine();
    await rejectionOf(e.run(chargePlan, { orderId: '5' }).result());
    const retried = await e.run(chargePlan, { orderId: '5' }).result();
    expect(charged).toHaveLength(2);
    expect(retried.steps.pay?.reused).toBeUndefined();
  });

  it('runs the call itself when the concurrent first holder of the key is cancelled', async () => {
    const { engine, charged } = chargeKit({ holdFirst: true });
    const e = engine();
    const first = e.run(chargePlan, { orderId: '8' });
    await until(() => charged.length === 1);
    let secondStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      secondStarted = resolve;
    });
    const second = e.run(
      chargePlan,
      { orderId: '8' },
      { onEvent: (event) => event.type === 'step-start' && secondStarted() },
    );
    // A microtask after its step-start, the second run is waiting on the first's call under the same key.
    await started;
    first.cancel();
    expect(CancelledError.isInstance(await rejectionOf(first.result()))).toBe(true);
    const result = await second.result();
    expect(result.steps.pay?.reused).toBeUndefined();
    expect(charged).toHaveLength(2);
  });

  it('shares keys through a store given to the engine', async () => {
    const store = createMemoryIdempotencyStore();
    const one = chargeKit();
    const two = chargeKit();
    await one.engine({ idempotency: store }).run(chargePlan, { orderId: '3' }).result();
    const reused = await two.engine({ idempotency: store }).run(chargePlan, { orderId: '3' }).result();
    expect(two.charged).toEqual([]);
    expect(reused.steps.pay?.reused).toBe(true);
  });
});

describe('run idempotency keys', () => {
  it('returns the same handle for a repeated run key, running the plan once', async () => {
    const { engine, charged } = chargeKit();
    const e = engine();
    const plan: Plan = { steps: [{ id: 'pay', target: 'charge', input: { orderId: 'x' } }] };
    const first = e.run(plan, {}, { idempotencyKey: 'run-1' });
    const again = e.run(plan, {}, { idempotencyKey: 'run-1' });
    expect(again).toBe(first);
    await first.result();
    expect(e.run(plan, {}, { idempotencyKey: 'run-1' })).toBe(first);
    expect(charged).toHaveLength(1);
    expect(e.run(plan, {}, { idempotencyKey: 'run-2' })).not.toBe(first);
  });

  it('starts a new run for a key whose run failed', async () => {
    const { engine, charged } = chargeKit({ failFirst: true });
    const e = engine();
    const plan: Plan = { steps: [{ id: 'pay', target: 'charge', input: { orderId: 'x' }, policy: { retry: false } }] };
    const first = e.run(plan, {}, { idempotencyKey: 'k' });
    await rejectionOf(first.result());
    const second = e.run(plan, {}, { idempotencyKey: 'k' });
    expect(second).not.toBe(first);
    await second.result();
    expect(charged).toHaveLength(2);
  });
});

describe('memory idempotency store', () => {
  afterEach(() => vi.useRealTimers());

  it('expires entries after ttlMs', () => {
    vi.useFakeTimers();
    const store = createMemoryIdempotencyStore({ ttlMs: 1000 });
    store.set('k', Promise.resolve(1));
    vi.advanceTimersByTime(999);
    expect(store.get('k')).toBeDefined();
    vi.advanceTimersByTime(1);
    expect(store.get('k')).toBeUndefined();
  });

  it('drops the least recently used key past maxEntries', () => {
    const store = createMemoryIdempotencyStore({ maxEntries: 2 });
    store.set('a', Promise.resolve('a'));
    store.set('b', Promise.resolve('b'));
    store.get('a');
    store.set('c', Promise.resolve('c'));
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBeDefined();
    expect(store.get('c')).toBeDefined();
  });

  it('removes a key when its call rejects, but not a newer call under the same key', async () => {
    const store = createMemoryIdempotencyStore();
    const failing = Promise.reject(new Error('no'));
    store.set('k', failing);
    await failing.catch(() => {});
    expect(store.get('k')).toBeUndefined();
    let fail!: (error: Error) => void;
    const old = new Promise((_resolve, reject) => (fail = reject));
    store.set('k', old);
    store.set('k', Promise.resolve('new'));
    fail(new Error('old failed'));
    await old.catch(() => {});
    expect(await store.get('k')).toBe('new');
  });

  it('refuses bad options', () => {
    expect(() => createMemoryIdempotencyStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => createMemoryIdempotencyStore({ ttlMs: -1 })).toThrow(/ttlMs/);
  });
});
