import { createClient, createService, memoryInstanceStore } from '@baton/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestServer, type TestServer } from './server-test-kit.js';

let t: TestServer | undefined;
const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await t?.close();
  t = undefined;
});

describe('the SDK against the server', () => {
  it('services register with zod schemas, run a parallel plan, and the client follows it to its result', async () => {
    t = await startTestServer();
    const weather = createService({
      name: 'weather',
      description: 'Current temperature in a city',
      instanceStore: memoryInstanceStore(),
      input: z.object({ city: z.string() }),
      output: z.object({ city: z.string(), celsius: z.number() }),
      handler: async ({ city }, ctx) => {
        ctx.progress({ looking: city });
        return { city, celsius: city.length };
      },
    });
    const summary = createService({
      name: 'summary',
      description: 'Summarises temperatures',
      instanceStore: memoryInstanceStore(),
      input: z.object({ readings: z.array(z.object({ city: z.string(), celsius: z.number() })) }),
      output: z.object({ text: z.string() }),
      handler: async ({ readings }) => ({ text: readings.map((r) => `${r.city} ${r.celsius}°C`).join(', ') }),
    });
    for (const service of [weather, summary]) {
      await service.start({ url: t.server.url, apiKey: t.apiKey });
      stops.push(() => service.stop());
    }
    const client = createClient({ url: t.server.url, apiKey: t.apiKey });
    const run = await client.orchestrate({
      action: 'Summarise the weather in two cities',
      data: { first: 'Paris', second: 'Lisbon' },
      plan: {
        steps: [
          { id: 'a', target: 'weather', input: { city: { $ref: 'request.data.first' } } },
          { id: 'b', target: 'weather', input: { city: { $ref: 'request.data.second' } } },
          {
            id: 'sum',
            target: 'summary',
            input: { readings: [{ $ref: 'steps.a.output' }, { $ref: 'steps.b.output' }] },
          },
        ],
      },
    });
    expect(run.parallelGroups).toEqual([['a', 'b'], ['sum']]);
    const seen: string[] = [];
    for await (const event of run.events()) seen.push(event.type);
    expect(seen.filter((type) => type === 'step-finish')).toHaveLength(3);
    expect(seen.at(-1)).toBe('run-finish');
    expect(await run.result()).toEqual({ sum: { text: 'Paris 5°C, Lisbon 6°C' } });
    // The same in one request: submitted, run and answered.
    const plan = { steps: [{ id: 'a', target: 'weather', input: { city: 'Rome' } }] };
    expect(await client.run({ action: 'The weather in Rome', plan })).toEqual({ a: { city: 'Rome', celsius: 4 } });
    const services = await client.services();
    expect(services.map((service) => [service.name, service.health, service.instances.length])).toEqual([
      ['summary', 'healthy', 1],
      ['weather', 'healthy', 1],
    ]);
  });

  it('a handler input that fails the zod schema fails the step with a message naming the field', async () => {
    t = await startTestServer();
    const strict = createService({
      name: 'strict',
      description: 'Wants a number',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object' },
      handler: async (input: unknown) => {
        const parsed = z.object({ n: z.number() }).parse(input);
        return parsed;
      },
    });
    await strict.start({ url: t.server.url, apiKey: t.apiKey });
    stops.push(() => strict.stop());
    const client = createClient({ url: t.server.url, apiKey: t.apiKey });
    const run = await client.orchestrate({
      action: 'x',
      plan: { steps: [{ id: 's', target: 'strict', input: { n: 'one' }, policy: { retry: false } }] },
    });
    await expect(run.result()).rejects.toMatchObject({ status: 'failed' });
    const plan = { steps: [{ id: 's', target: 'strict', input: { n: 'two' }, policy: { retry: false } }] };
    await expect(client.run({ action: 'y', plan })).rejects.toMatchObject({ status: 'failed' });
    const view = await client.get(run.id);
    expect(view.error?.message).toMatch(/n/);
  });

  it('start() rejects with what the server said when it refuses a registration, and tries no more', async () => {
    t = await startTestServer();
    const broken = createService({
      name: 'broken-schema',
      description: 'Registers a schema the server cannot use',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object', properties: { a: { type: 'strin' } } },
      handler: async () => null,
    });
    stops.push(() => broken.stop());
    const refused = await broken.start({ url: t.server.url, apiKey: t.apiKey }).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      name: 'ConnectionEndedError',
      reason: 'registration-refused',
      message: expect.stringMatching(/closed the socket with 4400 \(it refused the registration: .*strin/),
    });
  });
});
