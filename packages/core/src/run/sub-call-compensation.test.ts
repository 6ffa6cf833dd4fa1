import { describe, expect, it } from 'vitest';
import { NonRetryableError, RetryableError } from '../errors/retryable-error.js';
import type { Plan } from '../plan/plan.js';
import { kit, ofType, settle } from './test-kit.js';

/**
 * `reserve` (undone, except an item called `stuck`), `note` (nothing to undo), `order` (reserves a, notes, reserves b;
 * undone itself) and `pay` (reserves c, then fails).
 */
function sagaKit() {
  const k = kit();
  const undone: string[] = [];
  k.add('reserve', (input: { item: string }) => ({ reserved: input.item }), {
    compensate: (ctx) => {
      const { item } = ctx.input as { item: string };
      if (item === 'stuck') throw new NonRetryableError('the warehouse lost the booking');
      undone.push(`${ctx.stepId}:${item}:${(ctx.output as { reserved: string }).reserved}`);
    },
  });
  k.add('note', (input: { text: string }) => ({ noted: input.text }));
  k.add(
    'order',
    async (input: { second?: string }, ctx) => {
      await ctx.call('reserve', { item: 'a' });
      await ctx.call('note', { text: 'ordered' });
      await ctx.call('reserve', { item: input.second ?? 'b' });
      return { ordered: true };
    },
    { compensate: (ctx) => void undone.push(ctx.stepId) },
  );
  k.add('pay', async (_input, ctx) => {
    await ctx.call('reserve', { item: 'c' });
    throw new NonRetryableError('card declined');
  });
  return { ...k, undone };
}

const orderThenPay = (second = 'b'): Plan => ({
  steps: [
    { id: 'order', target: 'order', input: { second } },
    { id: 'pay', target: 'pay', dependsOn: ['order'] },
  ],
});

describe('compensation of sub-calls', () => {
  it('undoes the sub-calls of the failed step, then of its predecessor in reverse order, then the predecessor', async () => {
    const k = sagaKit();
    const { events, error } = await settle(k.engine({ defaults: { retry: false } }).run(orderThenPay()));
    expect(error.message).toContain('card declined');
    expect(k.undone).toEqual(['pay#call-1:c:c', 'order#call-3:b:b', 'order#call-1:a:a', 'order']);
    const finished = ofType(events, 'compensation-finish');
    expect(finished.map((event) => [event.stepId, event.target])).toEqual([
      ['pay#call-1', 'reserve@1.0.0'],
      ['order#call-3', 'reserve@1.0.0'],
      ['order#call-1', 'reserve@1.0.0'],
      ['order', 'order@1.0.0'],
    ]);
  });

  it('undoes a sub-call once, though a retried attempt replayed it', async () => {
    const k = sagaKit();
    let attempts = 0;
    k.add('flaky-order', async (_input, ctx) => {
      await ctx.call('reserve', { item: 'a' });
      if (++attempts === 1) throw new RetryableError('the shop timed out');
      return { ordered: true };
    });
    const plan: Plan = {
      steps: [
        { id: 'order', target: 'flaky-order', policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } } },
        { id: 'pay', target: 'pay', dependsOn: ['order'], policy: { retry: false } },
      ],
    };
    const { error } = await settle(k.engine().run(plan));
    expect(error.message).toContain('card declined');
    expect(attempts).toBe(2);
    expect(k.undone).toEqual(['pay#call-1:c:c', 'order#call-1:a:a']);
  });

  it('records a sub-call whose compensation failed under its sub-step key, and still undoes the rest', async () => {
    const k = sagaKit();
    const engine = k.engine({ defaults: { retry: false }, compensationTtlMs: 100 });
    const run = engine.run(orderThenPay('stuck'));
    const { events } = await settle(run);
    expect(k.undone).toEqual(['pay#call-1:c:c', 'order#call-1:a:a', 'order']);
    const failed = await engine.failedCompensations({ runId: run.runId });
    expect(failed).toEqual([
      expect.objectContaining({
        stepKey: 'order#call-3',
        target: 'reserve@1.0.0',
        status: 'open',
        error: expect.objectContaining({ message: 'the warehouse lost the booking' }),
      }),
    ]);
    // Compensations are tried again until their TTL, then recorded once.
    const errors = ofType(events, 'compensation-error');
    expect(new Set(errors.map((event) => event.stepId))).toEqual(new Set(['order#call-3']));
    expect(errors.filter((event) => event.recorded)).toHaveLength(1);
  });

  it('undoes nested sub-calls before the sub-call that made them', async () => {
    const k = sagaKit();
    k.add('bundle', async (_input, ctx) => ctx.call('reserve', { item: 'inner' }), {
      compensate: (ctx) => void k.undone.push(ctx.stepId),
    });
    k.add('outer', async (_input, ctx) => {
      await ctx.call('bundle', {});
      throw new NonRetryableError('out of stock');
    });
    await settle(k.engine({ defaults: { retry: false } }).run({ steps: [{ id: 'shop', target: 'outer' }] }));
    expect(k.undone).toEqual(['shop#call-1#call-1:inner:inner', 'shop#call-1']);
  });
});
