import { describe, expect, it } from 'vitest';
import { MigrationFailedError } from '../errors/migration-failed-error.js';
import { NoMigrationPathError } from '../errors/no-migration-path-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';
import {
  MigrationGraph,
  migrateInput,
  migrateOutput,
  type RegisteredMigration,
  validateMigration,
} from './migrations.js';
import { createRegistry } from './registry.js';
import { isValidTargetName } from './validate-registration.js';

function edge(from: string, to: string, extra: Partial<RegisteredMigration> = {}): RegisteredMigration {
  return {
    name: 'summarize',
    from,
    to,
    input: undefined,
    output: undefined,
    fromInput: undefined,
    fromOutput: undefined,
    ...extra,
  };
}

function graphOf(...edges: [string, string][]): MigrationGraph {
  const graph = new MigrationGraph();
  for (const [from, to] of edges) graph.add(edge(from, to));
  return graph;
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('MigrationGraph.shortestPath', () => {
  it('walks a chain of several hops from a version in the range to a registered one', () => {
    const graph = graphOf(['1.0.0', '1.5.0'], ['1.5.0', '2.0.0'], ['2.0.0', '2.1.0']);
    expect(graph.shortestPath('^1', ['2.1.0'])).toEqual(['1.5.0', '2.0.0', '2.1.0']);
    expect(graph.shortestPath('1.0.0', ['2.1.0'])).toEqual(['1.0.0', '1.5.0', '2.0.0', '2.1.0']);
  });

  it('prefers the highest reachable registered version, then the shortest way to it', () => {
    const graph = graphOf(['1.0.0', '2.0.0'], ['2.0.0', '3.0.0'], ['1.0.0', '3.0.0'], ['3.0.0', '4.0.0']);
    expect(graph.shortestPath('1.0.0', ['2.0.0', '3.0.0'])).toEqual(['1.0.0', '3.0.0']);
    expect(graph.shortestPath('1.0.0', ['2.0.0', '4.0.0'])).toEqual(['1.0.0', '3.0.0', '4.0.0']);
  });

  it('ends on cycles in the migration graph, and finds no path where there is none', () => {
    const graph = graphOf(['1.0.0', '2.0.0'], ['2.0.0', '1.0.0'], ['3.0.0', '4.0.0']);
    expect(graph.shortestPath('^1', ['2.0.0'])).toEqual(['1.0.0', '2.0.0']);
    expect(graph.shortestPath('^1', ['4.0.0'])).toBeUndefined();
    expect(graph.shortestPath('^5', ['4.0.0'])).toBeUndefined();
  });

  it('follows edges one way only', () => {
    const graph = graphOf(['2.0.0', '1.0.0']);
    expect(graph.shortestPath('^1', ['2.0.0'])).toBeUndefined();
    expect(graph.shortestPath('^2', ['1.0.0'])).toEqual(['2.0.0', '1.0.0']);
  });

  it('gives the migrations along a list of versions, or undefined when one is missing', () => {
    const graph = graphOf(['1.0.0', '2.0.0'], ['2.0.0', '3.0.0']);
    expect(graph.along(['1.0.0', '2.0.0', '3.0.0'])?.map((m) => m.to)).toEqual(['2.0.0', '3.0.0']);
    expect(graph.along(['1.0.0', '3.0.0'])).toBeUndefined();
  });
});

describe('migrateInput / migrateOutput', () => {
  const chain = [
    edge('1.0.0', '2.0.0', {
      input: (i) => ({ text: (i as { body: string }).body }),
      output: (o) => ({ summary: (o as { result: string }).result }),
    }),
    edge('2.0.0', '3.0.0', {
      input: async (i) => ({ ...(i as object), lang: 'en' }),
      output: (o) => ({ result: (o as { output: { text: string } }).output.text }),
    }),
  ];

  it('runs inputs forward and outputs back, newest migration first', async () => {
    expect(await migrateInput(chain, { body: 'hi' })).toEqual({ text: 'hi', lang: 'en' });
    expect(await migrateOutput(chain, { output: { text: 'short' } })).toEqual({ summary: 'short' });
    expect(await migrateInput([], 7)).toBe(7);
  });

  it('names the migration and the direction when one throws', async () => {
    const broken = [
      edge('1.0.0', '2.0.0', {
        output: () => {
          throw new Error('no field "result"');
        },
      }),
    ];
    const error = await migrateOutput(broken, {}).catch((e: unknown) => e);
    expect(MigrationFailedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ targetName: 'summarize', from: '1.0.0', to: '2.0.0', direction: 'output' });
    expect((error as Error).message).toContain('from 1.0.0 to 2.0.0 threw on the output: no field "result"');
  });
});

describe('validateMigration', () => {
  it('names every bad field with its value', () => {
    const { problems } = validateMigration(
      { name: 'Bad Name', from: '1', to: 'x'.repeat(500), input: 3 as never },
      isValidTargetName,
    );
    expect(problems.map((p) => `${p.path}:${p.code}`)).toEqual([
      'name:pattern',
      'from:semver',
      'to:semver',
      'input:type',
    ]);
    expect(problems[2]?.message.length).toBeLessThan(200);
    expect(validateMigration({ name: 'a', from: '1.0.0', to: '1.0.0' }, isValidTargetName).problems[0]?.code).toBe(
      'same-version',
    );
  });
});

