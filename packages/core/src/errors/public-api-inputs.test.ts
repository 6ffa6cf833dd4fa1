/**
 * Sweeps bad inputs over the public API of @baton/core: each must throw (or reject with) a Baton error whose message
 * names the value it was given, never a bare TypeError from deep inside.
 */
import { describe, expect, it } from 'vitest';
import {
  autoDistance,
  BatonError,
  backoffDelay,
  buildEvidenceBundle,
  clusterByAgreement,
  collectStrings,
  compilePlan,
  compileSchema,
  cosineDistance,
  createCoordinator,
  createEmbeddingTextDistance,
  createEngine,
  createMemoryIdempotencyStore,
  createRegistry,
  describeQuery,
  differingFields,
  evaluateCondition,
  formatPath,
  meanPairwiseDistance,
  medoid,
  numericDistance,
  parsePath,
  parseTargetRef,
  readPath,
  resolveDistance,
  resolveRetry,
  routedPlan,
  runReplicates,
  schemaAtPath,
  sequentialPlan,
  sleep,
  textDistance,
  tokenize,
  validatePlan,
} from '../index.js';

const registry = createRegistry();
registry.register({ name: 'work', description: 'does work', handler: () => ({}) });
const plan = { steps: [{ id: 'a', target: 'work', input: {} }] };
const engine = createEngine({ registry });
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

/** [what is called, the call, text the message must contain to name the value]. */
const cases: [string, () => unknown, string][] = [
  ['createEngine(undefined)', () => createEngine(undefined as never), 'undefined'],
  ['createEngine({ registry: {} })', () => createEngine({ registry: {} as never }), 'registry must be a registry'],
  ['createEngine idempotency: 5', () => createEngine({ registry, idempotency: 5 as never }), 'got 5'],
  ['createEngine distances', () => createEngine({ registry, distances: { near: 1 } as never }), 'distances.near'],
  ['createEngine distances array', () => createEngine({ registry, distances: [] as never }), 'got []'],
  ['createEngine embed', () => createEngine({ registry, embed: 'openai' as never }), 'got "openai"'],
  ['createEngine store', () => createEngine({ registry, store: {} as never }), 'store must be a run store'],
  ['createEngine engineId', () => createEngine({ registry, engineId: '' }), 'engineId must be'],
  ['createEngine leaseMs', () => createEngine({ registry, leaseMs: -5 }), 'got -5'],
  ['createEngine maxActiveRuns', () => createEngine({ registry, maxActiveRuns: 1.5 }), 'got 1.5'],
  ['createEngine parkAfterMs', () => createEngine({ registry, parkAfterMs: Number.NaN }), 'got NaN'],
  ['createEngine onError', () => createEngine({ registry, onError: 'log' as never }), 'got "log"'],
  ['createEngine unknown option', () => createEngine({ registry, retries: 3 } as never), '"retries"'],
  ['engine.run(null)', () => engine.run(null as never), 'got null'],
  ['engine.run(undefined)', () => engine.run(undefined as never), 'got undefined'],
  ['engine.run("x")', () => engine.run('x' as never), 'got "x"'],
  ['engine.run(look-alike)', () => engine.run({ graph: {}, source: {} } as never), 'steps, got undefined'],
  ['validatePlan(plan, undefined)', () => validatePlan(plan, undefined as never), 'got undefined'],
  ['validatePlan(plan, {})', () => validatePlan(plan, {} as never), 'got {}'],
  ['validatePlan options', () => validatePlan(plan, registry, { distances: 'x' } as never), 'got "x"'],
  ['compilePlan(plan, null)', () => compilePlan(plan, null as never), 'got null'],
  ['createCoordinator(undefined)', () => createCoordinator(undefined as never), 'got undefined'],
  ['coordinator.parallel(undefined)', () => createCoordinator(engine).parallel(undefined as never), 'undefined'],
  ['coordinator.sequential([null])', () => createCoordinator(engine).sequential([null] as never), 'got null'],
  [
    'coordinator.conditional(fn, undefined)',
    () => createCoordinator(engine).conditional(() => 'a', undefined as never),
    'got undefined',
  ],
  ['coordinator.conditional(1, routes)', () => createCoordinator(engine).conditional(1 as never, {}), 'got 1'],
  [
    'coordinator.conditional unknown route',
    () => createCoordinator(engine).conditional(() => 'b', { a: { target: 'work' } }),
    '"b"',
  ],
  ['routedPlan(undefined)', () => routedPlan(undefined as never), 'got undefined'],
  ['routedPlan routes: []', () => routedPlan({ router: 'work', routes: [] as never }), 'got []'],
  ['sequentialPlan options', () => sequentialPlan([{ target: 'work' }], null as never), 'got null'],
  ['buildEvidenceBundle(null)', () => buildEvidenceBundle(null as never), 'got null'],
  ['buildEvidenceBundle([null])', () => buildEvidenceBundle([null] as never), 'got null'],
  ['buildEvidenceBundle options', () => buildEvidenceBundle([], 'x' as never), 'got "x"'],
  ['runReplicates(undefined)', () => runReplicates(undefined as never), 'got undefined'],
  [
    'runReplicates adaptive',
    () => runReplicates({ k: 2, adaptive: 'yes' as never, run: async () => ({ output: 1 }) }),
    'got "yes"',
  ],
  ['textDistance(1, 2)', () => textDistance(1 as never, 2 as never), 'got 1'],
  ['tokenize(5)', () => tokenize(5 as never), 'got 5'],
  ['numericDistance("a", 1)', () => numericDistance('a' as never, 1), 'got "a"'],
  ['cosineDistance(null, [1])', () => cosineDistance(null as never, [1]), 'got null'],
  ['autoDistance options', () => autoDistance(1, 2, null as never), 'got null'],
  ['differingFields options', () => differingFields(1, 2, { text: 3 } as never), 'got 3'],
  ['resolveDistance("near")', () => resolveDistance('near' as never, { values: [] }), 'got "near"'],
  ['resolveDistance context', () => resolveDistance('auto', undefined as never), 'got undefined'],
  [
    'createEmbeddingTextDistance(undefined)',
    () => createEmbeddingTextDistance(undefined as never, []),
    'got undefined',
  ],
  ['clusterByAgreement(null)', () => clusterByAgreement(null as never, () => 0, 0.2), 'got null'],
  ['medoid(undefined)', () => medoid(undefined as never, () => 0), 'got undefined'],
  ['meanPairwiseDistance distance', () => meanPairwiseDistance([0, 1], null as never), 'got null'],
  ['evaluateCondition("x")', () => evaluateCondition('x' as never, () => undefined), 'got "x"'],
  ['parsePath(5)', () => parsePath(5 as never), 'got 5'],
  ['formatPath(null)', () => formatPath(null as never), 'got null'],
  ['readPath(value, "a.b")', () => readPath({}, 'a.b' as never), 'got "a.b"'],
  ['parseTargetRef(null)', () => parseTargetRef(null as never), 'got null'],
  ['describeQuery(undefined)', () => describeQuery(undefined as never), 'got undefined'],
  ['sleep("soon")', () => sleep('soon' as never, new AbortController().signal), 'got "soon"'],
  ['sleep(1, {})', () => sleep(1, {} as never), 'got {}'],
  ['backoffDelay(null)', () => backoffDelay(null as never, 1, undefined), 'got null'],
  ['resolveRetry(null)', () => resolveRetry(null as never), 'got null'],
  ['compileSchema(undefined)', () => compileSchema(undefined as never), 'got undefined'],
  ['schemaAtPath(root, "a")', () => schemaAtPath({}, 'a' as never), 'got "a"'],
  ['createMemoryIdempotencyStore(null)', () => createMemoryIdempotencyStore(null as never), 'got null'],
];

