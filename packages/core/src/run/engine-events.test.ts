import { describe, expect, it } from 'vitest';
import { AbortRunError } from '../errors/abort-run-error.js';
import type { RunEvent } from '../events/run-event.js';
import type { Plan } from '../plan/plan.js';
import { delay, kit, rejectionOf, sequence, settle } from './test-kit.js';

function eventsKit() {
  const k = kit();
  k.add('upper', async (input: { text: string }) => {
    await delay(2);
    return { text: input.text.toUpperCase() };
  });
  k.add('fail', () => {
    throw new Error('boom');
  });
  return k;
}

const chain: Plan = {
  steps: [
    { id: 'a', target: 'upper', input: { text: 'hi' } },
    { id: 'b', target: 'upper', input: { text: '{{steps.a.output.text}} there' } },
  ],
};

const STEP_EVENTS = new Set(['step-start', 'step-retry', 'step-finish', 'step-error', 'step-skip']);

describe('run events', () => {
  it("counts the try an abort answered: the aborting step's step-error says attempt 1, as its step-start did", async () => {
    const k = kit();
    k.add('stop', () => {
      throw new AbortRunError({ why: 'fraud' }, 'fraud suspected');
    });
    const { events } = await settle(k.engine().run({ steps: [{ id: 's', target: 'stop' }] }, {}, { runId: 'r-abort' }));
    expect(events.find((event) => event.type === 'step-start')).toMatchObject({ stepId: 's', attempt: 1 });
    expect(events.find((event) => event.type === 'step-error')).toMatchObject({
      stepId: 's',
      attempt: 1,
      error: { code: 'run-aborted' },
    });
  });

  it('emits the full ordered sequence for a small plan', async () => {
    const { events, result } = await settle(eventsKit().engine().run(chain, {}, { runId: 'r1' }));
    expect(sequence(events)).toEqual([
      'run-start',
      'step-start:a',
      'step-finish:a',
      'step-start:b',
      'step-finish:b',
      'run-finish',
    ]);
    expect(events[0]).toMatchObject({ type: 'run-start', steps: 2, parallelGroups: [['a'], ['b']] });
    expect(events[2]).toMatchObject({ target: 'upper@1.0.0', output: { text: 'HI' }, attempt: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'run-finish', output: result?.output });
  });

  it('gives every event the run id, a timestamp and a path; step events a step id and an attempt', async () => {
    const before = Date.now();
    const { events } = await settle(eventsKit().engine().run(chain, {}, { runId: 'r2' }));
    let last = 0;
    for (const event of events) {
      expect(event.runId).toBe('r2');
      expect(event.timestamp).toBeGreaterThanOrEqual(Math.max(before, last));
      last = event.timestamp;
      expect(event.path[0]).toBe('r2');
      if (STEP_EVENTS.has(event.type)) {
        const step = event as Extract<RunEvent, { stepId: string }>;
        expect(step.stepId).toMatch(/^[ab]$/);
        expect(step.attempt).toBeGreaterThanOrEqual(1);
        expect(step.path).toEqual(['r2', step.stepId]);
      } else expect(event.path).toEqual(['r2']);
    }
  });

  it('gives the events of every kind of step a run id, timestamp and path, and a step id and attempt where a step is concerned', async () => {
    const k = eventsKit();
    let calls = 0;
    k.add('flaky', async (_input, ctx) => {
      ctx.reportUsage({ tokens: 90 });
      if (calls++ === 0) throw new Error('once');
      return 'same';
    });
    k.add('broken', () => {
      throw new Error('broken for good');
    });
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'flaky', input: {}, budget: { tokens: 1000 }, policy: { retry: { initialDelayMs: 1 } } },
        { id: 'e', target: 'upper', input: { text: 'x' }, evidence: { k: 3 }, dependsOn: ['a'] },
        { id: 'skipped', target: 'upper', input: { text: 'y' }, when: 'steps.a.output == "other"' },
        { id: 'f', target: 'broken', input: { text: 'w' }, policy: { retry: false, fallback: 'upper' } },
        {
          id: 'l',
          loop: { steps: [{ id: 'inner', target: 'upper', input: { text: 'z' } }], until: 'true', maxIterations: 2 },
        },
      ],
      budget: { tokens: 200 },
    };
    const { events } = await settle(k.engine().run(plan, {}, { runId: 'r' }));
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'step-retry',
      'step-fallback',
      'budget-warning',
      'replicate-start',
      'bundle-ready',
      'step-skip',
      'run-finish',
    ]) {
      expect(types).toContain(type);
    }
    for (const event of events) {
      expect(event.runId).toBe('r');
      expect(typeof event.timestamp).toBe('number');
      expect(event.path[0]).toBe('r');
      const stepId = (event as { stepId?: string }).stepId;
      if (stepId === undefined) {
        expect(event.path).toEqual(['r']);
        continue;
      }
      expect(event.path).toContain(stepId);
      expect(typeof (event as { attempt?: unknown }).attempt).toBe('number');
    }
  });

  it('ends with step-error and run-error when a step fails', async () => {
    const plan: Plan = { steps: [{ id: 'x', target: 'fail', input: {}, policy: { retry: false } }] };
    const { events } = await settle(eventsKit().engine().run(plan));
    expect(sequence(events)).toEqual(['run-start', 'step-start:x', 'step-error:x', 'run-error']);
    expect(events[2]).toMatchObject({ attempt: 1, target: 'fail@1.0.0', error: { code: 'step-failed' } });
  });

  it('lets an iterator that starts after the run finished see every event from the start', async () => {
    const handle = eventsKit().engine().run(chain);
    await handle.result();
    const seen: string[] = [];
    for await (const event of handle.events()) seen.push(event.type);
    expect(seen[0]).toBe('run-start');
    expect(seen).toHaveLength(6);
  });

  it('gives two concurrent iterators every event each', async () => {
    const handle = eventsKit().engine().run(chain);
    const read = async () => {
      const seen: RunEvent[] = [];
      for await (const event of handle) seen.push(event);
      return seen;
    };
    const [one, two] = await Promise.all([read(), read()]);
    expect(sequence(one)).toEqual(sequence(two));
    expect(one).toHaveLength(6);
  });

  it('calls onEvent synchronously for each event, in order, before the iterators see it', async () => {
    const received: string[] = [];
    const handle = eventsKit()
      .engine()
      .run(chain, {}, { onEvent: (event) => received.push(event.type) });
    // Steps with no dependencies start within run(), so their step-start is already out.
    expect(received).toEqual(['run-start', 'step-start']);
    const { events } = await settle(handle);
    expect(received).toEqual(events.map((e) => e.type));
  });

  it('fails the run, instead of breaking it, when onEvent throws', async () => {
    const k = eventsKit();
    const handle = k.engine().run(
      chain,
      {},
      {
        onEvent: (event) => {
          if (event.type === 'step-finish') throw new Error('listener bug');
        },
      },
    );
    const error = await rejectionOf(handle.result());
    expect(error.message).toBe('listener bug');
    expect(handle.snapshot().status).toBe('failed');
  });

  it('ends iteration when the run ends, whether it succeeds, fails or is cancelled', async () => {
    const k = eventsKit();
    k.add(
      'forever',
      (_input, ctx) =>
        new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    );
    const handle = k.engine().run({ steps: [{ id: 'f', target: 'forever', input: {} }] });
    const reading = (async () => {
      const seen: string[] = [];
      for await (const event of handle) {
        seen.push(event.type);
        if (event.type === 'step-start') handle.cancel();
      }
      return seen;
    })();
    expect(await reading).toEqual(['run-start', 'step-start', 'step-cancel', 'run-cancel']);
  });

  it('tells each step still running when another step fails the run that it was cancelled, before the run-error', async () => {
    const k = eventsKit();
    k.add(
      'forever',
      (_input, ctx) =>
        new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    );
    const plan: Plan = {
      steps: [
        { id: 'waits', target: 'forever', input: {} },
        { id: 'quick', target: 'upper', input: { text: 'a' } },
        { id: 'breaks', target: 'fail', input: {}, dependsOn: ['quick'], policy: { retry: { maxAttempts: 1 } } },
      ],
    };
    const { events } = await settle(k.engine().run(plan, {}, { runId: 'r-cut' }));
    expect(sequence(events)).toEqual([
      'run-start',
      'step-start:waits',
      'step-start:quick',
      'step-finish:quick',
      'step-start:breaks',
      'step-error:breaks',
      'step-cancel:waits',
      'run-error',
    ]);
    const cancel = events.find((event) => event.type === 'step-cancel');
    expect(cancel).toMatchObject({ path: ['r-cut', 'waits'], attempt: 1, reason: expect.stringContaining('boom') });
  });

  it('lets a reader that breaks out early stop without affecting the run', async () => {
    const handle = eventsKit().engine().run(chain);
    for await (const event of handle) {
      expect(event.type).toBe('run-start');
      break;
    }
    const result = await handle.result();
    expect(result.status).toBe('succeeded');
  });

  it('with retainEvents false, an iterator sees only events after it starts', async () => {
    const handle = eventsKit().engine().run(chain, {}, { retainEvents: false });
    const seen: string[] = [];
    for await (const event of handle) seen.push(event.type);
    expect(seen).not.toContain('run-start');
    expect(seen.at(-1)).toBe('run-finish');
  });

  it('places loop and nested step events with a path per iteration', async () => {
    const k = eventsKit();
    const plan: Plan = {
      steps: [
        {
          id: 'l',
          loop: {
            steps: [{ id: 'in', target: 'upper', input: { text: 'a' } }],
            until: 'loop.iteration >= 2',
            maxIterations: 3,
          },
        },
      ],
    };
    const { events } = await settle(k.engine().run(plan, {}, { runId: 'r' }));
    expect(events.filter((e) => e.type === 'step-finish').map((e) => e.path)).toEqual([
      ['r', 'l', 'iteration-1', 'in'],
      ['r', 'l', 'iteration-2', 'in'],
      ['r', 'l'],
    ]);
  });
});
