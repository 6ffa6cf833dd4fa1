/**
 * Runs over hostile user data: `__proto__` keys stay ordinary data on every path into and out of a handler; cyclic
 * and very deep values are ValidationErrors, never a stack overflow; huge values are cut in messages.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import type { Plan } from '../plan/plan.js';
import { kit, rejectionOf } from './test-kit.js';

/** `echo` returns its input and remembers it. */
function echoKit() {
  const k = kit();
  const seen: Record<string, unknown>[] = [];
  k.add('echo', (input: Record<string, unknown>) => {
    seen.push(input);
    return input;
  });
  return { ...k, seen };
}

const POISON = '{"__proto__":{"polluted":true},"kept":1}';

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** An own `__proto__` key holding `{ polluted: true }`, and an unchanged prototype. */
function expectOwnProtoKey(value: unknown): void {
  const object = value as Record<string, unknown>;
  expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
  expect(object.polluted).toBeUndefined();
  expect(Object.hasOwn(object, '__proto__')).toBe(true);
  expect(Object.getOwnPropertyDescriptor(object, '__proto__')?.value).toEqual({ polluted: true });
}

describe('engine: __proto__ keys are data', () => {
  it('keeps __proto__ as a key of an input that also holds references', async () => {
    const { engine, seen } = echoKit();
    const plan = JSON.parse(
      '{"steps":[{"id":"a","target":"echo","input":{"__proto__":{"polluted":true},"x":{"$ref":"request.data.x"}}}]}',
    ) as Plan;
    const result = await engine()
      .run(plan, { data: { x: 7 } })
      .result();
    expectOwnProtoKey(seen[0]);
    expect(seen[0]?.x).toBe(7);
    expectOwnProtoKey((result.output as Record<string, unknown>).a);
  });

  it('keeps __proto__ as a key of a constant input, a $literal and nested objects', async () => {
    const { engine, seen } = echoKit();
    const plan = JSON.parse(
      `{"steps":[{"id":"a","target":"echo","input":{"c":${POISON},"l":{"$literal":${POISON}},"r":{"deep":${POISON},"x":{"$ref":"request.data.x"}}}}]}`,
    ) as Plan;
    await engine()
      .run(plan, { data: { x: 1 } })
      .result();
    const input = seen[0] as Record<string, Record<string, unknown>>;
    expectOwnProtoKey(input.c);
    expectOwnProtoKey(input.l);
    expectOwnProtoKey(input.r?.deep);
  });

  it('passes request data and earlier outputs holding __proto__ through references and templates', async () => {
    const { engine, seen } = echoKit();
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'echo', input: { data: { $ref: 'request.data' } } },
        {
          id: 'b',
          target: 'echo',
          input: { again: { $ref: 'steps.a.output.data' }, text: 'got {{steps.a.output.data}}' },
        },
      ],
    };
    const result = await engine()
      .run(plan, { data: JSON.parse(POISON) })
      .result();
    expectOwnProtoKey(seen[0]?.data);
    expectOwnProtoKey(seen[1]?.again);
    expect(seen[1]?.text).toBe(`got ${POISON}`);
    expectOwnProtoKey((result.output as { b: { again: unknown } }).b.again);
  });

  it("keeps __proto__ as a key of the plan's output and of loop outputs", async () => {
    const { engine } = echoKit();
    const plan = JSON.parse(
      `{"steps":[{"id":"l","loop":{"steps":[{"id":"body","target":"echo","input":{"v":{"$ref":"loop.iteration"},"p":${POISON}}}],"until":"loop.iteration >= 2","maxIterations":3}}],
        "output":{"__proto__":{"polluted":true},"last":{"$ref":"steps.l.output.last.body.p"}}}`,
    ) as Plan;
    const result = await engine().run(plan).result();
    expectOwnProtoKey(result.output);
    expectOwnProtoKey((result.output as { last: unknown }).last);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %s as a step id before running anything', (id) => {
    const { engine, seen } = echoKit();
    const plan = JSON.parse(`{"steps":[{"id":"${id}","target":"echo","input":{"x":1}}]}`) as Plan;
    const error = (() => {
      try {
        engine().run(plan);
      } catch (caught) {
        return caught;
      }
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).problems.map((p) => p.code)).toEqual(['reserved-id']);
    expect(seen).toHaveLength(0);
  });
});

describe('engine: cyclic and very deep values', () => {
  const thrownBy = (work: () => unknown) => {
    try {
      work();
    } catch (error) {
      return error;
    }
    throw new Error('expected a throw');
  };

  it('refuses a step input that contains itself in validate() and run()', () => {
    const { engine } = echoKit();
    const input: Record<string, unknown> = { a: 1 };
    input.me = input;
    const plan: Plan = { steps: [{ id: 'a', target: 'echo', input }] };
    const e = engine();
    expect(e.validate(plan).problems).toMatchObject([{ path: 'steps[0].input.me', code: 'cyclic-value' }]);
    const error = thrownBy(() => e.run(plan));
    expect(ValidationError.isInstance(error)).toBe(true);
  });

  it('refuses 100 000 nested arrays in validate() and run()', () => {
    const { engine } = echoKit();
    const plan: Plan = { steps: [{ id: 'a', target: 'echo', input: { x: nested(100_000) } }] };
    const e = engine();
    expect(e.validate(plan).problems.map((p) => p.code)).toEqual(['too-deep']);
    expect(ValidationError.isInstance(thrownBy(() => e.run(plan)))).toBe(true);
    expect(
      ValidationError.isInstance(
        thrownBy(() => e.run({ steps: [{ id: 'a', target: 'echo' }], output: nested(100_000) })),
      ),
    ).toBe(true);
  });

  it('fails a step whose template reads an output that contains itself with a ValidationError naming the place', async () => {
    const k = kit();
    k.add('cyclic', () => {
      const out: Record<string, unknown> = {};
      out.self = out;
      return out;
    });
    k.add('echo', (input: unknown) => input);
    const plan: Plan = {
      steps: [
        { id: 'a', target: 'cyclic' },
        { id: 'b', target: 'echo', input: { text: 'value: {{steps.a.output}}' } },
      ],
    };
    const error = await rejectionOf(k.engine().run(plan).result());
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.problems).toMatchObject([{ path: 'steps[1].input.text', code: 'not-json' }]);
  });

  it('fails an evidence step over outputs nested 100 000 deep with a ValidationError, not a RangeError', async () => {
    const k = kit();
    k.add('deep', () => ({ tree: nested(100_000) }));
    const plan: Plan = { steps: [{ id: 'q', target: 'deep', evidence: { k: 2 } }] };
    const error = await rejectionOf(k.engine().run(plan).result());
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.problems[0]).toMatchObject({ code: 'too-deep' });
    expect(error.problems[0].path.startsWith('tree[0][0]')).toBe(true);
  });
});
