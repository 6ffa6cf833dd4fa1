import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan.js';
import { createStoreIdempotencyStore } from './durable-idempotency.js';
import { durableKit, KIT_BACKENDS, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

const pay: Plan = {
  steps: [
    {
      id: 'pay',
      target: 'charge',
      input: { orderId: { $ref: 'request.orderId' } },
      policy: { idempotencyKey: 'charge-{{request.orderId}}', retry: false },
    },
  ],
  output: { $ref: 'steps.pay.output' },
};

function chargeTarget(kit: Kit, options: { failFirst?: boolean } = {}): string[] {
  const charged: string[] = [];
  kit.registry.register({
    name: 'charge',
    description: 'Charges a card once per order',
    handler: async (input: { orderId: string }) => {
      charged.push(input.orderId);
      if (options.failFirst && charged.length === 1) throw new Error('card declined');
      return { receipt: `r-${input.orderId}-${charged.length}` };
    },
  });
  return charged;
}

/** An engine on its own connection whose policy-level idempotency keys live in the store. */
async function engineWithStoreKeys(engineId: string) {
  const store = await kit.store();
  return kit.engine({ engineId, idempotency: createStoreIdempotencyStore(store) });
}

describe.each(KIT_BACKENDS)('idempotency keys kept in the store on %s', (backend) => {
  it('return the first result to another engine, and after a restart, without calling the target again', async () => {
    kit = await durableKit(backend);
    const charged = chargeTarget(kit);
    const first = await engineWithStoreKeys('first');
    const original = await first.run(pay, { orderId: '42' }).result();
    expect(original.output).toEqual({ receipt: 'r-42-1' });
    await first.close();

    const second = await engineWithStoreKeys('second');
    const repeated = await second.run(pay, { orderId: '42' }).result();
    expect(repeated.output).toEqual({ receipt: 'r-42-1' });
    expect(repeated.steps.pay).toMatchObject({ status: 'succeeded', reused: true, attempts: 0 });
    const other = await second.run(pay, { orderId: '43' }).result();
    expect(other.output).toEqual({ receipt: 'r-43-2' });
    expect(charged).toEqual(['42', '43']);
  });

  it('share one call between concurrent runs in a process, and forget a failed call', async () => {
    kit = await durableKit(backend);
    const charged = chargeTarget(kit, { failFirst: true });
    const engine = await engineWithStoreKeys('only');
    await expect(engine.run(pay, { orderId: '7' }).result()).rejects.toThrow(/card declined/);
    const [a, b] = await Promise.all([
      engine.run(pay, { orderId: '7' }).result(),
      engine.run(pay, { orderId: '7' }).result(),
    ]);
    expect(a.output).toEqual({ receipt: 'r-7-2' });
    expect(b.output).toEqual(a.output);
    expect(charged).toEqual(['7', '7']);
    const later = await (await engineWithStoreKeys('later')).run(pay, { orderId: '7' }).result();
    expect(later.output).toEqual({ receipt: 'r-7-2' });
    expect(charged).toHaveLength(2);
  });
});

describe.each(KIT_BACKENDS)('a run key given to several engines on %s', (backend) => {
  it('gives every engine a handle with the id of the one run the key started', async () => {
    kit = await durableKit(backend);
    const charged = chargeTarget(kit);
    const first = await kit.engine({ engineId: 'first' });
    const second = await kit.engine({ engineId: 'second' });
    const ran = first.run(pay, { orderId: 'o-1' }, { idempotencyKey: 'order-o-1' });
    await ran.result();
    // After the run, on another engine: its handle names that run, which the store and cancel find.
    const again = second.run(pay, { orderId: 'o-1' }, { idempotencyKey: 'order-o-1' });
    expect(again.runId).toBe(ran.runId);
    expect((await again.result()).runId).toBe(ran.runId);
    expect((await kit.stores[0]!.getRun(again.runId))?.status).toBe('succeeded');
    await expect(second.cancel(again.runId)).rejects.toThrow(/cannot be cancelled/);
    // At the same moment on two engines, and submitted: one run, one charge.
    const both = [
      first.run(pay, { orderId: 'o-2' }, { idempotencyKey: 'order-o-2' }),
      second.run(pay, { orderId: 'o-2' }, { idempotencyKey: 'order-o-2' }),
    ];
    expect(both[0]!.runId).toBe(both[1]!.runId);
    const results = await Promise.all(both.map((handle) => handle.result()));
    expect(results.map((result) => result.output)).toEqual([results[0]!.output, results[0]!.output]);
    expect(await second.submit(pay, { orderId: 'o-2' }, { idempotencyKey: 'order-o-2' })).toBe(both[0]!.runId);
    expect(charged).toEqual(['o-1', 'o-2']);
  });
});
