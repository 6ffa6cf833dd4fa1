import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import { codes, testRegistry } from './__fixtures__/registry.js';
import type { Plan } from './plan.js';
import { compilePlan, validatePlan } from './validate-plan.js';

const registry = testRegistry();
const problemsOf = (plan: unknown) => validatePlan(plan, registry).problems;
const messageAt = (plan: unknown, path: string) => problemsOf(plan).find((p) => p.path === path)?.message;

describe('validatePlan: every problem in one call', () => {
  it('reports all mistakes of a plan with many of them', () => {
    const plan = {
      steps: [
        { id: 'a', target: 'lookpu', input: {} },
        { id: 'b', target: 'lookup', input: { id: 42 } },
        { id: 'c', target: 'score', input: { weight: { $ref: 'steps.ghost.output.x' } } },
        { id: 'd', target: 'writer', input: { text: '{{steps.b.output.nmae}}' } },
        { id: 'b', target: 'noop' },
        { id: 'e', target: 'noop', dependsOn: ['f'] },
        { id: 'f', target: 'noop', dependsOn: ['e'] },
        { id: 'g', target: 'noop', when: 'steps.b.output.age >', dependsOn: ['nobody'] },
        { id: 'h', target: 'noop', when: 'false' },
        { id: 'i', target: 'noop', dependsOn: ['h'] },
        { id: 'j', loop: { steps: [{ id: 'k', target: 'noop' }], until: 'loop.iteration > 2' } },
        { id: 'l', target: 'noop', input: { x: { $ref: 'loop.iteration' } }, policy: { retries: 3, timeoutMs: -1 } },
      ],
    };
    expect(codes(problemsOf(plan))).toEqual([
      'steps[4].id duplicate-id',
      'steps[0].target unknown-target',
      'steps[1].input.id invalid_type',
      'steps[2].input.weight unknown-step',
      'steps[2].input.text required',
      'steps[3].input.text unknown-field',
      'steps[7].when invalid-expression',
      'steps[7].dependsOn unknown-step',
      'steps[10].loop.maxIterations required',
      'steps[11].input.x invalid-reference',
      'steps[11].policy.retries unknown-option',
      'steps[11].policy.timeoutMs range',
      'steps[5] cycle',
      'steps[8] never-runs',
      'steps[9] never-runs',
    ]);
  });

  it('refuses a plan that is not an object or has no steps', () => {
    expect(codes(problemsOf(null))).toEqual([' type']);
    expect(codes(problemsOf([]))).toEqual([' type']);
    expect(codes(problemsOf({}))).toEqual(['steps required']);
    expect(codes(problemsOf({ steps: [] }))).toEqual(['steps required']);
  });

  it('reports malformed steps without throwing, and still checks the others', () => {
    const plan = {
      steps: [
        null,
        { id: '9bad', target: 'noop' },
        { id: 'ok', target: 'nope' },
        { id: 'x', target: null },
        { id: 'y', target: {} },
        { id: 'z', target: 'noop', dependsOn: 5, trigger: 'some', dependOn: ['ok'] },
        { id: 'w' },
        { id: 'v', target: 'noop', loop: { steps: [{ id: 'u', target: 'noop' }], until: 'true', maxIterations: 1 } },
      ],
    };
    expect(codes(problemsOf(plan))).toEqual([
      'steps[1].id invalid-id',
      'steps[0] type',
      'steps[2].target unknown-target',
      'steps[3].target type',
      'steps[4].target required',
      'steps[5].dependOn unknown-option',
      'steps[5].dependsOn type',
      'steps[5].trigger enum',
      'steps[6].target required',
      'steps[7].loop conflict',
    ]);
  });

  it('refuses a plan field it does not know (a misspelled budget is not run without its limit)', () => {
    const problems = problemsOf({ steps: [{ id: 'a', target: 'noop' }], budjet: { timeMs: 10 }, outputs: 1 });
    expect(codes(problems)).toEqual(['budjet unknown-option', 'outputs unknown-option']);
    expect(problems[0]?.message).toBe('unknown plan field "budjet" (known: steps, output, budget)');
  });

  it('compilePlan throws a ValidationError carrying every problem', () => {
    try {
      compilePlan(
        {
          steps: [
            { id: 'a', target: 'x' },
            { id: 'a', target: 'y' },
          ],
        },
        registry,
      );
      expect.unreachable();
    } catch (error) {
      expect(ValidationError.isInstance(error)).toBe(true);
      expect(codes((error as ValidationError).problems)).toEqual([
        'steps[1].id duplicate-id',
        'steps[0].target unknown-target',
        // The step whose id is taken is still checked: every problem at once.
        'steps[1].target unknown-target',
      ]);
      expect((error as ValidationError).message).toMatch(
        /^invalid plan: steps\[1\]\.id: step id "a" is already used at steps\[0\]/,
      );
    }
  });
});

