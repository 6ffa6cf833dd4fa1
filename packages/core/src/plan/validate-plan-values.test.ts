/** validatePlan on hostile data: prototype-reaching ids and keys, cyclic and very deep values, huge strings. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import { codes, testRegistry } from './__fixtures__/registry.js';
import { compileValue } from './reference.js';
import { compilePlan, validatePlan } from './validate-plan.js';

const registry = testRegistry();
const problemsOf = (plan: unknown) => validatePlan(plan, registry).problems;

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('validatePlan: step ids', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('refuses the reserved id %s', (id) => {
    const plan = JSON.parse(`{"steps":[{"id":"${id}","target":"noop"},{"id":"b","target":"noop"}]}`);
    const problems = problemsOf(plan);
    expect(codes(problems)).toEqual(['steps[0].id reserved-id']);
    expect(problems[0]?.message).toContain(id);
  });

  it('refuses a reserved id inside a loop body too', () => {
    const plan = JSON.parse(
      '{"steps":[{"id":"l","loop":{"steps":[{"id":"constructor","target":"noop"}],"until":"true","maxIterations":2}}]}',
    );
    expect(codes(problemsOf(plan))).toContain('steps[0].loop.steps[0].id reserved-id');
  });

  it('quotes a huge id only in part', () => {
    const id = `a${'x'.repeat(10_000_000)}`;
    const error = (() => {
      try {
        compilePlan({ steps: [{ id, target: 'noop' }] }, registry);
      } catch (caught) {
        return caught;
      }
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    const { problems, message } = error as ValidationError;
    expect(problems[0]?.code).toBe('invalid-id');
    expect(problems[0]?.message.length).toBeLessThan(300);
    expect(message.length).toBeLessThan(400);
  });
});

describe('validatePlan: values that contain themselves or nest too deeply', () => {
  it('reports a cyclic input as a problem at the key that closes the cycle', () => {
    const input: Record<string, unknown> = { a: 1 };
    input.me = input;
    const problems = problemsOf({ steps: [{ id: 'a', target: 'noop', input }] });
    expect(codes(problems)).toEqual(['steps[0].input.me cyclic-value']);
    expect(problems[0]?.message).toContain('steps[0].input');
  });

  it('reports a plan whose loop holds itself', () => {
    const step: Record<string, unknown> = { id: 'l', loop: { until: 'true', maxIterations: 2 } };
    (step.loop as Record<string, unknown>).steps = [step];
    expect(codes(problemsOf({ steps: [step] }))).toEqual(['steps[0].loop.steps[0] cyclic-value']);
  });

  it('accepts the same object used twice (shared, not cyclic)', () => {
    const shared = { text: 'hi' };
    expect(problemsOf({ steps: [{ id: 'a', target: 'noop', input: { x: shared, y: shared } }] })).toEqual([]);
  });

  it('refuses 100 000 nested arrays with a too-deep problem, through compilePlan too', () => {
    const plan = { steps: [{ id: 'a', target: 'noop', input: { x: nested(100_000) } }] };
    const problems = problemsOf(plan);
    expect(problems.map((p) => p.code)).toEqual(['too-deep']);
    expect(problems[0]?.path.startsWith('steps[0].input.x[0][0]')).toBe(true);
    expect(problems[0]?.path.length).toBeLessThanOrEqual(200);
    expect(() => compilePlan(plan, registry)).toThrow(ValidationError);
  });

  it('accepts a value nested just under the limit', () => {
    // The plan, its steps array, the step and its input take 4 of the 1000 levels.
    expect(problemsOf({ steps: [{ id: 'a', target: 'noop', input: { x: nested(996) } }] })).toEqual([]);
    expect(codes(problemsOf({ steps: [{ id: 'a', target: 'noop', input: { x: nested(997) } }] }))).toHaveLength(1);
  });
});

describe('validatePlan: huge values in messages', () => {
  const huge = 'k'.repeat(5_000_000);

  it('cuts a huge unknown step field and its path', () => {
    const problems = problemsOf({ steps: [{ id: 'a', target: 'noop', [huge]: 1 }] });
    expect(problems[0]?.code).toBe('unknown-option');
    expect(problems[0]?.message.length).toBeLessThan(300);
    expect(problems[0]?.path.length).toBeLessThan(300);
  });

  it('cuts a huge reference path, dependsOn entry and trigger', () => {
    const problems = problemsOf({
      steps: [
        {
          id: 'a',
          target: 'noop',
          input: { x: { $ref: `steps.${huge}.output` }, y: { $ref: `${huge}!` } },
          dependsOn: [huge],
          trigger: huge,
        },
      ],
    });
    expect(problems.map((p) => p.code).sort()).toEqual(['enum', 'invalid-reference', 'unknown-step', 'unknown-step']);
    for (const problem of problems) expect(problem.message.length).toBeLessThan(400);
  });

  it('cuts a huge target name, capability and version range', () => {
    const problems = problemsOf({
      steps: [
        { id: 'a', target: huge },
        { id: 'b', target: { capability: huge } },
        { id: 'c', target: { name: 'lookup', version: huge } },
      ],
    });
    expect(problems.map((p) => p.code)).toEqual(['unknown-target', 'unknown-target', 'semver-range']);
    for (const problem of problems) expect(problem.message.length).toBeLessThan(400);
  });

  it('lists at most a few extra keys of a $ref, cut', () => {
    const value = {
      $ref: 'request.a',
      ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${huge}${i}`, 1])),
    };
    const problems: { path: string; code: string; message: string }[] = [];
    compileValue(value, 'input', problems);
    expect(problems[0]?.message).toContain('and 45 more');
    expect(problems[0]?.message.length).toBeLessThan(1200);
  });

  it('keeps a ValidationError message short however many problems it holds', () => {
    const steps = Array.from({ length: 500 }, (_, i) => ({ id: `s${i}`, target: 'nothing-here' }));
    const error = new ValidationError('invalid plan', problemsOf({ steps }));
    expect(error.problems).toHaveLength(500);
    expect(error.message).toContain('and 480 more');
    expect(error.message.length).toBeLessThan(20 * 420);
  });
});
