import { afterEach, describe, expect, it } from 'vitest';
import { StepFailedError } from '../errors/step-failed-error.js';
import type { Plan } from '../plan/plan.js';
import { durableKit, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

const refuse: Plan = { steps: [{ id: 'pay', target: 'refuse', policy: { retry: false } }] };

describe('a run failed in another engine', () => {
  it('settles the handle of its idempotency key with the typed error and its fields, read from the store', async () => {
    kit = await durableKit();
    kit.registry.register({
      name: 'refuse',
      description: 'Always refuses',
      handler: () => {
        throw new Error('card declined');
      },
    });
    const first = await kit.engine({ engineId: 'first' });
    const original = await first
      .run(refuse, {}, { idempotencyKey: 'order-1' })
      .result()
      .catch((error: unknown) => error);
    expect(original).toMatchObject({ stepId: 'pay', attempts: 1 });
    const second = await kit.engine({ engineId: 'second' });
    const read = await second
      .run(refuse, {}, { idempotencyKey: 'order-1' })
      .result()
      .catch((error: unknown) => error);
    expect(StepFailedError.isInstance(read)).toBe(true);
    const typed = read as StepFailedError;
    expect({ stepId: typed.stepId, attempts: typed.attempts, target: typed.target }).toEqual({
      stepId: 'pay',
      attempts: 1,
      target: (original as StepFailedError).target,
    });
    expect(typed.message).toBe((original as Error).message);
  });
});