describe('targets', () => {
  it('lists the registered names for an unknown target', () => {
    expect(messageAt({ steps: [{ id: 'a', target: 'lookpu' }] }, 'steps[0].target')).toBe(
      'no registered target matches lookpu (registered: lookup, noop, score, writer)',
    );
  });

  it('accepts name, name@range and capability targets, and checks ranges and fallbacks', () => {
    expect(
      problemsOf({
        steps: [
          { id: 'a', target: 'score@^2', input: { text: 't' } },
          { id: 'b', target: { capability: 'customer' }, input: { id: 'x' } },
        ],
      }),
    ).toEqual([]);
    expect(codes(problemsOf({ steps: [{ id: 'a', target: 'score@^3', input: {} }] }))).toEqual([
      'steps[0].target unknown-target',
    ]);
    expect(codes(problemsOf({ steps: [{ id: 'a', target: 'score@garbage', input: {} }] }))).toEqual([
      'steps[0].target semver-range',
    ]);
    expect(codes(problemsOf({ steps: [{ id: 'a', target: 'noop', policy: { fallback: ['noop', 'gone'] } }] }))).toEqual(
      ['steps[0].policy.fallback[1] unknown-target'],
    );
  });
});

describe('inputs against the target input schema', () => {
  it('reports missing required fields and literals of the wrong type (zod and JSON Schema)', () => {
    const plan = {
      steps: [
        { id: 'a', target: 'lookup', input: {} },
        { id: 'b', target: 'lookup' },
        { id: 'c', target: 'score', input: { text: 5, weight: 'heavy', extra: 1 } },
        { id: 'd', target: 'writer', input: { text: { $literal: 7 } } },
      ],
    };
    expect(codes(problemsOf(plan))).toEqual([
      'steps[0].input.id invalid_type',
      'steps[1].input.id invalid_type',
      'steps[2].input.extra additionalProperties',
      'steps[2].input.text type',
      'steps[2].input.weight type',
      'steps[3].input.text invalid_type',
    ]);
  });

  it('reports a reference whose declared type does not fit (type-mismatch)', () => {
    const plan = {
      steps: [
        { id: 'l', target: 'lookup', input: { id: 'c1' } },
        { id: 's', target: 'score', input: { text: { $ref: 'steps.l.output.age' }, weight: '{{steps.l.output.age}}' } },
        { id: 'w', target: 'writer', input: { text: 'x', count: 'n={{steps.l.output.age}} {{steps.l.output.name}}' } },
        { id: 'v', target: 'writer', input: { text: { $ref: 'steps.l.output.nick' } } },
        { id: 'u', target: 'writer', input: { text: '{{steps.l.output.age}}' } },
      ],
    };
    const problems = problemsOf(plan);
    expect(codes(problems)).toEqual([
      'steps[1].input.text type-mismatch',
      'steps[2].input.count type-mismatch',
      'steps[4].input.text type-mismatch',
    ]);
    expect(problems[0]?.message).toBe('expects string but steps.l.output.age is number');
    expect(problems[1]?.message).toBe('expects number but a template string using steps.l.output.age is string');
    expect(problems[2]?.message).toBe(
      'expects string but steps.l.output.age is number; a string that is only "{{steps.l.output.age}}" passes the value itself — write it with other text around it to pass it as text',
    );
  });

  it('accepts references of a fitting type, whole templates that keep the type, and unknown types', () => {
    const plan = {
      steps: [
        { id: 'l', target: 'lookup', input: { id: { $ref: 'request.data.id' } } },
        {
          id: 's',
          target: 'score',
          input: { text: 'Dear {{steps.l.output.name}}', weight: '{{steps.l.output.items[0].price}}' },
        },
        {
          id: 'w',
          target: 'writer',
          input: { text: { $ref: 'steps.l.output.tier' }, count: { $ref: 'steps.s.output.value' } },
        },
        { id: 'n', target: 'writer', input: { text: { $ref: 'steps.x.output', default: '' } }, dependsOn: [] },
        { id: 'x', target: 'noop' },
      ],
    };
    expect(problemsOf(plan)).toEqual([]);
  });

  it('reports a nullable reference into a non-null field, unless it has a default', () => {
    const plan = (ref: object) => ({
      steps: [
        { id: 'l', target: 'lookup', input: { id: 'c1' } },
        { id: 's', target: 'score', input: { text: 'x', weight: ref } },
      ],
    });
    expect(codes(problemsOf(plan({ $ref: 'steps.l.output.nick' })))).toEqual(['steps[1].input.weight type-mismatch']);
    expect(problemsOf(plan({ $ref: 'steps.l.output.age', default: 0 }))).toEqual([]);
  });
});

