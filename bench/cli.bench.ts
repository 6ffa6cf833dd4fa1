/**
 * cli/*: how long `baton` takes to start, as a user runs it: the wall time of `node packages/cli/bin/baton.js
 * --version` as a child process (the built CLI in dist/, no tsx), against a target of 300 ms. It builds the program
 * with every command, as any call does, and prints without asking a server. `startup` is the median after two
 * warm-up runs, with a bare `node -e 0` as its floor; `startup-cold` is the first run of the area (cold only if
 * nothing read the CLI's files just before).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, percentile, progress, report } from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../packages/cli/bin/baton.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../packages/cli/dist/run-cli.js', import.meta.url));
const ARGS = ['--version'];
const RUNS = 15;

/** The environment without NODE_OPTIONS, so a loader the bench itself may run under (tsx) does not slow the CLI. */
function plainEnvironment(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _, ...env } = process.env;
  return env;
}

function timeNode(args: readonly string[]): { ms: number; run: SpawnSyncReturns<string> } {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env: plainEnvironment(), encoding: 'utf8' });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, run };
}

function timeOneRun(): number {
  const { ms, run } = timeNode([BIN, ...ARGS]);
  if (run.status !== 0 || !/^\d+\.\d+\.\d+/.test(run.stdout)) {
    throw new Error(`baton ${ARGS.join(' ')} exited with ${run.status}: ${(run.stderr || run.stdout).slice(0, 300)}`);
  }
  return ms;
}

function ensureBuilt(): void {
  if (existsSync(BUILT)) return;
  // --force: a dist removed by hand leaves tsc's build info behind, which would report the CLI as up to date.
  progress('cli: packages/cli/dist is missing; running `npm run build -- --force` first');
  const build = spawnSync('npm', ['run', 'build', '--', '--force'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0 || !existsSync(BUILT)) {
    throw new Error(`npm run build exited with ${build.status}; the CLI cannot be timed without packages/cli/dist`);
  }
}

export async function runCliBench(): Promise<void> {
  ensureBuilt();
  progress(`cli: timing \`baton ${ARGS.join(' ')}\``);
  const cold = timeOneRun();
  for (let i = 0; i < 2; i++) timeOneRun();
  const samples = Array.from({ length: RUNS }, timeOneRun);
  const floor = median(Array.from({ length: RUNS }, () => timeNode(['-e', '0']).ms));
  progress(
    `  cold first run ${cold.toFixed(1)} ms; warm p50 ${median(samples).toFixed(1)} ms, ` +
      `p95 ${percentile(samples, 95).toFixed(1)} ms over ${RUNS} runs; a bare \`node -e 0\` takes ${floor.toFixed(1)} ms`,
  );
  report({ case: 'cli/startup', unit: 'ms', baton: median(samples), target: 300, floor, better: 'lower', n: RUNS });
  report({ case: 'cli/startup-cold', unit: 'ms', baton: cold, target: 300, better: 'lower', n: 1 });
}
