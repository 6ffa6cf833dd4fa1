/**
 * `baton eval "<a>" "<b>" [--threshold T] [--embedder NAME]`: would a cache that answered `a` serve that answer for
 * `b`? Runs the full matching path (exact tier, semantic tier, verification), prints one JSON object with the
 * similarity and the checks, and exits 0 when similar, 1 when not (the seed's CI gate).
 */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonEmptyText, unitInterval } from '../options/parse-options.js';

const ask = (text: string) => ({ model: 'baton-eval', messages: [{ role: 'user', content: text }] });

export function registerEvalCommand(program: Command, io: Io): void {
  program
    .command('eval')
    .description('check whether two prompts would share a cached answer; exit 0 if similar, 1 if not')
    .argument('<a>', 'the prompt that was answered', nonEmptyText('<a>'))
    .argument('<b>', 'the prompt looked up', nonEmptyText('<b>'))
    .option(
      '--threshold <similarity>',
      'cosine similarity in (0, 1] (default: the cache default)',
      unitInterval('--threshold'),
    )
    .option('--embedder <name>', 'sif, openai:<model>:<dimension> or onnx:<dir>:<dimension>', 'sif')
    .addHelpText('after', '\nExample:\n  $ baton eval "What is the capital of France?" "what\'s the capital of France"')
    .action(async (a: string, b: string, options: { threshold?: number; embedder: string }) => {
      const [{ cosine, SemanticCache }, { embedderNamed }] = await Promise.all([
        import('@baton/cache'),
        import('../options/command-inputs.js'),
      ]);
      const embedder = embedderNamed(options.embedder);
      const cache = new SemanticCache({ embedder, similarityThreshold: options.threshold });
      await cache.store(ask(a), { finishReason: 'stop', text: 'answer' });
      const result = await cache.lookup(ask(b));
      const [va, vb] = await embedder.embed([a, b]);
      const similar = result.status === 'hit';
      const checks =
        result.status === 'hit' ? result.checks : result.status === 'miss' ? (result.rejected[0]?.checks ?? []) : [];
      io.out(
        JSON.stringify({
          similar,
          similarity: result.status === 'hit' ? result.similarity : cosine(va!, vb!),
          threshold: cache.similarityThreshold,
          tier: result.status === 'hit' ? result.tier : null,
          checks,
        }),
      );
      io.exitCode = similar ? 0 : 1;
    });
}
