import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import { createRegistry } from '../registry/registry.js';
import { openStore } from '../storage/open-store.js';
import { createEngine } from './engine.js';
import { checkStorableRequest } from './storable-request.js';

const problemOf = (request: unknown) => {
  try {
    checkStorableRequest(request);
  } catch (error) {
    if (ValidationError.isInstance(error)) return error.problems[0];
    throw error;
  }
  return undefined;
};

describe('checkStorableRequest', () => {
  it('takes JSON data, and data JSON drops (undefined, functions)', () => {
    expect(problemOf({ a: [1, 'x', null, { b: true }], c: undefined, f: () => 1 })).toBeUndefined();
  });

  it('names where a BigInt, NaN, Infinity, a lone surrogate or a cycle is', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(problemOf({ data: { n: 10n } })).toMatchObject({
      path: 'request.data.n',
      code: 'not-json',
      message: expect.stringContaining('a BigInt (10n)'),
    });
    expect(problemOf({ list: [1, Number.NaN] })).toMatchObject({ path: 'request.list[1]', message: /NaN/ });
    expect(problemOf({ x: -Infinity })).toMatchObject({ path: 'request.x', message: /-Infinity/ });
    expect(problemOf({ text: 'ok \uD800 half' })).toMatchObject({ path: 'request.text', message: /lone surrogate/ });
    expect(problemOf({ cyclic })).toMatchObject({ path: 'request.cyclic.self', message: /cycle/ });
  });
});

describe('a durable engine', () => {
  it('refuses request data it cannot store when the run is asked for, not once it has started', async () => {
    const registry = createRegistry();
    registry.register({ name: 'echo', description: 'Echoes', handler: (input: unknown) => input });
    const store = await openStore({ url: 'memory:' });
    const engine = createEngine({ registry, store });
    try {
      expect(() => engine.run({ steps: [{ id: 'a', target: 'echo' }] }, { data: { n: 1n } })).toThrow(
        expect.objectContaining({
          name: 'ValidationError',
          problems: [expect.objectContaining({ path: 'request.data.n' })],
        }),
      );
      expect(await store.listRuns({})).toEqual([]);
    } finally {
      await engine.close();
      await store.close();
    }
  });
});
