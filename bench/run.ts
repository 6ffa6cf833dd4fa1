/**
 * `npm run bench [-- --filter <area>]`: every benchmark area in turn; one JSON line per case on stdout, progress on
 * stderr (format: shared BENCH.md). A benchmark never fails the build.
 */
import { runCacheBench } from './cache.bench.js';
import { runDurableBench } from './durable.bench.js';
import { runEngineBench } from './engine.bench.js';
import { progress } from './measure.js';

const areas: Record<string, () => Promise<void>> = {
  engine: runEngineBench,
  cache: runCacheBench,
  durable: runDurableBench,
};

const at = process.argv.indexOf('--filter');
const filter = at === -1 ? undefined : process.argv[at + 1];
for (const [name, run] of Object.entries(areas)) {
  if (filter && !name.includes(filter)) continue;
  try {
    await run();
  } catch (error) {
    progress(`bench area ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
