import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEngine } from '../engine/engine.js';
import { BatonError } from '../errors/baton-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { Plan } from '../plan/plan.js';
import { createRegistry } from '../registry/registry.js';
import { DuplicateRunError } from '../storage/storage-errors.js';
import { concurrencyGauge, delay, kit, ofType, rejectionOf, settle } from './test-kit.js';

function parallelKit() {
  const k = kit();
  const gauge = concurrencyGauge();
  const order: string[] = [];
  k.add('work', (input: { name: string; ms?: number }) =>
    gauge.around(async () => {
      order.push(`start:${input.name}`);
      await delay(input.ms ?? 10);
      order.push(`end:${input.name}`);
      return { name: input.name, length: input.name.length };
    }),
  );
  return { ...k, gauge, order };
}

const fanOut = (n: number, ms = 15): Plan => ({
  steps: Array.from({ length: n }, (_, i) => ({ id: `s${i}`, target: 'work', input: { name: `s${i}`, ms } })),
});

describe('engine: parallel runs', () => {
  it('runs independent steps at the same time', async () => {
    const { engine, gauge } = parallelKit();
    const result = await engine().run(fanOut(4)).result();
    expect(result.status).toBe('succeeded');
    expect(gauge.max).toBe(4);
  });

  it('never has more calls in flight than maxParallel, and reaches it', async () => {
    const { engine, gauge } = parallelKit();
    const result = await engine().run(fanOut(7), {}, { maxParallel: 3 }).result();
    expect(Object.keys(result.output as object)).toHaveLength(7);
    expect(gauge.max).toBe(3);
  });

  it('takes maxParallel from the engine defaults when the run sets none', async () => {
    const { engine, gauge } = parallelKit();
    await engine({ defaults: { maxParallel: 2 } })
      .run(fanOut(5))
      .result();
    expect(gauge.max).toBe(2);
  });

  it('starts a step only after every step it depends on has finished', async () => {
    const { engine, order } = parallelKit();
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'work', input: { name: 'a', ms: 15 } },
        { id: 'b', target: 'work', input: { name: 'b', ms: 2 } },
        { id: 'c', target: 'work', input: { name: 'c{{steps.a.output.name}}' }, dependsOn: ['b'] },
        { id: 'd', target: 'work', input: { name: { $ref: 'steps.c.output.name' } } },
      ],
    };
    const result = await engine().run(plan).result();
    expect(order.indexOf('start:ca')).toBeGreaterThan(order.indexOf('end:a'));
    expect(order.indexOf('start:ca')).toBeGreaterThan(order.indexOf('end:b'));
    expect(order.indexOf('start:ca', 0)).toBeLessThan(order.lastIndexOf('start:ca') + 1);
    expect(order.at(-1)).toBe('end:ca');
    expect(result.steps.d?.output).toEqual({ name: 'ca', length: 2 });
  });

  it('returns the outputs of the sink steps by id when the plan has no output', async () => {
    const { engine } = parallelKit();
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'work', input: { name: 'a', ms: 1 } },
        { id: 'b', target: 'work', input: { name: 'b{{steps.a.output.name}}', ms: 1 } },
        { id: 'c', target: 'work', input: { name: 'c', ms: 1 } },
      ],
    };
    const result = await engine().run(plan).result();
    expect(result.output).toEqual({ b: { name: 'ba', length: 2 }, c: { name: 'c', length: 1 } });
  });

  it('builds the output from references when the plan declares one', async () => {
    const { engine } = parallelKit();
    const plan: Plan = {
      steps: [{ id: 'a', target: 'work', input: { name: { $ref: 'request.data.name' }, ms: 1 } }],
      output: { size: { $ref: 'steps.a.output.length' }, text: 'got {{steps.a.output.name}}', fixed: 7 },
    };
    const result = await engine()
      .run(plan, { data: { name: 'hello' } })
      .result();
    expect(result.output).toEqual({ size: 5, text: 'got hello', fixed: 7 });
  });

  it('reports every step in the result with its status, target, attempts and times', async () => {
    const { engine } = parallelKit();
    const result = await engine().run(fanOut(2, 1), {}, { runId: 'run-42' }).result();
    expect(result.runId).toBe('run-42');
    expect(result.steps.s0).toMatchObject({ id: 's0', status: 'succeeded', target: 'work@1.0.0', attempts: 1 });
    expect(result.steps.s0?.finishedAt).toBeGreaterThanOrEqual(result.steps.s0?.startedAt as number);
    expect(result.finishedAt).toBeGreaterThanOrEqual(result.startedAt);
  });

  it('hands the handler the run id, step id, path and attempt', async () => {
    const k = kit();
    const seen: unknown[] = [];
    k.add('spy', (_input, ctx) => {
      seen.push({
        runId: ctx.runId,
        stepId: ctx.stepId,
        path: ctx.path,
        attempt: ctx.attempt,
        key: ctx.idempotencyKey,
      });
      return 1;
    });
    await k
      .engine()
      .run({ steps: [{ id: 'only', target: 'spy', input: {} }] }, {}, { runId: 'r1' })
      .result();
    expect(seen).toEqual([{ runId: 'r1', stepId: 'only', path: ['r1', 'only'], attempt: 1, key: undefined }]);
  });

  it('lets snapshot() show a run in progress', async () => {
    const k = kit();
    let release!: () => void;
    let called!: () => void;
    const calledOnce = new Promise<void>((resolve) => {
      called = resolve;
    });
    k.add('gate', () => {
      called();
      return new Promise<string>((resolve) => (release = () => resolve('open')));
    });
    const handle = k.engine().run({ steps: [{ id: 'g', target: 'gate', input: {} }] });
    await calledOnce;
    expect(handle.snapshot()).toMatchObject({ status: 'running', steps: { g: { status: 'running' } } });
    release();
    await handle.result();
    expect(handle.snapshot()).toMatchObject({ status: 'succeeded', output: { g: 'open' } });
  });
});

