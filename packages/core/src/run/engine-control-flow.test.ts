import { describe, expect, it } from 'vitest';
import { BatonError } from '../errors/baton-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import type { Plan } from '../plan/plan.js';
import { delay, kit, ofType, rejectionOf, settle } from './test-kit.js';

function flowKit() {
  const k = kit();
  const calls: string[] = [];
  const inputs: Record<string, unknown[]> = {};
  const record = (stepId: string, input: unknown) => {
    inputs[stepId] = [...(inputs[stepId] ?? []), input];
  };
  k.add('echo', async (input: Record<string, unknown>, ctx) => {
    calls.push(ctx.stepId);
    record(ctx.stepId, input);
    await delay(1);
    return input;
  });
  /** Appends a character to `text`; scores it by length. */
  k.add('draft', (input: { text?: string }, ctx) => {
    calls.push(ctx.stepId);
    record(ctx.stepId, input);
    const text = `${input.text ?? ''}x`;
    ctx.reportUsage({ tokens: 1 });
    return { text, score: text.length };
  });
  return { ...k, calls, inputs };
}

describe('when and skips', () => {
  it('skips a step whose condition is false, with a step-skip event that says why', async () => {
    const { engine, calls } = flowKit();
    const plan: Plan = {
      steps: [
        { id: 'check', target: 'echo', input: { vip: { $ref: 'request.vip' } } },
        { id: 'perk', target: 'echo', input: {}, when: 'steps.check.output.vip == true' },
      ],
    };
    const { result, events } = await settle(engine().run(plan, { vip: false }));
    expect(calls).toEqual(['check']);
    expect(result?.steps.perk).toMatchObject({ status: 'skipped', attempts: 0 });
    expect(result?.steps.perk?.reason).toContain('steps.check.output.vip == true');
    const skip = ofType(events, 'step-skip')[0];
    expect(skip).toMatchObject({ stepId: 'perk', attempt: 0 });
    expect(skip?.reason).toContain('false');
    expect(ofType(events, 'step-start').map((e) => e.stepId)).toEqual(['check']);
    expect(result?.output).toEqual({});
  });

  it('runs the step when the condition holds', async () => {
    const { engine, calls } = flowKit();
    const plan: Plan = { steps: [{ id: 'perk', target: 'echo', input: { ok: 1 }, when: 'request.vip == true' }] };
    const result = await engine().run(plan, { vip: true }).result();
    expect(calls).toEqual(['perk']);
    expect(result.output).toEqual({ perk: { ok: 1 } });
  });

  it('propagates a skip to dependents with trigger all, naming the skipped dependency', async () => {
    const { engine, calls } = flowKit();
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'echo', input: {}, when: 'request.go == true' },
        { id: 'b', target: 'echo', input: { from: { $ref: 'steps.a.output' } } },
        { id: 'c', target: 'echo', input: {}, dependsOn: ['b'] },
        { id: 'free', target: 'echo', input: { n: 1 } },
      ],
    };
    const { result, events } = await settle(engine().run(plan, { go: false }));
    expect(calls).toEqual(['free']);
    expect(ofType(events, 'step-skip').map((e) => e.stepId)).toEqual(['a', 'b', 'c']);
    expect(result?.steps.b?.reason).toContain('"a"');
    expect(result?.steps.c?.reason).toContain('"b"');
    expect(result?.status).toBe('succeeded');
    expect(result?.output).toEqual({ free: { n: 1 } });
  });

  it('runs a trigger any join when one branch ran and the other was skipped', async () => {
    const { engine, calls, inputs } = flowKit();
    const plan: Plan = {
      steps: [
        { id: 'left', target: 'echo', input: { side: 'left' }, when: "request.side == 'left'" },
        { id: 'right', target: 'echo', input: { side: 'right' }, when: "request.side == 'right'" },
        {
          id: 'join',
          target: 'echo',
          trigger: 'any',
          input: {
            left: { $ref: 'steps.left.output.side', default: null },
            right: { $ref: 'steps.right.output.side', default: null },
          },
        },
      ],
    };
    const result = await engine().run(plan, { side: 'right' }).result();
    expect(calls).toEqual(['right', 'join']);
    expect(inputs.join).toEqual([{ left: null, right: 'right' }]);
    expect(result.steps.left?.status).toBe('skipped');
  });

  it('waits for every branch of a trigger any join that runs', async () => {
    const { engine, calls } = flowKit();
    const plan: Plan = {
      steps: [
        { id: 'one', target: 'echo', input: {} },
        { id: 'two', target: 'echo', input: {}, dependsOn: ['one'] },
        { id: 'join', target: 'echo', input: {}, dependsOn: ['one', 'two'], trigger: 'any' },
      ],
    };
    await engine().run(plan).result();
    expect(calls).toEqual(['one', 'two', 'join']);
  });

  it('skips a trigger any join when no dependency ran', async () => {
    const { engine, calls } = flowKit();
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'echo', input: {}, when: 'request.never == true' },
        { id: 'b', target: 'echo', input: {}, when: 'request.never == true' },
        { id: 'join', target: 'echo', input: {}, dependsOn: ['a', 'b'], trigger: 'any' },
      ],
    };
    const result = await engine().run(plan, {}).result();
    expect(calls).toEqual([]);
    expect(result.steps.join).toMatchObject({ status: 'skipped', reason: 'none of its dependencies succeeded' });
  });
});

