import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../events/run-event.js';
import type { Plan } from '../plan/plan.js';
import { durableKit, eventually, KIT_BACKENDS, type Kit } from './durable-test-kit.js';

let kit: Kit;
afterEach(async () => {
  await kit?.close();
});

const plan: Plan = { steps: [{ id: 'agent', target: 'three-calls', input: { x: { $ref: 'request.x' } } }] };

/**
 * `three-calls` makes three sub-calls of `tool` with a memo between the first two; while `holdAfterSecond` is set it
 * waits after the second until its signal aborts (its engine closing), as a crashed process would stop there.
 */
function register(kit: Kit) {
  const tools: string[] = [];
  const memos: string[] = [];
  const state = { holdAfterSecond: true, secondDone: false };
  kit.registry.register({
    name: 'tool',
    description: 'Counts its calls',
    handler: (input: { n: number }, ctx) => {
      tools.push(`tool:${input.n}:${ctx.idempotencyKey}`);
      ctx.reportUsage({ tokens: 10 });
      return { n: input.n * 10 };
    },
  });
  kit.registry.register({
    name: 'three-calls',
    description: 'Three sub-calls and a memo',
    handler: async (input: { x: number }, ctx) => {
      const first = await ctx.call<{ n: number }>('tool', { n: input.x });
      const thought = await ctx.memo(
        'model-1',
        () => {
          memos.push('model-1');
          return { tokens: 5, plan: 'call again' };
        },
        { usage: (value) => ({ tokens: value.tokens }) },
      );
      const second = await ctx.call<{ n: number }>('tool', { n: first.n });
      state.secondDone = true;
      if (state.holdAfterSecond) {
        await new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
        );
      }
      const third = await ctx.call<{ n: number }>('tool', { n: second.n });
      return { n: third.n, plan: thought.plan };
    },
  });
  return { tools, memos, state };
}

describe.each(KIT_BACKENDS)('durable sub-calls on %s', (backend) => {
  it('journals each sub-call and memo under its step before the step finishes', async () => {
    kit = await durableKit(backend);
    const { state } = register(kit);
    state.holdAfterSecond = false;
    const engine = await kit.engine();
    const run = engine.run(plan, { x: 1 });
    expect((await run.result()).output).toEqual({ agent: { n: 1000, plan: 'call again' } });
    const journal = await kit.stores[0]!.readJournal(run.runId);
    expect(journal.map((e) => `${e.type}:${e.stepKey ?? ''}:${(e.data as { id?: string } | null)?.id ?? ''}`)).toEqual([
      'run-start::',
      // Each sub-call locks the version it reached, before it is made (`agent#call-1` …).
      'version-lock::',
      'sub-call-finish:agent:call-1',
      'sub-call-finish:agent:model-1',
      'version-lock::',
      'sub-call-finish:agent:call-2',
      'version-lock::',
      'sub-call-finish:agent:call-3',
      'step-finish:agent:',
      'run-finish::',
    ]);
    expect(journal.filter((e) => e.type === 'version-lock').map((e) => e.data)).toEqual([
      { versions: { 'agent#call-1': { ref: 'tool', target: 'tool@1.0.0' } } },
      { versions: { 'agent#call-2': { ref: 'tool', target: 'tool@1.0.0' } } },
      { versions: { 'agent#call-3': { ref: 'tool', target: 'tool@1.0.0' } } },
    ]);
    expect(await engine.verifyJournal(run.runId)).toEqual({ ok: true, entries: 10 });
  });

  it('resumes a step cut off after two sub-calls: they and the memo are replayed, the third runs once', async () => {
    kit = await durableKit(backend);
    const { tools, memos, state } = register(kit);
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run(plan, { x: 1 });
    await eventually(() => state.secondDone);
    await first.close();
    expect(tools).toHaveLength(2);

    state.holdAfterSecond = false;
    const events: RunEvent[] = [];
    const second = await kit.engine({ engineId: 'second', onEvent: (e) => events.push(e) });
    await second.start();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'succeeded');
    expect((await kit.stores[0]!.getRun(run.runId))?.output).toEqual({ agent: { n: 1000, plan: 'call again' } });
    const key = `${run.runId}:agent`;
    expect(tools).toEqual([`tool:1:${key}#call-1`, `tool:10:${key}#call-2`, `tool:100:${key}#call-3`]);
    expect(memos).toEqual(['model-1']);
    const mine = events.filter((e) => e.runId === run.runId);
    expect(
      mine.flatMap((e) => (e.type.startsWith('sub-call') && 'callId' in e ? [`${e.type}:${e.callId}`] : [])),
    ).toEqual(['sub-call-finish:call-1', 'sub-call-finish:call-2', 'sub-call-start:call-3', 'sub-call-finish:call-3']);
    expect(mine.filter((e) => e.type === 'sub-call-finish').map((e) => (e as { replayed?: boolean }).replayed)).toEqual(
      [true, true, undefined],
    );
    // Three tool calls of 10 tokens and the memo's 5, each counted once although two lives ran the step.
    const finish = mine.find((e) => e.type === 'run-finish');
    expect(finish?.type === 'run-finish' && finish.usage.tokens).toBe(35);
  });

  it('resumes a step after a failure it kept: the failed call is not made again, its error comes back', async () => {
    kit = await durableKit(backend);
    const calls: string[] = [];
    const state = { hold: true, failedSeen: false };
    kit.registry.register({
      name: 'broken',
      description: 'Always fails',
      handler: () => {
        calls.push('broken');
        throw new Error('the mail server said no');
      },
    });
    kit.registry.register({
      name: 'keeps-failure',
      description: 'Shows a failure to the rest of its work',
      handler: async (_input, ctx) => {
        const seen = await ctx.call('broken', {}, { retry: false, keepFailure: true }).then(
          () => 'sent',
          (error: Error) => `not sent: ${error.message}`,
        );
        state.failedSeen = true;
        if (state.hold) {
          await new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
          );
        }
        return seen;
      },
    });
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run({ steps: [{ id: 'agent', target: 'keeps-failure' }] });
    await eventually(() => state.failedSeen);
    await first.close();
    state.hold = false;
    const second = await kit.engine({ engineId: 'second' });
    await second.start();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'succeeded');
    const output = (await kit.stores[0]!.getRun(run.runId))?.output as { agent: string };
    expect(output.agent).toMatch(/^not sent: .*the mail server said no/);
    expect(calls).toEqual(['broken']);
  });
});