describe('engine: schemas at run time', () => {
  function schemaKit(output: unknown) {
    const k = kit();
    const calls: unknown[] = [];
    k.add(
      'typed',
      (input: { n: number }) => {
        calls.push(input);
        return output;
      },
      { input: z.object({ n: z.number() }), output: z.object({ doubled: z.number() }) },
    );
    return { ...k, calls };
  }

  it('refuses input that does not match the input schema without calling the handler or retrying', async () => {
    const { engine, calls } = schemaKit({ doubled: 2 });
    const plan: Plan = { steps: [{ id: 't', target: 'typed', input: { n: { $ref: 'request.data.n' } } }] };
    const { error, events } = await settle(engine().run(plan, { data: { n: 'one' } }));
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(ValidationError.isInstance(error.cause)).toBe(true);
    expect(error.cause.problems[0].path).toContain('n');
    expect(calls).toEqual([]);
    expect(ofType(events, 'step-retry')).toEqual([]);
  });

  it('refuses output that does not match the output schema, without retrying', async () => {
    const { engine, calls } = schemaKit({ doubled: 'two' });
    const plan: Plan = { steps: [{ id: 't', target: 'typed', input: { n: 1 } }] };
    const error = await rejectionOf(engine().run(plan).result());
    expect(ValidationError.isInstance(error.cause)).toBe(true);
    expect(error.cause.message).toContain('output');
    expect(calls).toHaveLength(1);
  });

  it('passes the parsed input to the handler when it matches', async () => {
    const { engine, calls } = schemaKit({ doubled: 2 });
    const result = await engine()
      .run({ steps: [{ id: 't', target: 'typed', input: { n: 1 } }] })
      .result();
    expect(result.output).toEqual({ t: { doubled: 2 } });
    expect(calls).toEqual([{ n: 1 }]);
  });
});

