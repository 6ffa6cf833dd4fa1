import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { createRegistry } from '../registry/registry.js';
import { createCoordinator } from './coordinator.js';
import { routedPlan, sequentialPlan } from './plan-builders.js';

function setup() {
  const registry = createRegistry();
  const calls: string[] = [];
  let active = 0;
  let maxActive = 0;
  const agent = (name: string, work: (input: any) => unknown) =>
    registry.register({
      name,
      kind: 'agent',
      description: `${name} agent`,
      handler: async (input: any) => {
        calls.push(name);
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
        return work(input);
      },
    });
  agent('ticketing', (input) => ({ booked: input.count ?? 0, total: (input.count ?? 0) * 100 }));
  agent('finance', (input) => ({ approved: input.total <= 5000, total: input.total }));
  agent('sales', () => ({ crm: 'updated' }));
  agent('classify', (input) => ({ route: String(input.text).includes('ticket') ? 'ticketing' : 'sales' }));
  const coordinator = createCoordinator(createEngine({ registry }));
  return { coordinator, calls, maxActive: () => maxActive };
}

describe('coordinator', () => {
  it('runs tasks sequentially, one after another, and returns the last output', async () => {
    const { coordinator, calls, maxActive } = setup();
    const run = coordinator.sequential(
      [
        { id: 'book', target: 'ticketing', input: { count: { $ref: 'request.data.count' } } },
        { id: 'approve', target: 'finance', input: { total: { $ref: 'steps.book.output.total' } } },
      ],
      { data: { count: 30 } },
    );
    const result = await run.result();
    expect(calls).toEqual(['ticketing', 'finance']);
    expect(maxActive()).toBe(1);
    expect(result.output).toEqual({ approved: true, total: 3000 });
  });

  it('pipes the previous output into tasks without input when asked', () => {
    const plan = sequentialPlan([{ target: 'a', input: { x: 1 } }, { target: 'b' }], { pipe: true });
    expect(plan.steps[1]).toMatchObject({
      id: 'task-2',
      dependsOn: ['task-1'],
      input: { $ref: 'steps.task-1.output' },
    });
  });

  it('runs tasks in parallel and maps outputs by task id', async () => {
    const { coordinator, maxActive } = setup();
    const result = await coordinator
      .parallel([
        { id: 'tickets', target: 'ticketing', input: { count: 2 } },
        { id: 'crm', target: 'sales' },
        { id: 'books', target: 'finance', input: { total: 10 } },
      ])
      .result();
    expect(maxActive()).toBe(3);
    expect(result.output).toEqual({
      tickets: { booked: 2, total: 200 },
      crm: { crm: 'updated' },
      books: { approved: true, total: 10 },
    });
  });

  it('runs a workflow with depends_on and per-task conditions', async () => {
    const { coordinator, calls } = setup();
    const run = coordinator.workflow(
      [
        { id: 'book', target: 'ticketing', input: { count: { $ref: 'request.data.count' } } },
        {
          id: 'approve',
          target: 'finance',
          input: { total: { $ref: 'steps.book.output.total' } },
          condition: 'steps.book.output.total > 5000',
        },
        { id: 'crm', target: 'sales', dependsOn: ['book'] },
      ],
      { data: { count: 10 } },
    );
    const result = await run.result();
    expect(calls.sort()).toEqual(['sales', 'ticketing']);
    expect(result.steps.approve?.status).toBe('skipped');
    expect(result.steps.crm?.status).toBe('succeeded');
  });

  it('routes with a router function and refuses an unknown route', async () => {
    const { coordinator, calls } = setup();
    const routes = { tickets: { target: 'ticketing', input: { count: 1 } }, crm: { target: 'sales' } };
    const run = await coordinator.conditional((request: any) => request.kind, routes, { kind: 'crm' });
    expect((await run.result()).output).toEqual({ crm: 'updated' });
    expect(calls).toEqual(['sales']);
    const wrong = coordinator.conditional(() => 'finance', routes, {});
    await expect(wrong).rejects.toSatisfy(
      (error) => NotFoundError.isInstance(error) && /tickets, crm/.test(error.message),
    );
  });

  it('routes with a registered router target inside the plan', async () => {
    const { coordinator, calls } = setup();
    const run = coordinator.routed(
      {
        router: 'classify',
        input: { text: { $ref: 'request.data.text' } },
        routes: { ticketing: { target: 'ticketing', input: { count: 3 } }, sales: { target: 'sales' } },
      },
      { data: { text: 'I need a ticket' } },
    );
    const result = await run.result();
    expect(calls).toEqual(['classify', 'ticketing']);
    expect(result.steps.sales?.status).toBe('skipped');
    expect(result.output).toEqual({ ticketing: { booked: 3, total: 300 } });
  });

  it('takes the fallback route when the router names no known route', () => {
    const plan = routedPlan({
      router: 'classify',
      routes: { a: { target: 'sales' } },
      fallbackRoute: { target: 'finance' },
    });
    expect(plan.steps.map((s) => s.when)).toEqual([
      undefined,
      "steps.route.output.route == 'a'",
      "!(steps.route.output.route in ['a'])",
    ]);
  });

  it('rejects empty task lists with a ValidationError', () => {
    const { coordinator } = setup();
    expect(() => coordinator.parallel([])).toThrow(ValidationError);
    expect(() => routedPlan({ router: 'classify', routes: {} })).toThrow(/at least one route/);
  });
});
