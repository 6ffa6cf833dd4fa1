import { afterEach, describe, expect, it } from 'vitest';
import { AbortRunError } from '../errors/abort-run-error.js';
import { BatonError } from '../errors/baton-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { RunEvent } from '../events/run-event.js';
import { serializeError } from '../run/serialize-error.js';
import { durableKit, intercept, KIT_BACKENDS, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

class LedgerError extends BatonError {
  constructor(readonly balance: bigint) {
    super('ledger', 'the ledger \uD800 refused');
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), balance: this.balance };
  }
}

describe.each(KIT_BACKENDS)('runs that end with data JSON cannot hold, on %s', (backend) => {
  it('fails a run aborted with a payload the journal cannot store, naming the place, and ends it', async () => {
    kit = await durableKit(backend);
    kit.registry.register({
      name: 'stop',
      description: 'Aborts the run with an amount as a BigInt',
      handler: () => {
        throw new AbortRunError({ refund: { amount: 10n } });
      },
    });
    const engine = await kit.engine();
    const run = engine.run({
      steps: [
        { id: 'a', target: 'add', input: { x: 1 } },
        { id: 'x', target: 'stop', dependsOn: ['a'] },
      ],
    });
    const error = await run.result().catch((e: unknown) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).message).toContain('step "x" aborted the run with a payload');
    expect((error as ValidationError).problems).toEqual([
      { path: 'steps.x.payload.refund.amount', code: 'not-json', message: expect.stringContaining('BigInt (10n)') },
    ]);
    // The run ended (it was not left running, to fail the same way after every lease) and undid step a.
    expect((await kit.stores[0]!.getRun(run.runId))?.status).toBe('failed');
    expect(kit.undone).toEqual([{ step: 'a', payload: undefined, reason: 'validation-failed' }]);
  });

  it('fails a run with an error whose fields JSON cannot hold, keeping them as text', async () => {
    kit = await durableKit(backend);
    kit.registry.register({
      name: 'ledger',
      description: 'Refuses with a typed error holding a BigInt',
      handler: () => {
        throw new LedgerError(12n);
      },
    });
    const engine = await kit.engine({ defaults: { retry: false } });
    const run = engine.run({ steps: [{ id: 'post', target: 'ledger' }] });
    await expect(run.result()).rejects.toThrow(/ledger/);
    const stored = await kit.stores[0]!.getRun(run.runId);
    expect(stored?.status).toBe('failed');
    const failure = (await kit.stores[0]!.readJournal(run.runId)).find((entry) => entry.type === 'run-fail');
    expect(JSON.stringify(failure?.data)).toContain('"balance":"12"');
    expect(JSON.stringify(failure?.data)).toContain('the ledger \uFFFD refused');
  });

  it('shows a step whose entry was being written when another step aborted the run as succeeded', async () => {
    kit = await durableKit(backend);
    let aborted = () => {};
    const abortedNow = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    let writing = () => {};
    const writingNow = new Promise<void>((resolve) => {
      writing = resolve;
    });
    kit.registry.register({
      name: 'stop',
      description: 'Aborts the run once step a is being journaled',
      handler: async () => {
        await writingNow;
        aborted();
        throw new AbortRunError({ why: 'fraud' });
      },
    });
    // Step a's entry is stored only after step x has aborted the run.
    const engine = await kit.engine({}, (store) =>
      intercept(store, 'appendJournal', (original) => async (runId, owner, entries) => {
        if (entries.some((entry) => entry.type === 'step-finish' && entry.stepKey === 'a')) {
          writing();
          await abortedNow;
          await new Promise((resolve) => setImmediate(resolve));
        }
        return original(runId, owner, entries);
      }),
    );
    const run = engine.run({
      steps: [
        { id: 'a', target: 'add', input: { x: 1 } },
        { id: 'x', target: 'stop' },
      ],
    });
    const events: RunEvent[] = [];
    const seen = (async () => {
      for await (const event of run.events()) events.push(event);
    })();
    await expect(run.result()).rejects.toThrow(AbortRunError);
    await seen;
    const a = run.snapshot().steps.a;
    expect({ status: a?.status, attempts: a?.attempts }).toEqual({ status: 'succeeded', attempts: 1 });
    expect(events.filter((event) => 'stepId' in event && event.stepId === 'a').map((event) => event.type)).toEqual([
      'step-start',
      'step-finish',
      'compensation-start',
      'compensation-finish',
    ]);
    // The run's failure entry lists only the step that failed, not a as stopped.
    const failure = (await kit.stores[0]!.readJournal(run.runId)).find((entry) => entry.type === 'run-fail');
    expect(Object.keys((failure?.data as { steps?: object } | undefined)?.steps ?? {})).toEqual(['x']);
    expect(kit.undone).toEqual([{ step: 'a', payload: { why: 'fraud' }, reason: 'run-aborted' }]);
  });
});

describe('serializeError', () => {
  it('turns what JSON cannot hold into text JSON can, and leaves a plain error as it is', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const error = new AbortRunError({ n: 1n, ratio: Number.NaN, cyclic });
    expect(serializeError(error)).toMatchObject({
      code: 'run-aborted',
      payload: { n: '1', ratio: null, cyclic: { name: 'loop', self: '[cycle]' } },
    });
    expect(serializeError(new Error('plain'))).toEqual({
      name: 'Error',
      code: 'error',
      message: 'plain',
      retryable: true,
    });
  });
});

describe.each(KIT_BACKENDS)('a plan whose literals JSON cannot hold, on %s', (backend) => {
  it('is refused when the run is asked for, naming the place, as request data is', async () => {
    kit = await durableKit(backend);
    const engine = await kit.engine();
    const refused = (plan: unknown) => {
      try {
        engine.run(plan as never);
      } catch (error) {
        return error as ValidationError;
      }
      throw new Error('the run was started');
    };
    expect(refused({ steps: [{ id: 'a', target: 'add', input: { x: 10n } }] }).problems).toEqual([
      { path: 'plan.steps[0].input.x', code: 'not-json', message: expect.stringContaining('BigInt (10n)') },
    ]);
    expect(
      refused({ steps: [{ id: 'a', target: 'add', input: { x: 1 } }], output: { n: Number.NaN } }).problems,
    ).toEqual([{ path: 'plan.output.n', code: 'not-json', message: expect.stringContaining('NaN') }]);
    await expect(engine.submit({ steps: [{ id: 'a', target: 'add', input: { x: 1n } }] })).rejects.toThrow(
      /plan\.steps\[0\]\.input\.x/,
    );
    expect(await kit.stores[0]!.listRuns()).toEqual([]);
  });
});
