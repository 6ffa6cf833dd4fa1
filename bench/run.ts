/**
 * `npm run bench [-- --filter <area>]`: every benchmark area in turn; one JSON line per case on stdout, progress on
 * stderr (format: shared BENCH.md). A benchmark never fails the build. `--filter <area>/<case>` runs one area and hands
 * it the filter, for areas that narrow to cases (server). The npm script builds the packages first and the benchmarks
 * import them as an installed Baton does, from `dist`: what is measured is the shipped JavaScript, not the TypeScript
 * sources as tsx transpiles them (which, for one, wraps every nested function in a naming helper).
 */
import { runBatchingBench } from './batching.bench.js';
import { exitOnInterrupt } from './bench-leftovers.js';
import { runCacheBench } from './cache.bench.js';
import { runCliBench } from './cli.bench.js';
import { runContextBench } from './context.bench.js';
import { runDurableBench } from './durable.bench.js';
import { runEngineBench } from './engine.bench.js';
import { progress } from './measure.js';
import { runPlannerBench } from './planner.bench.js';
import { runServerBench } from './server.bench.js';
import { runToolsBench } from './tools.bench.js';

const areas: Record<string, (filter?: string) => Promise<void>> = {
  engine: runEngineBench,
  cache: runCacheBench,
  durable: runDurableBench,
  server: runServerBench,
  planner: runPlannerBench,
  cli: runCliBench,
  tools: runToolsBench,
  'tools-batching': runBatchingBench,
  context: runContextBench,
};

exitOnInterrupt();
const at = process.argv.indexOf('--filter');
const filter = at === -1 ? undefined : process.argv[at + 1];
const benchStart = performance.now();
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(0);
for (const [name, run] of Object.entries(areas)) {
  if (filter && !name.includes(filter) && !filter.startsWith(`${name}/`)) continue;
  const areaStart = performance.now();
  try {
    await run(filter);
  } catch (error) {
    progress(`bench area ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
  progress(
    `bench area ${name}: ${seconds(areaStart)} s (all so far: ${seconds(benchStart)} s; the whole bench must stay under 600 s)`,
  );
}