async function thrownBy(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('public API: bad input', () => {
  it.each(cases)('%s throws a Baton error naming the value', async (_label, call, named) => {
    const error = await thrownBy(call);
    expect(error, 'expected a throw').toBeDefined();
    expect(BatonError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain(named);
  });

  it('compares cyclic values instead of overflowing the stack', () => {
    const twin: Record<string, unknown> = { a: 1 };
    twin.self = twin;
    expect(autoDistance(cyclic, twin)).toBe(0);
    expect(autoDistance(cyclic, { a: 2, self: { a: 1 } })).toBeGreaterThan(0);
    expect(differingFields(cyclic, { ...cyclic, a: 2 })).toEqual(['a']);
    expect(collectStrings({ name: 'x', cyclic })).toEqual(['x']);
  });

  it('builds an evidence bundle over cyclic outputs', async () => {
    const bundle = await buildEvidenceBundle([
      { index: 0, output: cyclic, durationMs: 1 },
      { index: 1, output: cyclic, durationMs: 1 },
    ]);
    expect(bundle.confidence).toBe(1);
    await expect(
      buildEvidenceBundle(
        [
          { index: 0, output: cyclic, durationMs: 1 },
          { index: 1, output: 'x', durationMs: 1 },
        ],
        {
          distance: 'text',
        },
      ),
    ).rejects.toSatisfy((error: unknown) => BatonError.isInstance(error));
  });
});
