import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import type { EvidenceBundle } from '../evidence/evidence-bundle.js';
import type { EvidenceOptions, Plan } from '../plan/plan.js';
import type { RunResult } from './run-types.js';
import { delay, kit, ofType, rejectionOf, settle } from './test-kit.js';

/** `answer` returns `answers[call]` (cycling), reporting 10 tokens a call. */
function evidenceKit(answers: unknown[]) {
  const k = kit();
  const paths: (readonly string[])[] = [];
  let calls = 0;
  k.add(
    'answer',
    async (_input, ctx) => {
      const mine = calls++;
      paths.push(ctx.path);
      await delay(2 + mine);
      ctx.reportUsage({ tokens: 10 });
      return answers[mine % answers.length];
    },
    { estimate: () => ({ tokens: 10 }) },
  );
  return { ...k, paths, calls: () => calls };
}

const bundleOf = (result: RunResult) => result.steps.q?.evidence as EvidenceBundle;

const ask = (evidence: EvidenceOptions, extra: Partial<Plan> = {}): Plan => ({
  steps: [{ id: 'q', target: 'answer', input: {}, evidence }],
  ...extra,
});

describe('evidence steps', () => {
  it('runs K replicates and makes the consensus the step output, with the bundle in the result', async () => {
    const { engine, calls } = evidenceKit([{ city: 'Paris' }, { city: 'Paris' }, { city: 'Lyon' }]);
    const result = await engine()
      .run(ask({ k: 3, adaptive: false }))
      .result();
    expect(calls()).toBe(3);
    expect(result.output).toEqual({ q: { city: 'Paris' } });
    const bundle = result.steps.q?.evidence as EvidenceBundle;
    expect(bundle.replicates).toHaveLength(3);
    expect(bundle.clusters[0]).toEqual([0, 1]);
    expect(bundle.consensus?.output).toEqual({ city: 'Paris' });
    expect(bundle.disagreements.map((d) => d.index)).toEqual([2]);
    expect(bundle.confidence).toBeGreaterThan(0.5);
    expect(bundle.confidence).toBeLessThan(1);
    expect(bundle.meta).toMatchObject({ k: 3, ran: 3, earlyStopped: false });
    expect(result.steps.q?.target).toBe('answer@1.0.0');
  });

  it('stops after two replicates that agree', async () => {
    const { engine, calls } = evidenceKit([{ city: 'Paris' }]);
    const result = await engine()
      .run(ask({ k: 5, maxParallel: 2 }))
      .result();
    expect(calls()).toBe(2);
    const bundle = result.steps.q?.evidence as EvidenceBundle;
    expect(bundle.meta).toMatchObject({ k: 5, ran: 2, earlyStopped: true });
    expect(bundle.confidence).toBe(1);
  });

  it('with default options, calls the handler only twice when the first two replicates agree', async () => {
    const { engine, calls } = evidenceKit([{ city: 'Paris' }]);
    const { result, events } = await settle(engine().run(ask({ k: 5 })));
    expect(calls()).toBe(2);
    expect(ofType(events, 'replicate-start')).toHaveLength(2);
    expect(bundleOf(result as RunResult).meta).toMatchObject({ k: 5, ran: 2, earlyStopped: true });
    expect(result?.usage.tokens).toBe(20);
    expect(result?.steps.q?.usage.tokens).toBe(20);
  });

  it('counts the usage of failed replicates in the step, as the run budget does', async () => {
    const k = kit();
    k.add('costly', async (_input, ctx) => {
      ctx.reportUsage({ tokens: 10 });
      if (ctx.path.at(-1) === 'replicate-2') throw new Error('spent, then failed');
      return 'same';
    });
    const plan: Plan = {
      steps: [{ id: 'q', target: 'costly', input: {}, evidence: { k: 3, adaptive: false }, policy: { retry: false } }],
    };
    const result = await k.engine().run(plan).result();
    expect(result.usage.tokens).toBe(30);
    expect(result.steps.q?.usage.tokens).toBe(30);
    expect(result.steps.q?.attempts).toBe(3);
  });

  it('emits replicate-start and replicate-finish per replicate, then bundle-ready, inside the step', async () => {
    const { engine, paths } = evidenceKit(['a', 'b', 'c']);
    const { events } = await settle(engine().run(ask({ k: 3, adaptive: false }), {}, { runId: 'r' }));
    const types = events.map((e) => e.type);
    expect(
      ofType(events, 'replicate-start')
        .map((e) => e.index)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(ofType(events, 'replicate-finish')).toHaveLength(3);
    expect(types.indexOf('step-start')).toBeLessThan(types.indexOf('replicate-start'));
    expect(types.lastIndexOf('replicate-finish')).toBeLessThan(types.indexOf('bundle-ready'));
    expect(types.indexOf('bundle-ready')).toBeLessThan(types.indexOf('step-finish'));
    expect(ofType(events, 'bundle-ready')[0]).toMatchObject({
      stepId: 'q',
      ran: 3,
      earlyStopped: false,
      path: ['r', 'q'],
    });
    const start = ofType(events, 'replicate-start').find((e) => e.index === 1);
    expect(start?.path).toEqual(['r', 'q', 'replicate-2']);
    expect(paths.map((p) => p.at(-1)).sort()).toEqual(['replicate-1', 'replicate-2', 'replicate-3']);
  });

  it('counts every replicate against the budget and in the usage', async () => {
    const { engine } = evidenceKit(['a', 'b', 'c']);
    const result = await engine()
      .run(ask({ k: 3, adaptive: false }, { budget: { tokens: 100 } }))
      .result();
    expect(result.usage.tokens).toBe(30);
    expect(result.steps.q?.usage.tokens).toBe(30);
  });

  it('stops with a BudgetExceededError when a replicate does not fit the budget', async () => {
    const { engine, calls } = evidenceKit(['a', 'b', 'c']);
    const error = await rejectionOf(
      engine()
        .run(ask({ k: 3, adaptive: false, maxParallel: 1 }, { budget: { tokens: 25 } }))
        .result(),
    );
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ budget: 'tokens', phase: 'refused', stepId: 'q' });
    expect(calls()).toBe(2);
  });

  it('retries a replicate that fails and keeps the others', async () => {
    const k = kit();
    let calls = 0;
    k.add('shaky', (_input, ctx) => {
      calls++;
      if (ctx.path.at(-1) === 'replicate-2' && ctx.attempt === 1) throw new Error('transient');
      return 'same';
    });
    const plan: Plan = {
      steps: [
        {
          id: 'q',
          target: 'shaky',
          input: {},
          evidence: { k: 2 },
          policy: { retry: { maxAttempts: 2, initialDelayMs: 1 } },
        },
      ],
    };
    const result = await k.engine().run(plan).result();
    expect(calls).toBe(3);
    expect(result.output).toEqual({ q: 'same' });
    expect(result.steps.q?.attempts).toBe(3);
  });

  it('uses a named distance given to createEngine', async () => {
    const { engine } = evidenceKit([{ n: 1 }, { n: 2 }]);
    const sameParity = (a: unknown, b: unknown) =>
      ((a as { n: number }).n - (b as { n: number }).n) % 2 === 0 ? 0 : 1;
    const strict = await engine()
      .run(ask({ k: 2, distance: 'auto' }))
      .result();
    expect(bundleOf(strict).meta.earlyStopped).toBe(false);
    const lenient = await evidenceKit([{ n: 1 }, { n: 3 }])
      .engine({ distances: { parity: sameParity } })
      .run(ask({ k: 2, distance: 'parity' }))
      .result();
    expect(bundleOf(lenient).clusters).toEqual([[0, 1]]);
  });

  it('lets later steps read the bundle through steps.<id>.evidence', async () => {
    const k = evidenceKit(['x']);
    k.add('echo', (input: unknown) => input);
    const plan: Plan = {
      steps: [
        { id: 'q', target: 'answer', input: {}, evidence: { k: 2 } },
        { id: 'report', target: 'echo', input: { confidence: { $ref: 'steps.q.evidence.confidence' } } },
      ],
    };
    const result = await k.engine().run(plan).result();
    expect(result.output).toEqual({ report: { confidence: 1 } });
  });
});