describe('options', () => {
  it('checks policy, budget and evidence options', () => {
    const plan = {
      budget: { tokens: -1, dollars: 2 },
      steps: [
        {
          id: 'a',
          target: 'noop',
          policy: {
            retry: { maxAttempts: 0, jitter: 'some', backoffFactor: 0.5, nonRetryable: 'x' },
            breaker: { threshold: 1.5, halfOpenAfterMs: -1, size: 2 },
            idempotencyKey: 5,
          },
          budget: { costUsd: 'cheap', warnAt: 2, timeMs: 0 },
          evidence: { epsilon: 2, maxParallel: 0, distance: 'cosine', extra: true },
        },
        { id: 'b', target: 'noop', policy: 'fast', budget: [], evidence: 3 },
      ],
    };
    expect(codes(problemsOf(plan))).toEqual([
      'steps[0].policy.retry.maxAttempts range',
      'steps[0].policy.retry.backoffFactor range',
      'steps[0].policy.retry.jitter enum',
      'steps[0].policy.retry.nonRetryable type',
      'steps[0].policy.breaker.size unknown-option',
      'steps[0].policy.breaker.threshold range',
      'steps[0].policy.breaker.halfOpenAfterMs range',
      'steps[0].policy.idempotencyKey type',
      'steps[0].budget.costUsd range',
      'steps[0].budget.timeMs range',
      'steps[0].budget.warnAt range',
      'steps[0].evidence.extra unknown-option',
      'steps[0].evidence.k required',
      'steps[0].evidence.epsilon range',
      'steps[0].evidence.maxParallel range',
      'steps[0].evidence.distance enum',
      'steps[1].policy type',
      'steps[1].budget type',
      'steps[1].evidence type',
      'budget.dollars unknown-option',
      'budget.tokens range',
    ]);
    expect(messageAt(plan, 'steps[0].policy.retry.maxAttempts')).toBe('must be an integer from 1 to 100, got 0');
    expect(messageAt(plan, 'budget.dollars')).toBe('unknown option "dollars" (known: tokens, costUsd, timeMs, warnAt)');
  });

  it('accepts custom evidence distances passed as options', () => {
    const plan = { steps: [{ id: 'a', target: 'noop', evidence: { k: 3, distance: 'cosine' } }] };
    expect(validatePlan(plan, registry, { distances: ['cosine'] }).valid).toBe(true);
    expect(validatePlan(plan, registry).valid).toBe(false);
  });

  it('reports a constant condition that is not a boolean', () => {
    expect(codes(problemsOf({ steps: [{ id: 'a', target: 'noop', when: '1 + 1' }] }))).toEqual([
      'steps[0].when invalid-expression',
    ]);
    expect(codes(problemsOf({ steps: [{ id: 'a', target: 'noop', when: 5 }] }))).toEqual(['steps[0].when type']);
  });
});

