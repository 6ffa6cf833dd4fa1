/**
 * engine/*: per-step overhead of running no-op graphs, Baton's engine against LangGraph.js (no checkpointer), on the
 * same shapes in the same process.
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import { createEngine, createRegistry, type Plan } from '@baton/core';
import { chain, fanout, langgraphOf, layeredDag, type Shape } from './engine-shapes.js';
import { median, progress, report, sampleAsync } from './measure.js';

const PEER = `@langchain/langgraph@${await langgraphVersion()}`;

async function langgraphVersion(): Promise<string> {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const path = require.resolve('@langchain/langgraph/package.json');
  const { readFileSync } = await import('node:fs');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

function batonRunner(shape: Shape): () => Promise<unknown> {
  const registry = createRegistry();
  registry.register({
    name: 'add-one',
    description: 'Adds one',
    handler: (input: { x: number }) => ({ x: input.x + 1 }),
  });
  const engine = createEngine({ registry });
  const plan: Plan = {
    steps: shape.nodes.map((node) => ({
      id: node.id,
      target: 'add-one',
      input: { x: node.deps.length === 0 ? { $ref: 'request.x' } : { $ref: `steps.${node.deps[0]}.output.x` } },
      dependsOn: node.deps,
    })),
  };
  const compiled = engine.compile(plan);
  return () => engine.run(compiled, { x: 0 }, { maxParallel: 1000 }).result();
}

function langgraphRunner(shape: Shape): () => Promise<unknown> {
  const graph = langgraphOf(shape);
  const app = graph.compile();
  return () => app.invoke({ x: 0 }, { recursionLimit: 10_000 });
}

/**
 * Runs `work` with no listener limit on the event targets it creates: LangGraph.js hangs more than ten abort listeners
 * on one signal in a wide graph, and Node warned once per signal — hundreds of lines of stderr in dag-1000.
 */
async function quietListeners<T>(work: () => Promise<T>): Promise<T> {
  const before = EventEmitter.defaultMaxListeners;
  setMaxListeners(0);
  try {
    return await work();
  } finally {
    setMaxListeners(before);
  }
}

export async function runEngineBench(): Promise<void> {
  const shapes: [Shape, number][] = [
    [chain(100), 200],
    [fanout(50), 200],
    [layeredDag(10, 100), 30],
  ];
  for (const [shape, samples] of shapes) {
    const steps = shape.nodes.length;
    progress(`engine/${shape.name}: Baton`);
    const baton = await sampleAsync(batonRunner(shape), { warmup: Math.ceil(samples / 4), samples });
    progress(`engine/${shape.name}: ${PEER}`);
    const peer = await quietListeners(() =>
      sampleAsync(langgraphRunner(shape), { warmup: Math.ceil(samples / 4), samples }),
    );
    report({
      case: `engine/${shape.name}`,
      unit: 'us/step',
      baton: (median(baton) * 1000) / steps,
      peer: (median(peer) * 1000) / steps,
      peerName: PEER,
      better: 'lower',
      n: samples,
    });
  }
}