describe('a failed branch and a trigger any join', () => {
  /** `fails` throws (not retried) once `wait` (a step id) has finished, or at once. */
  function failingKit() {
    const k = flowKit();
    const finished = new Map<string, () => void>();
    const finishedStep = (id: string) => new Promise<void>((resolve) => finished.set(id, resolve));
    const waits: Record<string, Promise<void>> = {};
    k.add('fails', async (input: { wait?: string }, ctx) => {
      k.calls.push(ctx.stepId);
      if (input.wait) await waits[input.wait];
      throw new Error(`${ctx.stepId} broke`);
    });
    k.add('hold', (_input, ctx) => {
      k.calls.push(ctx.stepId);
      return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    });
    const onEvent = (event: { type: string; stepId?: string }) => {
      if (event.type === 'step-finish' && event.stepId) finished.get(event.stepId)?.();
    };
    const waitFor = (id: string) => {
      waits[id] = finishedStep(id);
    };
    return { ...k, onEvent, waitFor };
  }

  it('fails the run, and never runs the join, even when another branch already succeeded', async () => {
    const { engine, calls, onEvent, waitFor } = failingKit();
    waitFor('a');
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'echo', input: {} },
        { id: 'b', target: 'fails', input: { wait: 'a' }, policy: { retry: false } },
        { id: 'join', target: 'echo', input: {}, dependsOn: ['a', 'b'], trigger: 'any' },
      ],
    };
    const handle = engine().run(plan, {}, { onEvent });
    const { error, events } = await settle(handle);
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(error.stepId).toBe('b');
    expect(calls).toEqual(['a', 'b']);
    const steps = handle.snapshot().steps;
    expect([steps.a?.status, steps.b?.status, steps.join?.status]).toEqual(['succeeded', 'failed', 'pending']);
    expect(ofType(events, 'step-skip')).toEqual([]);
  });

  it('cancels a branch still running when another fails, and the join stays pending', async () => {
    const { engine, calls } = failingKit();
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'hold', input: {} },
        { id: 'b', target: 'fails', input: {}, policy: { retry: false } },
        { id: 'join', target: 'echo', input: {}, dependsOn: ['a', 'b'], trigger: 'any' },
      ],
    };
    const handle = engine().run(plan);
    const { error } = await settle(handle);
    expect(error.stepId).toBe('b');
    expect(calls).toEqual(['a', 'b']);
    const steps = handle.snapshot().steps;
    expect([steps.a?.status, steps.b?.status, steps.join?.status]).toEqual(['cancelled', 'failed', 'pending']);
  });

  it('runs the join when the failing branch recovers through a fallback', async () => {
    const { engine, calls } = failingKit();
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'echo', input: {} },
        { id: 'b', target: 'fails', input: {}, policy: { retry: false, fallback: 'echo' } },
        { id: 'join', target: 'echo', input: {}, dependsOn: ['a', 'b'], trigger: 'any' },
      ],
    };
    const result = await engine().run(plan).result();
    expect(calls).toContain('join');
    expect(result.steps.join?.status).toBe('succeeded');
  });
});

const refine = (until: string, maxIterations: number, onExhausted?: 'continue' | 'fail'): Plan => ({
  steps: [
    {
      id: 'refine',
      loop: {
        steps: [
          {
            id: 'write',
            target: 'draft',
            input: {
              text: { $ref: 'loop.previous.steps.write.output.text', default: '' },
              round: { $ref: 'loop.iteration' },
            },
          },
        ],
        until,
        maxIterations,
        ...(onExhausted ? { onExhausted } : {}),
      },
    },
    { id: 'publish', target: 'echo', input: { final: { $ref: 'steps.refine.output.last.write.text' } } },
  ],
});