describe.each(KIT_BACKENDS)('durable sub-call outputs on %s', (backend) => {
  it('replays a sub-call and a memo that gave undefined as undefined, not null', async () => {
    kit = await durableKit(backend);
    const seen: string[] = [];
    const state = { hold: true, called: false };
    kit.registry.register({
      name: 'fire-and-forget',
      description: 'Returns nothing',
      handler: () => undefined,
    });
    kit.registry.register({
      name: 'uses-nothing',
      description: 'Calls a tool that returns nothing, then waits',
      handler: async (_input, ctx) => {
        const output = await ctx.call('fire-and-forget', {});
        const memo = await ctx.memo('nothing', () => undefined);
        seen.push(
          `${output === undefined ? 'undefined' : JSON.stringify(output)}/${memo === undefined ? 'undefined' : JSON.stringify(memo)}`,
        );
        state.called = true;
        if (state.hold) {
          await new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
          );
        }
        return { done: true };
      },
    });
    const first = await kit.engine({ engineId: 'first' });
    const run = first.run({ steps: [{ id: 'agent', target: 'uses-nothing' }] });
    await eventually(() => state.called);
    await first.close();
    state.hold = false;
    const second = await kit.engine({ engineId: 'second' });
    await second.start();
    await eventually(async () => (await kit.stores[0]!.getRun(run.runId))?.status === 'succeeded');
    expect(seen).toEqual(['undefined/undefined', 'undefined/undefined']);
    const entries = (await kit.stores[0]!.readJournal(run.runId)).filter((e) => e.type === 'sub-call-finish');
    expect(entries.map((e) => e.data)).toEqual([
      expect.objectContaining({ id: 'call-1', undefined: true }),
      expect.objectContaining({ id: 'nothing', undefined: true }),
    ]);
    expect(entries.every((e) => !('json' in (e.data as object)))).toBe(true);
  });
});
