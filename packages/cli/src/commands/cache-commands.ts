/**
 * `baton cache eval` and `baton cache calibrate`: matching quality on a labelled JSON Lines file of
 * `{"a", "b", "hit", "kind"?}` pairs, through the full matching path of a fresh cache per pair.
 */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { unitInterval } from '../options/parse-options.js';

/** The cache and the file readers, loaded when a command runs rather than for `--help`. */
const load = () => Promise.all([import('@baton/cache'), import('../options/command-inputs.js')]);

export function registerCacheCommands(program: Command, io: Io): void {
  const cache = program.command('cache').description('measure and tune the semantic cache');

  cache
    .command('eval')
    .description('precision, recall and false-hit rate on labelled pairs, as one JSON object')
    .requiredOption('--pairs <file>', 'JSON Lines of {"a", "b", "hit", "kind"?}')
    .option(
      '--threshold <similarity>',
      'cosine similarity in (0, 1] (default: the cache default)',
      unitInterval('--threshold'),
    )
    .option('--embedder <name>', 'sif, openai:<model>:<dimension> or onnx:<dir>:<dimension>', 'sif')
    .option('--errors', 'also list the pairs judged wrongly')
    .addHelpText('after', '\nExample:\n  $ baton cache eval --pairs packages/cache/data/pairs.jsonl --errors')
    .action(async (options: { pairs: string; threshold?: number; embedder: string; errors?: boolean }) => {
      const [{ evaluatePairs }, { embedderNamed, readPairs }] = await load();
      const pairs = await readPairs(options.pairs);
      const { errors, ...result } = await evaluatePairs(pairs, {
        embedder: embedderNamed(options.embedder),
        threshold: options.threshold,
      });
      io.out(JSON.stringify(options.errors ? { ...result, errors } : result));
    });

  cache
    .command('calibrate')
    .description(
      'recommend the lowest threshold whose precision reaches the target, swept over the observed similarities, as JSON; every threshold above equivalentAbove and up to it judges the pairs alike',
    )
    .requiredOption('--pairs <file>', 'JSON Lines of {"a", "b", "hit", "kind"?}')
    .requiredOption(
      '--target-precision <precision>',
      'precision to reach, in (0, 1]',
      unitInterval('--target-precision'),
    )
    .option('--embedder <name>', 'sif, openai:<model>:<dimension> or onnx:<dir>:<dimension>', 'sif')
    .addHelpText(
      'after',
      '\nExample:\n  $ baton cache calibrate --pairs packages/cache/data/pairs.jsonl --target-precision 0.99',
    )
    .action(async (options: { pairs: string; targetPrecision: number; embedder: string }) => {
      const [{ calibrateThreshold }, { embedderNamed, readPairs }] = await load();
      const pairs = await readPairs(options.pairs);
      const found = await calibrateThreshold(pairs, options.targetPrecision, {
        embedder: embedderNamed(options.embedder),
      });
      io.out(
        JSON.stringify(
          found
            ? {
                recommendedThreshold: found.threshold,
                equivalentAbove: found.equivalentAbove,
                precision: found.precision,
                recall: found.recall,
                pairs: pairs.length,
              }
            : {
                recommendedThreshold: null,
                targetPrecision: options.targetPrecision,
                pairs: pairs.length,
                reason:
                  'no observed similarity, used as the threshold, reaches the target precision with at least one correct hit',
              },
        ),
      );
      if (!found) io.exitCode = 1;
    });
}
