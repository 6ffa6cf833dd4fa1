/**
 * durable/*: per-step cost of a durable 100-step chain of no-op steps, against LangGraph.js's checkpointers. Same
 * chain, same store kind, same process, samples interleaved so machine load hits both sides alike. Two pairings:
 * - `*-chain-100`: steps with effects (Baton's default). Each is journaled before the next starts; LangGraph.js gets
 *   that guarantee from `durability: 'sync'` (each checkpoint saved before the next superstep).
 * - `*-pure-chain-100`: the steps are declared `effects: 'none'`, so Baton starts the next one while the entry is being
 *   written and writes what piled up in one transaction; it still journals every step, reports nothing before it is
 *   journaled and would hold any call with effects until then. LangGraph.js's matching mode is `durability: 'async'`
 *   (the next superstep starts while the checkpoint is saved), its default and the faster of its two.
 * Cases:
 * - `durable/memory-*`: Baton's memory store (`createMemoryStore()`) vs LangGraph.js's `MemorySaver`.
 * - `durable/sqlite-*`: Baton's SQLite store vs `SqliteSaver`, each on its own file in os.tmpdir().
 * - `durable/postgres-*`: Baton's PostgreSQL store vs `PostgresSaver`, each in its own throwaway schema.
 * - `durable/postgres-async-chain-100`: steps with effects, with `synchronous_commit = off` on both sides (Baton's
 *   `synchronousCommit: false`): what each engine costs once the server's disk flush is out of the way.
 * Every LangGraph.js invoke uses a fresh `thread_id`, as every Baton run is a fresh run. Files and schemas are
 * removed at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEngine,
  createMemoryStore,
  createRegistry,
  openStore,
  type Plan,
  type RunStore,
  type TargetEffects,
} from '@baton/core';
import { type BaseCheckpointSaver, MemorySaver } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import pg from 'pg';
import { chain, langgraphOf, type Shape } from './engine-shapes.js';
import { median, progress, report } from './measure.js';

const PG_URL = process.env.BATON_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const require = createRequire(import.meta.url);
function version(name: string): string {
  return `${name}@${(JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version}`;
}
const LANGGRAPH = version('@langchain/langgraph');

interface Runner {
  run(): Promise<unknown>;
  close(): Promise<void>;
}

/** How each side runs the chain: Baton's steps' effects, and the LangGraph.js durability mode that matches it. */
interface Pairing {
  suffix: string;
  effects: TargetEffects;
  durability: 'sync' | 'async';
}

const WITH_EFFECTS: Pairing = { suffix: 'chain-100', effects: 'external', durability: 'sync' };
const PURE: Pairing = { suffix: 'pure-chain-100', effects: 'none', durability: 'async' };

async function batonRunner(shape: Shape, store: RunStore, effects: TargetEffects): Promise<Runner> {
  const registry = createRegistry();
  registry.register({
    name: 'add-one',
    description: 'Adds one',
    effects,
    handler: (input: { x: number }) => ({ x: input.x + 1 }),
  });
  const engine = createEngine({ registry, store, onError: (error) => progress(`durable bench engine: ${error}`) });
  const last = shape.nodes[shape.nodes.length - 1]?.id;
  const plan: Plan = {
    steps: shape.nodes.map((node) => ({
      id: node.id,
      target: 'add-one',
      input: { x: node.deps.length === 0 ? { $ref: 'request.x' } : { $ref: `steps.${node.deps[0]}.output.x` } },
      dependsOn: node.deps,
    })),
    output: { $ref: `steps.${last}.output.x` },
  };
  const compiled = engine.compile(plan);
  // One checked run first: the right answer, and one journal entry per step plus run-start and run-finish.
  const check = engine.run(compiled, { x: 0 });
  const result = await check.result();
  const journal = await store.readJournal(check.runId);
  if (result.output !== shape.nodes.length || journal.length !== shape.nodes.length + 2) {
    throw new Error(`Baton durable run is off: output ${String(result.output)}, ${journal.length} journal entries`);
  }
  return {
    run: () => engine.run(compiled, { x: 0 }).result(),
    close: () => engine.close(),
  };
}

async function langgraphRunner(
  shape: Shape,
  checkpointer: BaseCheckpointSaver,
  durability: Pairing['durability'],
): Promise<Runner> {
  const graph = langgraphOf(shape);
  const app = graph.compile({ checkpointer });
  const invoke = (threadId: string) =>
    app.invoke({ x: 0 }, { configurable: { thread_id: threadId }, recursionLimit: 10_000, durability }) as Promise<{
      x: number;
    }>;
  // One checked run first: the right answer, and a checkpoint per superstep (input, 100 steps).
  const threadId = randomUUID();
  const result = await invoke(threadId);
  let checkpoints = 0;
  for await (const _ of checkpointer.list({ configurable: { thread_id: threadId } })) checkpoints++;
  if (result.x !== shape.nodes.length || checkpoints < shape.nodes.length) {
    throw new Error(`LangGraph.js durable run is off: x ${result.x}, ${checkpoints} checkpoints`);
  }
  return { run: () => invoke(randomUUID()), close: async () => {} };
}

/** Warm both up, then alternate one Baton sample and one peer sample, so load drift hits both alike. */
async function interleaved(
  baton: Runner,
  peer: Runner,
  options: { warmup: number; samples: number },
): Promise<{ baton: number[]; peer: number[] }> {
  for (let i = 0; i < options.warmup; i++) {
    await baton.run();
    await peer.run();
  }
  const out = { baton: [] as number[], peer: [] as number[] };
  const time = async (runner: Runner, into: number[]) => {
    const start = process.hrtime.bigint();
    await runner.run();
    into.push(Number(process.hrtime.bigint() - start) / 1e6);
  };
  for (let i = 0; i < options.samples; i++) {
    if (i % 2 === 0) {
      await time(baton, out.baton);
      await time(peer, out.peer);
    } else {
      await time(peer, out.peer);
      await time(baton, out.baton);
    }
  }
  return out;
}

