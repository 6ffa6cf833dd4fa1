/** A registry of zod and JSON Schema targets shared by the plan validation tests. */
import { z } from 'zod';
import type { Problem } from '../../errors/validation-error.js';
import { createRegistry, type Registry } from '../../registry/registry.js';

const handler = async () => ({});

export function testRegistry(): Registry {
  const registry = createRegistry();
  registry.register({
    name: 'lookup',
    description: 'Finds a customer (zod schemas)',
    input: z.object({ id: z.string() }),
    output: z.object({
      name: z.string(),
      age: z.number(),
      tier: z.enum(['free', 'gold']),
      items: z.array(z.object({ id: z.string(), price: z.number() })),
      nick: z.string().nullable(),
    }),
    capabilities: ['customer'],
    handler,
  });
  registry.register({
    name: 'score',
    description: 'Scores a text (JSON Schema)',
    version: '2.1.0',
    input: {
      type: 'object',
      properties: { text: { type: 'string' }, weight: { type: 'number' } },
      required: ['text'],
      additionalProperties: false,
    },
    output: {
      type: 'object',
      properties: {
        value: { type: 'number' },
        label: { type: 'string' },
        flags: { type: 'array', items: { type: 'boolean' } },
      },
      additionalProperties: false,
    },
    handler,
  });
  registry.register({
    name: 'writer',
    description: 'Writes text',
    input: z.object({ text: z.string(), count: z.number().optional() }),
    output: z.object({ text: z.string(), done: z.boolean() }),
    handler,
  });
  registry.register({ name: 'noop', description: 'Accepts anything', handler });
  return registry;
}

export const codes = (problems: readonly Problem[]) => problems.map((p) => `${p.path} ${p.code}`);
