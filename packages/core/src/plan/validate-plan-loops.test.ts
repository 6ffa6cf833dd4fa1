import { describe, expect, it } from 'vitest';
import { codes, testRegistry } from './__fixtures__/registry.js';
import type { PlanStep } from './plan.js';
import { validatePlan } from './validate-plan.js';

const registry = testRegistry();
const problemsOf = (plan: unknown) => validatePlan(plan, registry).problems;

function refine(extra: Partial<PlanStep['loop']> = {}, body?: PlanStep[]): PlanStep {
  return {
    id: 'refine',
    loop: {
      steps: body ?? [
        {
          id: 'draft',
          target: 'writer',
          input: { text: '{{steps.brief.output.text}} {{loop.previous.steps.review.output.label}}' },
        },
        { id: 'review', target: 'score', input: { text: { $ref: 'steps.draft.output.text' } } },
      ],
      until: 'steps.review.output.value > 0.8 || loop.iteration >= 3',
      maxIterations: 5,
      ...extra,
    },
  };
}
const brief = { id: 'brief', target: 'writer', input: { text: 'start' } };

describe('valid loops', () => {
  it('compiles a loop whose body reads outer steps, loop.iteration and loop.previous', () => {
    const result = validatePlan(
      {
        steps: [
          brief,
          refine(),
          {
            id: 'publish',
            target: 'writer',
            input: {
              text: { $ref: 'steps.refine.output.last.draft.text' },
              count: { $ref: 'steps.refine.output.iterations' },
            },
          },
          { id: 'audit', target: 'noop', when: 'steps.refine.output.exhausted == true' },
        ],
      },
      registry,
    );
    expect(result.problems).toEqual([]);
    const graph = result.plan?.graph;
    const loop = graph?.byId.get('refine');
    expect(loop?.deps).toEqual([0]);
    expect(loop?.loop?.maxIterations).toBe(5);
    expect(loop?.loop?.onExhausted).toBe('continue');
    expect(loop?.loop?.body.parallelGroups).toEqual([['draft'], ['review']]);
    expect(loop?.loop?.body.byId.get('draft')?.deps).toEqual([]);
    expect(result.parallelGroups).toEqual([['brief'], ['refine'], ['publish', 'audit']]);
  });

  it('makes the loop step depend on every outer step its body or until condition reads', () => {
    const result = validatePlan(
      {
        steps: [
          { id: 'a', target: 'noop' },
          { id: 'b', target: 'noop' },
          {
            id: 'again',
            loop: {
              steps: [{ id: 'inner', target: 'noop', when: 'steps.a.output.go == true' }],
              until: 'steps.b.output.stop == true || steps.inner.output.done == true',
              maxIterations: 2,
              onExhausted: 'fail',
            },
          },
        ],
      },
      registry,
    );
    expect(result.problems).toEqual([]);
    expect(result.plan?.graph.byId.get('again')?.deps).toEqual([0, 1]);
    expect(result.plan?.graph.byId.get('again')?.loop?.onExhausted).toBe('fail');
  });

  it('supports a loop nested in a loop', () => {
    const inner: PlanStep = {
      id: 'inner',
      loop: {
        steps: [{ id: 'leaf', target: 'noop', input: { n: { $ref: 'steps.brief.output.text' } } }],
        until: 'true',
        maxIterations: 2,
      },
    };
    const outer: PlanStep = {
      id: 'outer',
      loop: {
        steps: [inner, { id: 'after', target: 'noop', input: { v: { $ref: 'steps.inner.output.last.leaf' } } }],
        until: 'loop.iteration > 1',
        maxIterations: 3,
      },
    };
    const result = validatePlan({ steps: [brief, outer] }, registry);
    expect(result.problems).toEqual([]);
    expect(result.plan?.graph.byId.get('outer')?.deps).toEqual([0]);
  });
});

