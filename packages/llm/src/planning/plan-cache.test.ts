import { createSifEmbedder } from '@baton/cache';
import { createEngine, createRegistry, type Plan } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { PlanCache } from './plan-cache.js';

const embedder = createSifEmbedder();
const fingerprint = 'registry-1';

/** What a model might write for "Plan a trip to Lisbon" with `{ city: 'Lisbon', days: 3 }`: values copied in. */
const tripPlan: Plan = {
  steps: [
    { id: 'weather', target: 'weather', input: { city: 'Lisbon' } },
    { id: 'hotels', target: 'hotels', input: { city: { $ref: 'request.data.city' }, nights: 3 } },
    {
      id: 'brief',
      target: 'writer',
      input: {
        text: 'Trip to Lisbon for 3 days: {{steps.weather.output.summary}}',
        hotels: { $ref: 'steps.hotels.output' },
      },
    },
  ],
};

describe('PlanCache', () => {
  it('reuses a plan for the same meaning with new values, and every step runs with the new values', async () => {
    const cache = new PlanCache({ embedder });
    const first = { action: 'Plan a trip to Lisbon for 3 days', data: { city: 'Lisbon', days: 3 }, fingerprint };
    expect(await cache.store(first, tripPlan)).toBe(true);
    const hit = await cache.lookup({
      action: 'Please plan a trip to Porto for 5 days',
      data: { city: 'Porto', days: 5 },
      fingerprint,
    });
    expect(hit?.cachedAction).toBe('Plan a trip to Lisbon for 3 days');
    expect(JSON.stringify(hit?.plan)).not.toMatch(/Lisbon|\b3\b/);

    const seen: Record<string, unknown> = {};
    const registry = createRegistry();
    for (const name of ['weather', 'hotels', 'writer']) {
      registry.register({
        name,
        description: `the ${name} test target`,
        handler: async (input: unknown) => {
          seen[name] = input;
          return name === 'weather' ? { summary: 'sunny' } : { ok: true };
        },
      });
    }
    const engine = createEngine({ registry });
    await engine.run(hit?.plan as Plan, { data: { city: 'Porto', days: 5 } }).result();
    expect(seen).toEqual({
      weather: { city: 'Porto' },
      hotels: { city: 'Porto', nights: 5 },
      writer: { text: 'Trip to Porto for 5 days: sunny', hotels: { ok: true } },
    });
  });

  it('misses when the registry changed, or the request has other fields', async () => {
    const cache = new PlanCache({ embedder });
    await cache.store(
      { action: 'Plan a trip to Lisbon for 3 days', data: { city: 'Lisbon', days: 3 }, fingerprint },
      tripPlan,
    );
    const action = 'Plan a trip to Porto for 5 days';
    expect(await cache.lookup({ action, data: { city: 'Porto', days: 5 }, fingerprint: 'registry-2' })).toBeUndefined();
    expect(await cache.lookup({ action, data: { town: 'Porto', days: 5 }, fingerprint })).toBeUndefined();
    expect(await cache.lookup({ action, data: { city: 'Porto', days: 5 }, fingerprint })).toBeDefined();
  });

  it('misses when the action differs by a value the request data does not carry, or by a negation', async () => {
    const cache = new PlanCache({ embedder });
    const plan: Plan = { steps: [{ id: 'w', target: 'weather', input: { city: 'Lisbon' } }] };
    await cache.store({ action: 'What is the weather in Lisbon?', data: {}, fingerprint }, plan);
    expect(await cache.lookup({ action: 'What is the weather in Porto?', data: {}, fingerprint })).toBeUndefined();
    expect(await cache.lookup({ action: "what's the weather in Lisbon", data: {}, fingerprint })).toMatchObject({
      plan,
    });
    await cache.store(
      { action: 'Refund order 12', data: { order: 12 }, fingerprint },
      { steps: [{ id: 'r', target: 'refund', input: { id: 12 } }] },
    );
    expect(await cache.lookup({ action: 'Do not refund order 13', data: { order: 13 }, fingerprint })).toBeUndefined();
  });

  it('does not keep a plan whose values cannot all be read by reference', async () => {
    const cache = new PlanCache({ embedder });
    const key = { action: 'Compare Lisbon with Lisbon', data: { from: 'Lisbon', to: 'Lisbon' }, fingerprint };
    expect(await cache.store(key, { steps: [{ id: 'c', target: 'compare', input: { a: 'Lisbon' } }] })).toBe(false);
    const inLiteral = { action: 'Find flights from LIS', data: { airport: 'LIS' }, fingerprint };
    expect(
      await cache.store(inLiteral, { steps: [{ id: 'f', target: 'flights', input: { $literal: 'from LIS' } }] }),
    ).toBe(false);
    const inCondition = { action: 'Alert when above 30', data: { limit: 30 }, fingerprint };
    expect(
      await cache.store(inCondition, { steps: [{ id: 'a', target: 'alert', when: 'steps.x.output.value > 30' }] }),
    ).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('keeps a plan whose step ids name the values, since ids and references carry no value into the run', async () => {
    const cache = new PlanCache({ embedder });
    const key = { action: 'Give the temperature in Oslo and Bergen', data: { a: 'Oslo', b: 'Bergen' }, fingerprint };
    const plan: Plan = {
      steps: [
        { id: 'oslo', target: 'weather', input: { city: { $ref: 'request.data.a' } } },
        { id: 'bergen', target: 'weather', input: { city: { $ref: 'request.data.b' } } },
        {
          id: 'both',
          target: 'writer',
          dependsOn: ['oslo', 'bergen'],
          input: { first: { $ref: 'steps.oslo.output' } },
        },
      ],
    };
    expect(await cache.store(key, plan)).toBe(true);
    const hit = await cache.lookup({
      action: 'Give the temperature in Paris and Rome',
      data: { a: 'Paris', b: 'Rome' },
      fingerprint,
    });
    expect(hit?.plan).toEqual(plan);
  });

  it('reuses a plan made with the values shown to the model only for those same values', async () => {
    const cache = new PlanCache({ embedder });
    const plan: Plan = { steps: [{ id: 'w', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] };
    await cache.store(
      { action: 'Weather for my city', data: { city: 'Lisbon' }, fingerprint, valuesShared: true },
      plan,
    );
    const again = { action: 'Weather for my city', fingerprint, valuesShared: true };
    expect(await cache.lookup({ ...again, data: { city: 'Porto' } })).toBeUndefined();
    expect(await cache.lookup({ ...again, data: { city: 'Lisbon' } })).toBeDefined();
  });

  it('keeps at most maxEntries plans, dropping the least recently used', async () => {
    const cache = new PlanCache({ embedder, maxEntries: 2 });
    const plan: Plan = { steps: [{ id: 'a', target: 'x' }] };
    const key = (action: string) => ({ action, data: {}, fingerprint });
    await cache.store(key('Show the sales report'), plan);
    await cache.store(key('Show the expense report'), plan);
    await cache.lookup(key('Show the sales report'));
    await cache.store(key('Show the travel report'), plan);
    expect(cache.size).toBe(2);
    expect(await cache.lookup(key('Show the expense report'))).toBeUndefined();
    expect(await cache.lookup(key('Show the sales report'))).toBeDefined();
  });

  it('keeps a constant of the plan that the action does not write, even when a request value equals it', async () => {
    const cache = new PlanCache({ embedder });
    const plan: Plan = {
      steps: [{ id: 'top', target: 'crm', input: { limit: 10, region: { $ref: 'request.data.region' } } }],
    };
    await cache.store(
      { action: 'Show the best customers in the region', data: { region: 'north', limit: 10 }, fingerprint },
      plan,
    );
    const hit = await cache.lookup({
      action: 'Show the best customers in the region',
      data: { region: 'south', limit: 3 },
      fingerprint,
    });
    expect(hit?.plan).toEqual(plan);
  });

  it('hands out copies', async () => {
    const cache = new PlanCache({ embedder });
    const key = { action: 'Show the sales report', data: {}, fingerprint };
    await cache.store(key, { steps: [{ id: 'a', target: 'x' }] });
    const hit = await cache.lookup(key);
    (hit?.plan.steps[0] as { id: string }).id = 'changed';
    expect((await cache.lookup(key))?.plan.steps[0]?.id).toBe('a');
  });

  it('refuses bad options, naming the value', () => {
    expect(() => new PlanCache({ embedder, maxEntries: 0 })).toThrow(/maxEntries must be a whole number ≥ 1, got 0/);
  });
});
