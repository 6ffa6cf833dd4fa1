import { describe, expect, it } from 'vitest';
import { planShape } from './plan-shape.js';

describe('planShape', () => {
  it("gives a plan's steps and parallel groups whatever services it names, registered or not", async () => {
    const shape = await planShape({
      steps: [
        { id: 'left', target: 'prj-1.left@1.0.0', input: {} },
        { id: 'right', target: { name: 'prj-1.right', version: '2' }, input: {} },
        { id: 'join', target: 'join', input: { l: { $ref: 'steps.left.output' }, r: { $ref: 'steps.right.output' } } },
      ],
    });
    expect(shape.problems).toEqual([]);
    expect(shape.plan?.parallelGroups).toEqual([['left', 'right'], ['join']]);
    expect(shape.plan?.graph.steps.map((step) => step.id)).toEqual(['left', 'right', 'join']);
  });

  it('lists the problems of a plan that is not one: a cycle, a capability target, no steps', async () => {
    const cyclic = await planShape({
      steps: [
        { id: 'a', target: 's', input: { x: { $ref: 'steps.b.output' } } },
        { id: 'b', target: 's', input: { x: { $ref: 'steps.a.output' } } },
      ],
    });
    expect(cyclic.plan).toBeUndefined();
    expect(cyclic.problems.map((problem) => problem.code)).toContain('cycle');
    const capability = await planShape({ steps: [{ id: 'a', target: { capability: 'forecast' }, input: {} }] });
    expect(capability.problems).toEqual([expect.objectContaining({ path: 'steps[0].target', code: 'unsupported' })]);
    expect((await planShape({ steps: 'none' })).problems.length).toBeGreaterThan(0);
  });
});