describe('loops', () => {
  it('repeats the body until the condition holds, feeding each iteration the previous one', async () => {
    const { engine, calls, inputs } = flowKit();
    const result = await engine().run(refine('steps.write.output.score >= 3', 10)).result();
    expect(calls).toEqual(['write', 'write', 'write', 'publish']);
    expect(inputs.write).toEqual([
      { text: '', round: 1 },
      { text: 'x', round: 2 },
      { text: 'xx', round: 3 },
    ]);
    expect(result.steps.refine?.output).toEqual({
      iterations: 3,
      exhausted: false,
      last: { write: { text: 'xxx', score: 3 } },
    });
    expect(result.steps.refine?.attempts).toBe(3);
    expect(result.output).toEqual({ publish: { final: 'xxx' } });
  });

  it('numbers iterations from 1 in loop.iteration, as in event paths', async () => {
    const { engine, calls } = flowKit();
    const { result, events } = await settle(engine().run(refine('loop.iteration >= 2', 10), {}, { runId: 'r' }));
    expect(calls.filter((c) => c === 'write')).toHaveLength(2);
    expect(result?.steps.refine?.output).toMatchObject({ iterations: 2 });
    const paths = ofType(events, 'step-start')
      .filter((e) => e.stepId === 'write')
      .map((e) => e.path);
    expect(paths).toEqual([
      ['r', 'refine', 'iteration-1', 'write'],
      ['r', 'refine', 'iteration-2', 'write'],
    ]);
  });

  it('ends with exhausted: true after maxIterations when onExhausted is continue', async () => {
    const { engine, calls } = flowKit();
    const result = await engine().run(refine('steps.write.output.score >= 99', 4)).result();
    expect(calls.filter((c) => c === 'write')).toHaveLength(4);
    expect(result.steps.refine?.output).toMatchObject({
      iterations: 4,
      exhausted: true,
      last: { write: { text: 'xxxx' } },
    });
    expect(result.output).toEqual({ publish: { final: 'xxxx' } });
  });

  it('fails the run after maxIterations when onExhausted is fail', async () => {
    const { engine, calls } = flowKit();
    const { error, result } = await settle(engine().run(refine('steps.write.output.score >= 99', 2, 'fail')));
    expect(result).toBeUndefined();
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(error.stepId).toBe('refine');
    expect(BatonError.isInstance(error.cause) && error.cause.code).toBe('loop-exhausted');
    expect(calls).toEqual(['write', 'write']);
  });

  it('sums the usage of every iteration into the loop step', async () => {
    const { engine } = flowKit();
    const result = await engine().run(refine('steps.write.output.score >= 3', 10)).result();
    expect(result.steps.refine?.usage.tokens).toBe(3);
    expect(result.usage.tokens).toBe(3);
  });

  it('runs nested loops without deadlock even with maxParallel 1', async () => {
    const { engine, calls } = flowKit();
    const plan: Plan = {
      steps: [
        {
          id: 'outer',
          loop: {
            steps: [
              {
                id: 'inner',
                loop: {
                  steps: [
                    { id: 'a', target: 'echo', input: { i: { $ref: 'loop.iteration' } } },
                    { id: 'b', target: 'echo', input: { i: { $ref: 'loop.iteration' } } },
                  ],
                  until: 'steps.a.output.i >= 2',
                  maxIterations: 5,
                },
              },
            ],
            until: 'loop.iteration >= 3',
            maxIterations: 5,
          },
        },
      ],
    };
    const result = await engine().run(plan, {}, { maxParallel: 1 }).result();
    expect(calls).toHaveLength(12);
    expect(result.steps.outer?.output).toMatchObject({ iterations: 3, exhausted: false });
  });

  it('fails the run when a step in the body fails', async () => {
    const k = flowKit();
    k.add('broken', () => {
      throw new Error('broken body');
    });
    const plan: Plan = {
      steps: [
        {
          id: 'l',
          loop: {
            steps: [{ id: 'x', target: 'broken', input: {}, policy: { retry: false } }],
            until: 'true',
            maxIterations: 3,
          },
        },
      ],
    };
    const error = await rejectionOf(k.engine().run(plan).result());
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(error.stepId).toBe('x');
  });
});