describe('loop mistakes', () => {
  it('requires a bounded maxIterations and an until condition', () => {
    const plan = (loop: Record<string, unknown>) => ({
      steps: [{ id: 'l', loop: { steps: [{ id: 'b', target: 'noop' }], ...loop } }],
    });
    expect(codes(problemsOf(plan({ until: 'true' })))).toEqual(['steps[0].loop.maxIterations required']);
    expect(codes(problemsOf(plan({ until: 'true', maxIterations: 0 })))).toEqual(['steps[0].loop.maxIterations range']);
    expect(codes(problemsOf(plan({ until: 'true', maxIterations: 1e9 })))).toEqual([
      'steps[0].loop.maxIterations range',
    ]);
    expect(codes(problemsOf(plan({ until: 'true', maxIterations: 2.5 })))).toEqual([
      'steps[0].loop.maxIterations range',
    ]);
    expect(codes(problemsOf(plan({ maxIterations: 2 })))).toEqual(['steps[0].loop.until required']);
    expect(codes(problemsOf(plan({ maxIterations: 2, until: 7 })))).toEqual(['steps[0].loop.until type']);
    expect(codes(problemsOf(plan({ maxIterations: 2, until: 'loop.iteration >' })))).toEqual([
      'steps[0].loop.until invalid-expression',
    ]);
    expect(codes(problemsOf(plan({ maxIterations: 2, until: 'true', onExhausted: 'retry', every: 1 })))).toEqual([
      'steps[0].loop.every unknown-option',
      'steps[0].loop.onExhausted enum',
    ]);
    expect(codes(problemsOf({ steps: [{ id: 'l', loop: { steps: [], until: 'true', maxIterations: 1 } }] }))).toEqual([
      'steps[0].loop.steps required',
    ]);
    expect(codes(problemsOf({ steps: [{ id: 'l', loop: 'forever' }] }))).toEqual(['steps[0].loop type']);
  });

  it('refuses loop.* outside a loop and malformed loop.* inside one', () => {
    const plan = {
      steps: [
        { id: 'top', target: 'noop', when: 'loop.iteration > 1' },
        refine({}, [
          {
            id: 'draft',
            target: 'noop',
            input: { a: { $ref: 'loop.count' }, b: { $ref: 'loop.previous.steps.brief.output' } },
          },
        ]),
      ],
    };
    const problems = problemsOf(plan);
    expect(codes(problems)).toEqual([
      'steps[0].when invalid-reference',
      'steps[1].loop.steps[0].input.a invalid-reference',
      'steps[1].loop.steps[0].input.b invalid-reference',
      'steps[1].loop.until unknown-step',
    ]);
    expect(problems[0]?.message).toBe('"loop.iteration": loop.* is only available inside a loop\'s steps');
    expect(problems[2]?.message).toBe(
      '"loop.previous.steps.brief.output": use loop.previous.steps.<id of a step in this loop>.output',
    );
  });

  it('tells a step outside the loop how to read a step inside its body', () => {
    const plan = {
      steps: [brief, refine(), { id: 'use', target: 'noop', input: { t: { $ref: 'steps.draft.output.text' } } }],
    };
    expect(problemsOf(plan)).toEqual([
      {
        path: 'steps[2].input.t',
        code: 'unknown-step',
        message:
          '"steps.draft.output.text" refers to unknown step "draft": it is inside the body of loop "refine" (steps[1].loop.steps[0]); outside the loop, read steps.refine.output.last.draft',
      },
    ]);
  });

  it('checks references to a loop result against its body', () => {
    const plan = {
      steps: [
        brief,
        refine(),
        {
          id: 'a',
          target: 'noop',
          input: { x: { $ref: 'steps.refine.output.last.nope' }, y: { $ref: 'steps.refine.output.last.review.score' } },
        },
        { id: 'b', target: 'noop', input: { z: { $ref: 'steps.refine.output.count' } } },
        { id: 'c', target: 'score', input: { text: { $ref: 'steps.refine.output.iterations' } } },
      ],
    };
    expect(codes(problemsOf(plan))).toEqual([
      'steps[2].input.x unknown-field',
      'steps[2].input.y unknown-field',
      'steps[3].input.z unknown-field',
      'steps[4].input.text type-mismatch',
    ]);
  });

  it('knows loop.iteration is an integer', () => {
    const body: PlanStep[] = [
      { id: 'draft', target: 'writer', input: { text: { $ref: 'loop.iteration' } } },
      { id: 'review', target: 'writer', input: { text: 'x', count: { $ref: 'loop.iteration' } } },
    ];
    expect(codes(problemsOf({ steps: [refine({ until: 'loop.iteration > 2' }, body)] }))).toEqual([
      'steps[0].loop.steps[0].input.text type-mismatch',
    ]);
  });

  it('checks body inputs and references like any other step', () => {
    const plan = {
      steps: [
        refine({}, [
          { id: 'draft', target: 'writer', input: { text: 3 } },
          { id: 'review', target: 'score', input: { text: { $ref: 'steps.draft.output.txt' } } },
          { id: 'x', target: 'ghost' },
        ]),
      ],
    };
    expect(codes(problemsOf(plan))).toEqual([
      'steps[0].loop.steps[0].input.text invalid_type',
      'steps[0].loop.steps[1].input.text unknown-field',
      'steps[0].loop.steps[2].target unknown-target',
    ]);
  });
});
