import { describe, expect, it } from 'vitest';
import { codes, testRegistry } from './__fixtures__/registry.js';
import { validatePlan } from './validate-plan.js';

const registry = testRegistry();
const problemsOf = (plan: unknown) => validatePlan(plan, registry).problems;
const lookupStep = { id: 'l', target: 'lookup', input: { id: 'c1' } };
const scoreStep = { id: 's', target: 'score', input: { text: 't' } };

describe('references to steps', () => {
  it('reports an unknown step and lists the known ones', () => {
    const problems = problemsOf({
      steps: [lookupStep, { id: 'n', target: 'noop', input: { v: { $ref: 'steps.lokup.output.name' } } }],
    });
    expect(problems).toEqual([
      {
        path: 'steps[1].input.v',
        code: 'unknown-step',
        message: '"steps.lokup.output.name" refers to unknown step "lokup" (known steps: l, n)',
      },
    ]);
  });

  it('reports a field missing from a zod output schema, with the fields it has', () => {
    const problems = problemsOf({
      steps: [lookupStep, { id: 'n', target: 'noop', input: { v: '{{steps.l.output.items[0].cost}}' } }],
    });
    expect(problems).toEqual([
      {
        path: 'steps[1].input.v',
        code: 'unknown-field',
        message:
          '"steps.l.output.items[0].cost": the output schema of step "l" has no field at steps.l.output.items[0].cost (it has: id, price)',
      },
    ]);
  });

  it('reports a field missing from a JSON Schema output schema', () => {
    const plan = { steps: [scoreStep, { id: 'n', target: 'noop', when: 'steps.s.output.score > 1' }] };
    expect(problemsOf(plan)).toEqual([
      {
        path: 'steps[1].when',
        code: 'unknown-field',
        message:
          '"steps.s.output.score": the output schema of step "s" has no field at steps.s.output.score (it has: value, label, flags)',
      },
    ]);
  });

  it('accepts any field of a step whose target declares no output schema', () => {
    const plan = {
      steps: [
        { id: 'x', target: 'noop' },
        { id: 'y', target: 'noop', input: { v: { $ref: 'steps.x.output.a[3].b' } } },
      ],
    };
    expect(problemsOf(plan)).toEqual([]);
  });

  it('needs .output (or .evidence) after the step id, and evidence options for .evidence', () => {
    const plan = {
      steps: [
        lookupStep,
        { id: 'e', target: 'noop', evidence: { k: 3 } },
        {
          id: 'n',
          target: 'noop',
          input: {
            a: { $ref: 'steps.l' },
            b: { $ref: 'steps.l.result' },
            c: { $ref: 'steps.l.evidence' },
            d: { $ref: 'steps.e.evidence.confidence' },
          },
        },
      ],
    };
    expect(codes(problemsOf(plan))).toEqual([
      'steps[2].input.a invalid-reference',
      'steps[2].input.b invalid-reference',
      'steps[2].input.c invalid-reference',
    ]);
  });

  it('refuses roots other than request, steps and loop', () => {
    const plan = {
      steps: [{ id: 'n', target: 'noop', input: { a: { $ref: 'env.SECRET' }, b: { $ref: 'request.anything.at[0]' } } }],
    };
    expect(codes(problemsOf(plan))).toEqual(['steps[0].input.a invalid-reference']);
  });

  it('reports references inside arrays with a well-formed path', () => {
    const plan = { steps: [{ id: 'n', target: 'noop', input: [{ $ref: 'steps.zz.output' }, 'x'] }] };
    expect(codes(problemsOf(plan))).toEqual(['steps[0].input[0] unknown-step']);
  });
});

describe('cycles', () => {
  it('names the steps of a cycle made of references and dependsOn', () => {
    const plan = {
      steps: [
        { id: 'a', target: 'noop', input: { x: { $ref: 'steps.c.output' } } },
        { id: 'b', target: 'noop', dependsOn: ['a'] },
        { id: 'c', target: 'noop', when: 'steps.b.output.ok == true' },
        { id: 'd', target: 'noop', dependsOn: ['c'] },
      ],
    };
    expect(problemsOf(plan)).toEqual([
      {
        path: 'steps[0]',
        code: 'cycle',
        message:
          'steps "a", "b", "c" wait for each other in a cycle; repeat work with a loop step and maxIterations instead',
      },
      { path: 'steps[3]', code: 'never-runs', message: 'step "d" can never run: it depends on a cycle' },
    ]);
  });

  it('refuses a step that reads its own output or depends on itself', () => {
    const plan = {
      steps: [
        { id: 'a', target: 'noop', input: { x: '{{steps.a.output.v}}' } },
        { id: 'b', target: 'noop', dependsOn: ['b'] },
        { id: 'c', target: 'noop', when: 'steps.c.output.done == false' },
      ],
    };
    const problems = problemsOf(plan);
    expect(codes(problems)).toEqual(['steps[0].input.x cycle', 'steps[1].dependsOn cycle', 'steps[2].when cycle']);
    expect(problems[0]?.message).toBe(
      '"steps.a.output.v": a step cannot read its own output; use a loop to repeat work',
    );
    expect(problems[1]?.message).toBe('step "b" depends on itself');
  });
});

describe('duplicate ids and never-runs', () => {
  it('reports duplicate ids, also across loop bodies', () => {
    const plan = {
      steps: [
        { id: 'a', target: 'noop' },
        {
          id: 'loop1',
          loop: {
            steps: [
              { id: 'a', target: 'noop' },
              { id: 'b', target: 'noop' },
            ],
            until: 'true',
            maxIterations: 2,
          },
        },
        { id: 'b', target: 'noop' },
      ],
    };
    expect(problemsOf(plan)).toEqual([
      { path: 'steps[1].loop.steps[0].id', code: 'duplicate-id', message: 'step id "a" is already used at steps[0]' },
      { path: 'steps[2].id', code: 'duplicate-id', message: 'step id "b" is already used at steps[1].loop.steps[1]' },
    ]);
  });

  it('reports a constant-false when and propagates it; trigger any survives one live dependency', () => {
    const plan = {
      steps: [
        { id: 'off', target: 'noop', when: '1 > 2' },
        { id: 'on', target: 'noop', when: 'request.data.go == true' },
        { id: 'all', target: 'noop', dependsOn: ['off', 'on'] },
        { id: 'any', target: 'noop', dependsOn: ['off', 'on'], trigger: 'any' },
        { id: 'anyDead', target: 'noop', dependsOn: ['off', 'all'], trigger: 'any' },
      ],
    };
    expect(problemsOf(plan)).toEqual([
      {
        path: 'steps[0]',
        code: 'never-runs',
        message: 'step "off" can never run: its "when" condition is always false',
      },
      {
        path: 'steps[2]',
        code: 'never-runs',
        message: 'step "all" can never run: it needs "off", which can never run',
      },
      {
        path: 'steps[4]',
        code: 'never-runs',
        message: 'step "anyDead" can never run: it needs "off", "all", which can never run',
      },
    ]);
  });

  it('does not treat a constant-true condition as a problem', () => {
    expect(problemsOf({ steps: [{ id: 'a', target: 'noop', when: "'a' in ['a', 'b']" }] })).toEqual([]);
  });
});