describe('engine: bad input', () => {
  it('refuses a run id already running here, leaving the live run its handle', async () => {
    const k = kit();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    k.add('slow', async () => {
      await held;
      return 'slow';
    });
    const engine = k.engine();
    const first = engine.run({ steps: [{ id: 's', target: 'slow' }] }, {}, { runId: 'same' });
    expect(() => engine.run({ steps: [{ id: 's', target: 'slow' }] }, {}, { runId: 'same' })).toThrow(
      DuplicateRunError,
    );
    expect(engine.getRun('same')).toBe(first);
    await engine.cancel('same', 'not needed');
    release();
    await expect(first.result()).rejects.toMatchObject({ name: 'CancelledError' });
  });

  const plan: Plan = { steps: [{ id: 'a', target: 'work', input: { name: 'a' } }] };

  it.each([
    ['maxParallel', 0],
    ['maxParallel', 1.5],
    ['timeoutMs', -1],
    ['deadline', 0],
    ['deadline', new Date('not a date')],
    ['deadline', 'soon'],
    ['signal', { aborted: false }],
    ['onEvent', 'log'],
    ['runId', ''],
    ['budget', { tokens: -5 }],
  ])('throws a ValidationError naming %s when it is %o', (name, value) => {
    const { engine } = parallelKit();
    const error = (() => {
      try {
        engine().run(plan, {}, { [name]: value });
      } catch (thrown) {
        return thrown;
      }
    })() as ValidationError;
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.problems[0]?.path).toContain(name);
    if (typeof value === 'number') expect(error.message).toContain(String(value));
  });

  it('throws a ValidationError for run options that are not an object', () => {
    const { engine } = parallelKit();
    expect(() => engine().run(plan, {}, null as never)).toThrow(ValidationError);
  });

  it('refuses a run option it does not know, suggesting the one a typo meant, instead of ignoring it', async () => {
    const { engine } = parallelKit();
    const options = { maxParalel: 1, colour: 'red', timeoutMs: 1000, extra: undefined };
    const error = (() => {
      try {
        engine().run(plan, {}, options as never);
      } catch (thrown) {
        return thrown;
      }
    })() as ValidationError;
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.problems.map((problem) => [problem.path, problem.code])).toEqual([
      ['maxParalel', 'unknown'],
      ['colour', 'unknown'],
    ]);
    expect(error.problems[0]?.message).toContain('did you mean "maxParallel"?');
    expect(error.problems[1]?.message).not.toContain('did you mean');
    expect(error.problems[1]?.message).toContain('retainEvents');
    // Every option it documents still goes through.
    const result = await engine()
      .run(plan, {}, { maxParallel: 2, timeoutMs: 5000, retainEvents: true, runId: 'known-options' })
      .result();
    expect(result.status).toBe('succeeded');
  });

  it('throws synchronously from run() with every problem of an invalid plan', () => {
    const { engine } = parallelKit();
    const bad = {
      steps: [
        { id: 'a', target: 'nope', input: {} },
        { id: 'a', target: 'work', input: { name: 'x' } },
        { id: 'b', target: 'work', input: { name: { $ref: 'steps.ghost.output' } } },
      ],
    };
    let error: ValidationError | undefined;
    try {
      engine().run(bad as Plan);
    } catch (thrown) {
      error = thrown as ValidationError;
    }
    expect(ValidationError.isInstance(error)).toBe(true);
    const codes = error?.problems.map((p) => p.code) ?? [];
    expect(codes).toEqual(expect.arrayContaining(['unknown-target', 'duplicate-id', 'unknown-step']));
  });

  it('refuses to build an engine without a registry, or with bad defaults', () => {
    expect(() => createEngine(undefined as never)).toThrow(ValidationError);
    const registry = createRegistry();
    for (const defaults of [
      { maxParallel: 0 },
      { timeoutMs: -1 },
      { retry: { maxAttempts: 0 } },
      { breaker: { threshold: 0 } },
    ]) {
      const error = (() => {
        try {
          createEngine({ registry, defaults: defaults as never });
        } catch (thrown) {
          return thrown as ValidationError;
        }
      })();
      expect(ValidationError.isInstance(error), JSON.stringify(defaults)).toBe(true);
      expect(error?.problems[0]?.path).toContain(Object.keys(defaults)[0]);
    }
  });

  it('accepts a compiled plan and runs it many times', async () => {
    const { engine } = parallelKit();
    const e = engine();
    const compiled = e.compile(fanOut(2, 1));
    const [one, two] = await Promise.all([e.run(compiled).result(), e.run(compiled).result()]);
    expect(one.output).toEqual(two.output);
    expect(one.runId).not.toBe(two.runId);
  });

  it('validates an object that only looks like a compiled plan instead of trusting it', () => {
    const { engine } = parallelKit();
    const forged = { graph: { steps: [] }, source: { steps: [] } };
    expect(() => engine().run(forged as never)).toThrow(ValidationError);
  });

  it('recompiles a plan compiled for another registry instead of running it unchecked', async () => {
    const { engine } = parallelKit();
    const other = kit();
    other.add('elsewhere', () => ({ from: 'other' }));
    const compiled = other.engine().compile({ steps: [{ id: 'a', target: 'elsewhere', input: {} }] });
    expect(() => engine().run(compiled)).toThrow(ValidationError);
  });
});

describe('engine: every failure settles the run', () => {
  const plan: Plan = { steps: [{ id: 'a', target: 'work', input: { name: 'a', ms: 1 } }] };

  async function withoutUnhandledRejections<T>(work: () => Promise<T>): Promise<{ value: T; unhandled: unknown[] }> {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const value = await work();
      await delay(20);
      return { value, unhandled };
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }

  it('settles with a typed error and run-error when the run breaks during setup', async () => {
    const { engine } = parallelKit();
    const e = engine();
    const compiled = e.compile(plan);
    // A compiled plan mutated after validation breaks the run before any step starts.
    (compiled as { graph: unknown }).graph = undefined;
    const { value, unhandled } = await withoutUnhandledRejections(() => settle(e.run(compiled)));
    expect(unhandled).toEqual([]);
    expect(BatonError.isInstance(value.error)).toBe(true);
    expect(value.error.code).toBe('run-failed');
    expect(ofType(value.events, 'run-error')).toHaveLength(1);
  });

  it('settles with a typed error and run-error when an engine listener throws on run-finish', async () => {
    const { engine } = parallelKit();
    const onEvent = (event: { type: string }) => {
      if (event.type === 'run-finish') throw new Error('listener broke');
    };
    const { value, unhandled } = await withoutUnhandledRejections(() => settle(engine({ onEvent }).run(plan)));
    expect(unhandled).toEqual([]);
    expect(BatonError.isInstance(value.error)).toBe(true);
    expect(value.error.message).toContain('listener broke');
    expect(ofType(value.events, 'run-error')[0]?.error.message).toContain('listener broke');
  });
});
