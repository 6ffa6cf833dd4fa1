import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine.js';
import { ApprovalError } from '../errors/approval-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { createRegistry } from '../registry/registry.js';

function setup() {
  const registry = createRegistry();
  const undone: string[] = [];
  registry.register({
    name: 'book',
    description: 'Books something and can cancel the booking',
    handler: (input: { what: string }) => ({ booking: `b-${input.what}` }),
    compensate: (ctx) => {
      undone.push((ctx.output as { booking: string }).booking);
    },
  });
  registry.register({
    name: 'fail',
    description: 'Always fails',
    handler: () => {
      throw new Error('card declined');
    },
  });
  return { engine: createEngine({ registry, defaults: { retry: false } }), undone };
}

const waitFor = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('approvals and waits without a store', () => {
  it('waits for an in-process approval and continues with the approver data', async () => {
    const { engine } = setup();
    const run = engine.run(
      {
        steps: [{ id: 'ok', approval: { prompt: 'Book {{request.what}}?', data: { what: { $ref: 'request.what' } } } }],
        output: { $ref: 'steps.ok.output' },
      },
      { what: 'hotel' },
    );
    await waitFor(async () => (await engine.approvals()).length === 1);
    const [pending] = await engine.approvals({ runId: run.runId });
    expect(pending).toMatchObject({ prompt: 'Book hotel?', data: { what: 'hotel' }, status: 'pending' });
    await engine.approve(pending!.id, { what: 'hostel' });
    expect((await run.result()).output).toEqual({ decision: 'approved', data: { what: 'hostel' } });
    await expect(engine.approve(pending!.id)).rejects.toSatisfy((e) => NotFoundError.isInstance(e));
  });

  it('refuses a list filter it cannot answer instead of answering an empty list', async () => {
    const { engine } = setup();
    engine.run({ steps: [{ id: 'ok', approval: { prompt: 'Go?' } }] });
    await waitFor(async () => (await engine.approvals({ status: 'pending' })).length === 1);
    await expect(engine.approvals({ status: 'pendng' as never })).rejects.toThrow(
      /status must be one of pending, approved, rejected, expired, withdrawn, got "pendng" \(did you mean "pending"\?\)/,
    );
    await expect(engine.approvals({ rnId: 'x' } as never)).rejects.toThrow(
      /"rnId" is not a filter of approvals \(did you mean "runId"\?\)/,
    );
    await expect(engine.approvals({ runId: 7 } as never)).rejects.toThrow(/runId must be a non-empty string, got 7/);
    await expect(engine.failedCompensations({ status: 'closed' as never })).rejects.toThrow(
      /status must be one of open, resolved, ignored/,
    );
    await expect(engine.failedCompensations('open' as never)).rejects.toThrow(/the filter must be an object/);
    expect(await engine.failedCompensations({ status: 'open', runId: undefined })).toEqual([]);
  });

  it('fails a rejected approval with the reason, and refuses a rejection without one', async () => {
    const { engine } = setup();
    const run = engine.run({ steps: [{ id: 'ok', approval: { prompt: 'Go?' } }] });
    await waitFor(async () => (await engine.approvals()).length === 1);
    const [pending] = await engine.approvals();
    await expect(engine.reject(pending!.id, ' ')).rejects.toThrow(/say why/);
    await engine.reject(pending!.id, 'not today');
    const error = await run.result().catch((e) => e);
    expect(ApprovalError.isInstance(error) && error.outcome === 'rejected' && error.reason === 'not today').toBe(true);
  });

  it('waits for a duration and for a date', async () => {
    const { engine } = setup();
    const start = Date.now();
    const run = engine.run(
      {
        steps: [
          { id: 'short', wait: { durationMs: 60 } },
          { id: 'until', wait: { until: { $ref: 'request.at' } }, dependsOn: ['short'] },
        ],
        output: { $ref: 'steps.until.output.firedAt' },
      },
      { at: new Date(start + 120).toISOString() },
    );
    const firedAt = (await run.result()).output as number;
    expect(firedAt - start).toBeGreaterThanOrEqual(115);
  });
});

describe('compensation without a store', () => {
  it('undoes finished bookings in reverse order when a later step fails', async () => {
    const { engine, undone } = setup();
    const run = engine.run({
      steps: [
        { id: 'flight', target: 'book', input: { what: 'flight' } },
        { id: 'hotel', target: 'book', input: { what: 'hotel' }, dependsOn: ['flight'] },
        { id: 'pay', target: 'fail', dependsOn: ['hotel'] },
      ],
    });
    const events: string[] = [];
    for await (const event of run)
      if (event.type.startsWith('compensation')) events.push(`${event.type}:${'stepId' in event ? event.stepId : ''}`);
    await expect(run.result()).rejects.toThrow(/card declined/);
    expect(undone).toEqual(['b-hotel', 'b-flight']);
    expect(events).toEqual([
      'compensation-start:hotel',
      'compensation-finish:hotel',
      'compensation-start:flight',
      'compensation-finish:flight',
    ]);
    expect(await engine.failedCompensations()).toEqual([]);
  });
});