function reportChain(name: string, shape: Shape, peerName: string, samples: { baton: number[]; peer: number[] }) {
  const steps = shape.nodes.length;
  const baton = (median(samples.baton) * 1000) / steps;
  const peer = (median(samples.peer) * 1000) / steps;
  progress(`${name}: Baton ${baton.toFixed(1)} us/step, ${peerName} ${peer.toFixed(1)} us/step`);
  report({ case: name, unit: 'us/step', baton, peer, peerName, better: 'lower', n: samples.baton.length });
}

async function memoryCase(shape: Shape, pairing: Pairing, options: { warmup: number; samples: number }): Promise<void> {
  const name = `durable/memory-${pairing.suffix}`;
  const store = createMemoryStore();
  const baton = await batonRunner(shape, store, pairing.effects);
  try {
    const peer = await langgraphRunner(shape, new MemorySaver(), pairing.durability);
    progress(
      `${name}: Baton (effects ${pairing.effects}) vs ${LANGGRAPH} + MemorySaver (durability ${pairing.durability}), ${options.samples} samples each`,
    );
    const samples = await interleaved(baton, peer, options);
    reportChain(name, shape, `${LANGGRAPH} + MemorySaver`, samples);
  } finally {
    await baton.close();
    await store.close();
  }
}

async function sqliteCase(shape: Shape, pairing: Pairing, options: { warmup: number; samples: number }): Promise<void> {
  const name = `durable/sqlite-${pairing.suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-durable-'));
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const store = await openStore({ url: join(dir, 'baton.db') });
    closers.push(() => store.close());
    const saver = SqliteSaver.fromConnString(join(dir, 'langgraph.db'));
    closers.push(() => {
      saver.db.close();
    });
    const baton = await batonRunner(shape, store, pairing.effects);
    closers.push(() => baton.close());
    const peer = await langgraphRunner(shape, saver, pairing.durability);
    progress(
      `${name}: Baton (effects ${pairing.effects}) vs ${LANGGRAPH} + SqliteSaver (durability ${pairing.durability}), ${options.samples} samples each`,
    );
    const samples = await interleaved(baton, peer, options);
    reportChain(name, shape, `${LANGGRAPH} + ${version('@langchain/langgraph-checkpoint-sqlite')}`, samples);
  } finally {
    for (const close of closers.reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresCase(
  shape: Shape,
  pairing: Pairing,
  options: { warmup: number; samples: number; synchronousCommit: boolean },
): Promise<void> {
  const name = `durable/postgres-${options.synchronousCommit ? '' : 'async-'}${pairing.suffix}`;
  const suffix = randomBytes(6).toString('hex');
  const batonSchema = `baton_bench_${suffix}`;
  const peerSchema = `langgraph_bench_${suffix}`;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const store = await openStore({
      url: PG_URL,
      schema: batonSchema,
      synchronousCommit: options.synchronousCommit,
    });
    closers.push(() => store.close());
    const peerUrl = options.synchronousCommit ? PG_URL : withSetting(PG_URL, 'synchronous_commit=off');
    const saver = PostgresSaver.fromConnString(peerUrl, { schema: peerSchema });
    closers.push(() => saver.end());
    await saver.setup();
    const baton = await batonRunner(shape, store, pairing.effects);
    closers.push(() => baton.close());
    const peer = await langgraphRunner(shape, saver, pairing.durability);
    const setting = options.synchronousCommit ? '' : ', synchronous_commit off';
    progress(
      `${name}: Baton (effects ${pairing.effects}) vs ${LANGGRAPH} + PostgresSaver (durability ${pairing.durability})${setting}, ${options.samples} samples each`,
    );
    const samples = await interleaved(baton, peer, options);
    reportChain(name, shape, `${LANGGRAPH} + ${version('@langchain/langgraph-checkpoint-postgres')}`, samples);
  } finally {
    for (const close of closers.reverse()) await close();
    for (const schema of [batonSchema, peerSchema]) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((error) => progress(String(error)));
    }
    await admin.end();
  }
}

/** `url` with a server setting for every connection (`options=-c name=value`). */
function withSetting(url: string, setting: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c ${setting}`);
  return parsed.toString();
}

export async function runDurableBench(): Promise<void> {
  const shape = chain(100);
  // A sample is one 100-step run on each side: ~10 ms + ~120 ms on SQLite, ~110 ms + ~350 ms on PostgreSQL with
  // effects (one flushed commit per Baton step, two to three per LangGraph.js step), far less for Baton's pure chain,
  // so the area takes about two minutes on 2 cores.
  await memoryCase(shape, WITH_EFFECTS, { warmup: 10, samples: 60 });
  await memoryCase(shape, PURE, { warmup: 10, samples: 60 });
  await sqliteCase(shape, WITH_EFFECTS, { warmup: 10, samples: 60 });
  await sqliteCase(shape, PURE, { warmup: 10, samples: 60 });
  await postgresCase(shape, WITH_EFFECTS, { warmup: 5, samples: 40, synchronousCommit: true });
  await postgresCase(shape, PURE, { warmup: 5, samples: 40, synchronousCommit: true });
  await postgresCase(shape, WITH_EFFECTS, { warmup: 5, samples: 40, synchronousCommit: false });
}