describe('valid plans', () => {
  const valid = (plan: Plan) => {
    const result = validatePlan(plan, registry);
    if (!result.valid) throw new Error(JSON.stringify(result.problems));
    return result;
  };

  it('derives parallel groups for a diamond and its sinks', () => {
    const result = valid({
      steps: [
        { id: 'top', target: 'noop' },
        { id: 'left', target: 'noop', input: { v: { $ref: 'steps.top.output' } } },
        { id: 'right', target: 'noop', dependsOn: ['top'] },
        { id: 'join', target: 'noop', input: { a: '{{steps.left.output.x}}', b: { $ref: 'steps.right.output' } } },
      ],
    });
    expect(result.parallelGroups).toEqual([['top'], ['left', 'right'], ['join']]);
    expect(result.plan.graph.sinks).toEqual(['join']);
    expect(result.plan.graph.byId.get('join')?.deps).toEqual([1, 2]);
    expect(result.plan.graph.byId.get('top')?.dependents).toEqual([1, 2]);
  });

  it('derives groups for a fan-out and join and a layered DAG', () => {
    const fan = Array.from({ length: 5 }, (_, i) => ({ id: `w${i}`, target: 'noop', dependsOn: ['start'] }));
    const fanOut = valid({
      steps: [{ id: 'start', target: 'noop' }, ...fan, { id: 'end', target: 'noop', dependsOn: fan.map((s) => s.id) }],
    });
    expect(fanOut.parallelGroups).toEqual([['start'], ['w0', 'w1', 'w2', 'w3', 'w4'], ['end']]);
    const layered = valid({
      steps: [
        { id: 'c', target: 'noop', dependsOn: ['b'] },
        { id: 'a', target: 'noop' },
        { id: 'b', target: 'noop', dependsOn: ['a'] },
        { id: 'x', target: 'noop' },
        { id: 'y', target: 'noop', dependsOn: ['a', 'c'] },
      ],
    });
    expect(layered.parallelGroups).toEqual([['a', 'x'], ['b'], ['c'], ['y']]);
    expect(layered.plan.graph.sinks).toEqual(['x', 'y']);
  });

  it('collects dependencies from references, dependsOn, when and idempotency key templates', () => {
    const result = valid({
      steps: [
        { id: 'a', target: 'noop' },
        { id: 'b', target: 'noop' },
        { id: 'c', target: 'noop' },
        { id: 'd', target: 'noop' },
        {
          id: 'e',
          target: 'noop',
          input: { x: { $ref: 'steps.a.output' } },
          dependsOn: ['b'],
          when: "steps.c.output.ok == true || request.data.force == 'yes'",
          policy: { idempotencyKey: 'key-{{steps.d.output.id}}-{{request.data.order}}' },
        },
      ],
    });
    expect(result.plan.graph.byId.get('e')?.deps).toEqual([0, 1, 2, 3]);
    expect(result.parallelGroups).toEqual([['a', 'b', 'c', 'd'], ['e']]);
  });

  it('validates plan.output references', () => {
    expect(
      valid({ steps: [{ id: 'a', target: 'noop' }], output: { r: { $ref: 'steps.a.output' } } }).plan.output?.refs,
    ).toHaveLength(1);
    expect(codes(problemsOf({ steps: [{ id: 'a', target: 'noop' }], output: { $ref: 'steps.b.output' } }))).toEqual([
      'output unknown-step',
    ]);
  });
});
