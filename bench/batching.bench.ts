/**
 * tools/batched-50: 50 concurrent engine runs each calling one target whose handler takes 5 ms per call (a real timer).
 * Baton's side declares `batch` (one 5 ms call serves the whole batch); the peer is the same target without it. The
 * floor is a plain `Promise.all` of 50 handler calls, without the engine. Reported: wall time per 50 calls, and
 * handler calls per 50 calls (`tools/batched-50-calls`).
 */
import { createEngine, createRegistry, type Plan } from '@baton/core';
import { median, progress, report, sampleAsync } from './measure.js';

const CALLS = 50;
const HANDLER_MS = 5;
const SAMPLES = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Side {
  run(): Promise<unknown>;
  /** Handler invocations so far. */
  invocations(): number;
}

function engineSide(batched: boolean): Side {
  let invocations = 0;
  const registry = createRegistry();
  const base = { name: 'lookup', description: 'Looks up one record (5 ms per call)', effects: 'none' as const };
  if (batched) {
    registry.register({
      ...base,
      batch: {
        maxSize: CALLS,
        maxWaitMs: 0,
        handler: async (inputs: { id: number }[]) => {
          invocations++;
          await sleep(HANDLER_MS);
          return inputs.map((input) => ({ id: input.id }));
        },
      },
    });
  } else {
    registry.register({
      ...base,
      handler: async (input: { id: number }) => {
        invocations++;
        await sleep(HANDLER_MS);
        return { id: input.id };
      },
    });
  }
  const engine = createEngine({ registry });
  const plan = engine.compile({
    steps: [{ id: 'get', target: 'lookup', input: { id: { $ref: 'request.id' } } }],
  } as Plan);
  return {
    run: () => Promise.all(Array.from({ length: CALLS }, (_, id) => engine.run(plan, { id }).result())),
    invocations: () => invocations,
  };
}

function plainSide(): Side {
  let invocations = 0;
  const handler = async (input: { id: number }) => {
    invocations++;
    await sleep(HANDLER_MS);
    return { id: input.id };
  };
  return {
    run: () => Promise.all(Array.from({ length: CALLS }, (_, id) => handler({ id }))),
    invocations: () => invocations,
  };
}

/** Median wall time of one round of 50 calls, and handler invocations per round. */
async function measure(side: Side): Promise<{ ms: number; calls: number }> {
  const warmup = 20;
  const samples = await sampleAsync(side.run, { warmup, samples: SAMPLES });
  return { ms: median(samples), calls: side.invocations() / (warmup + SAMPLES) };
}

export async function runBatchingBench(): Promise<void> {
  progress('tools/batched-50: batched target');
  const batched = await measure(engineSide(true));
  progress('tools/batched-50: same target without batch');
  const unbatched = await measure(engineSide(false));
  progress('tools/batched-50: Promise.all of the handler');
  const plain = await measure(plainSide());
  const peerName = 'the same target without batch';
  report({
    case: 'tools/batched-50',
    unit: 'ms',
    baton: batched.ms,
    peer: unbatched.ms,
    peerName,
    floor: plain.ms,
    better: 'lower',
    n: SAMPLES,
  });
  report({
    case: 'tools/batched-50-calls',
    unit: 'handler calls',
    baton: batched.calls,
    peer: unbatched.calls,
    peerName,
    better: 'lower',
    n: SAMPLES,
  });
}