const same = (value: unknown) => value;

describe('registry migrations', () => {
  function versioned(...versions: string[]) {
    const registry = createRegistry();
    for (const version of versions) {
      registry.register({ name: 'summarize', description: 'Summarizes', version, handler: () => version });
    }
    return registry;
  }

  it('routes a range no registered version satisfies through the shortest chain', () => {
    const registry = versioned('2.1.0', '3.0.0');
    registry.migrate({ name: 'summarize', from: '1.0.0', to: '2.0.0', input: same });
    registry.migrate({ name: 'summarize', from: '2.0.0', to: '2.1.0', input: same });
    const route = registry.route('summarize@^1');
    expect(route.target.id).toBe('summarize@2.1.0');
    expect(route.versions).toEqual(['1.0.0', '2.0.0', '2.1.0']);
    expect(route.migrations.map((m) => `${m.from}>${m.to}`)).toEqual(['1.0.0>2.0.0', '2.0.0>2.1.0']);
    expect(registry.route('summarize@^2').migrations).toEqual([]);
    expect(registry.route('summarize@^2').target.id).toBe('summarize@2.1.0');
  });

  it('refuses a range with no path, with a typed error naming the range and the registered versions', () => {
    const registry = versioned('2.1.0');
    registry.migrate({ name: 'summarize', from: '0.9.0', to: '2.1.0', input: same });
    const error = thrown(() => registry.route('summarize@^1'));
    expect(NoMigrationPathError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ targetName: 'summarize', from: '^1', to: ['2.1.0'] });
    expect((error as Error).message).toContain('summarize@^1');
    expect((error as Error).message).toContain('summarize@2.1.0');
    // Without any migration for the name, a missing range stays a NotFoundError.
    expect(NotFoundError.isInstance(thrown(() => versioned('2.0.0').route('summarize@^1')))).toBe(true);
  });

  it('skips a down target when routing, and describes the route ignoring health', () => {
    const registry = versioned('2.0.0', '3.0.0');
    registry.migrate({ name: 'summarize', from: '1.0.0', to: '2.0.0', input: same });
    registry.migrate({ name: 'summarize', from: '1.0.0', to: '3.0.0', input: same });
    registry.setHealth('summarize', 'down', '3.0.0');
    expect(registry.route('summarize@^1').target.id).toBe('summarize@2.0.0');
    expect(registry.describeRoute('summarize@^1').target.id).toBe('summarize@3.0.0');
    registry.setHealth('summarize', 'down', '2.0.0');
    expect(NotFoundError.isInstance(thrown(() => registry.route('summarize@^1')))).toBe(true);
  });

  it("exposes the first migration's declared schemas as what the caller sees", () => {
    const registry = versioned('2.0.0');
    registry.migrate({
      name: 'summarize',
      from: '1.0.0',
      to: '2.0.0',
      input: same,
      fromSchemas: { output: { type: 'object', properties: { summary: { type: 'string' } } } },
    });
    const route = registry.describeRoute('summarize@1.0.0');
    expect(route.output?.outputJsonSchema).toMatchObject({ properties: { summary: { type: 'string' } } });
    expect(route.input).toBeUndefined();
  });

  it('refuses a duplicate migration unless replaced, and lists migrations by name', () => {
    const registry = versioned('2.0.0');
    registry.migrate({ name: 'summarize', from: '1.0.0', to: '2.0.0', input: same });
    expect(
      ValidationError.isInstance(
        thrown(() => registry.migrate({ name: 'summarize', from: '1.0.0', to: '2.0.0', input: same })),
      ),
    ).toBe(true);
    registry.migrate({ name: 'summarize', from: '1.0.0', to: '2.0.0', input: (i) => i }, { replace: true });
    expect(registry.migrations('summarize')).toHaveLength(1);
    expect(registry.migrations()).toHaveLength(1);
    expect(registry.migrations('other')).toEqual([]);
  });

  it('takes a migration downward, one declared before its versions, and one whose shapes match (no functions)', () => {
    const registry = createRegistry();
    registry.migrate({ name: 'summarize', from: '1.0.0', to: '2.0.0' });
    registry.migrate({ name: 'summarize', from: '3.0.0', to: '2.0.0', input: same });
    registry.register({ name: 'summarize', description: 'Summarizes', version: '2.0.0', handler: same });
    expect(registry.route('summarize@^1').target.id).toBe('summarize@2.0.0');
    expect(registry.route('summarize@^3').versions).toEqual(['3.0.0', '2.0.0']);
  });

  it('gives the chain along locked versions, and a typed error once one migration is gone', () => {
    const registry = versioned('2.0.0');
    registry.migrate({ name: 'summarize', from: '1.0.0', to: '2.0.0', input: same });
    expect(registry.migrationChain('summarize', ['1.0.0', '2.0.0'])).toHaveLength(1);
    const error = thrown(() => registry.migrationChain('summarize', ['0.5.0', '1.0.0', '2.0.0']));
    expect(error).toMatchObject({ code: 'no-migration-path', from: '0.5.0', to: ['2.0.0'] });
  });
});
