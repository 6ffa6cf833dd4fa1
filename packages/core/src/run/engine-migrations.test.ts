import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MigrationFailedError } from '../errors/migration-failed-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import type { Plan } from '../plan/plan.js';
import { validatePlan } from '../plan/validate-plan.js';
import { kit, rejectionOf, settle } from './test-kit.js';

/**
 * `summarize` as it is now (2.1.0: `{ text, maxWords }` → `{ summary: { text } }`), with migrations from 1.0.0
 * (`{ body }` → `{ summary: string }`) through 2.0.0 (`{ text }` → `{ result: string }`), and one back from 2.0.0 to
 * 1.0.0, which makes a cycle.
 */
function summarizer() {
  const k = kit();
  const inputs: unknown[] = [];
  k.registry.register({
    name: 'summarize',
    description: 'Summarizes text',
    version: '2.1.0',
    input: z.object({ text: z.string(), maxWords: z.number() }),
    output: z.object({ summary: z.object({ text: z.string() }) }),
    handler: (input) => {
      inputs.push(input);
      return { summary: { text: input.text.split(' ').slice(0, input.maxWords).join(' ') } };
    },
  });
  k.registry.migrate({
    name: 'summarize',
    from: '1.0.0',
    to: '2.0.0',
    input: (old: { body: string }) => ({ text: old.body }),
    output: (out: { result: string }) => ({ summary: out.result }),
    fromSchemas: {
      input: z.object({ body: z.string() }),
      output: z.object({ summary: z.string() }),
    },
  });
  k.registry.migrate({
    name: 'summarize',
    from: '2.0.0',
    to: '2.1.0',
    input: (old: { text: string }) => ({ ...old, maxWords: 2 }),
    output: (out: { summary: { text: string } }) => ({ result: out.summary.text }),
  });
  k.registry.migrate({ name: 'summarize', from: '2.0.0', to: '1.0.0' });
  k.add('shout', (input: { text: string }) => ({ text: input.text.toUpperCase() }), {
    input: z.object({ text: z.string() }),
  });
  return { ...k, inputs };
}

const oldPlan: Plan = {
  steps: [
    { id: 'sum', target: 'summarize@^1', input: { body: { $ref: 'request.text' } } },
    { id: 'loud', target: 'shout', input: { text: { $ref: 'steps.sum.output.summary' } } },
  ],
  output: { $ref: 'steps.loud.output.text' },
};

describe('migrations in runs', () => {
  it('serves a range no registered version satisfies through a chain of two migrations, and back', async () => {
    const k = summarizer();
    const { result } = await settle(k.engine().run(oldPlan, { text: 'one two three four' }));
    expect(k.inputs).toEqual([{ text: 'one two three four', maxWords: 2 }]);
    expect(result?.steps.sum?.output).toEqual({ summary: 'one two' });
    expect(result?.output).toBe('ONE TWO');
    expect(result?.steps.sum?.target).toBe('summarize@2.1.0');
    expect(result?.versions?.sum).toEqual({
      ref: 'summarize@^1',
      target: 'summarize@2.1.0',
      migrations: ['1.0.0', '2.0.0', '2.1.0'],
    });
  });

  it('fails the step with a typed error naming the migration that threw', async () => {
    const k = summarizer();
    k.registry.migrate(
      {
        name: 'summarize',
        from: '1.0.0',
        to: '2.0.0',
        input: () => {
          throw new Error('body is required');
        },
      },
      { replace: true },
    );
    const error = await rejectionOf(k.engine().run(oldPlan, { text: 'a b' }).result());
    expect(StepFailedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ stepId: 'sum', target: 'summarize@2.1.0' });
    const cause = (error as Error).cause;
    expect(MigrationFailedError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ from: '1.0.0', to: '2.0.0', direction: 'input' });
    expect((error as Error).message).toContain('threw on the input: body is required');
    expect(k.inputs).toEqual([]);
  });
});

describe('a target that fails on what a migration made', () => {
  it('fails the step at once with an error naming the migration, the input it made and the cause', async () => {
    const k = kit();
    let calls = 0;
    k.registry.register({
      name: 'summarize',
      description: 'Summarizes text',
      version: '2.0.0',
      handler: ({ text }: { text: string }) => {
        calls++;
        return { summary: text.slice(0, 5) };
      },
    });
    k.registry.migrate({
      name: 'summarize',
      from: '1.0.0',
      to: '2.0.0',
      input: ({ body }: { body: string }) => ({ text: body }),
    });
    const plan: Plan = { steps: [{ id: 'sum', target: 'summarize@^1', input: { text: 'written for 2.x' } }] };
    const error = await rejectionOf(k.engine().run(plan).result());
    expect(StepFailedError.isInstance(error)).toBe(true);
    const cause = (error as Error).cause;
    expect(MigrationFailedError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ from: '1.0.0', to: '2.0.0', stage: 'call', retryable: false });
    expect((cause as Error).message).toMatch(
      /^summarize@2\.0\.0 failed on the input the migration of summarize from 1\.0\.0 to 2\.0\.0 made \(\{\}\): Cannot read properties of undefined/,
    );
    expect(calls).toBe(1);
  });
});

describe('plan validation through migrations', () => {
  it('accepts a step served through migrations and checks it against the old schemas', () => {
    const k = summarizer();
    expect(validatePlan(oldPlan, k.registry).problems).toEqual([]);
    const wrong: Plan = {
      steps: [
        { id: 'sum', target: 'summarize@^1', input: { text: 'new-style input' } },
        { id: 'loud', target: 'shout', input: { text: { $ref: 'steps.sum.output.summary.text' } } },
      ],
    };
    const problems = validatePlan(wrong, k.registry).problems.map((p) => `${p.path} ${p.code}`);
    expect(problems).toContain('steps[0].input.body invalid_type');
    expect(problems).toContain('steps[1].input.text unknown-field');
  });

  it('reports a range no migration reaches as a problem naming both versions', () => {
    const k = summarizer();
    const plan: Plan = { steps: [{ id: 'sum', target: 'summarize@^0.5', input: {} }] };
    const [problem] = validatePlan(plan, k.registry).problems;
    expect(problem?.code).toBe('no-migration-path');
    expect(problem?.path).toBe('steps[0].target');
    expect(problem?.message).toContain('summarize@^0.5');
    expect(problem?.message).toContain('summarize@2.1.0');
  });
});
