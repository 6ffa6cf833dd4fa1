/**
 * `baton tools eval --tools FILE.json --queries FILE.jsonl [--k 5] [--model gpt-4o] [--misses] [--lexical-weight W]
 * [--value-weight W]`: how well tool search
 * picks the tools labelled requests need out of an MCP `tools/list` result, and how many definition tokens the
 * selection saves, as one JSON object (with `--misses`, also the requests missed, each with what was selected).
 */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank, positiveInteger, share } from '../options/parse-options.js';

interface EvalOptions {
  tools: string;
  queries: string;
  k: number;
  model: string;
  misses?: boolean;
  lexicalWeight?: number;
  valueWeight?: number;
  conceptWeight?: number;
}

/** The model layer and the file readers, loaded when the command runs rather than for `--help`. */
const load = () => Promise.all([import('@baton/llm'), import('../options/tool-files.js')]);

export function registerToolsCommands(program: Command, io: Io): void {
  const tools = program.command('tools').description('measure tool search over MCP tool lists');
  tools.addHelpText('after', '\nExample:\n  $ baton tools eval --tools tools.json --queries queries.jsonl --k 5');
  tools
    .command('eval')
    .description(
      'recall at 1 (the first tool selected is one the request expects) and at k (every tool it expects is among the ' +
        'k selected) of tool search on labelled requests, and the tokens it saves, as one JSON object',
    )
    .requiredOption('--tools <file>', 'an MCP tools/list result: {"tools": [{"name", "description", "inputSchema"}]}')
    .requiredOption('--queries <file>', 'JSON Lines of {"query", "expected": [tool names]}')
    .option('--k <count>', 'tools selected per request', positiveInteger('--k', 1000), 5)
    .option('--model <id>', 'the model whose tokenizer counts tool definitions', nonBlank('--model'), 'gpt-4o')
    .option('--misses', 'add "misses": each request whose tools were not all selected, with expected and selected')
    .option(
      '--lexical-weight <w>',
      "BM25's share of the text score, in [0, 1] (default 0.3)",
      share('--lexical-weight'),
    )
    .option(
      '--value-weight <w>',
      'the share of the values a request names (addresses, paths, dates…), in [0, 1]; 0 turns them off (default 0.3)',
      share('--value-weight'),
    )
    .option(
      '--concept-weight <w>',
      'the weight, in [0, 1], of the words everyday ones signal (umbrella: weather, forecast); 0 turns them off (default 0.5)',
      share('--concept-weight'),
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ baton tools eval --tools tools.json --queries queries.jsonl --k 5 --misses\n' +
        '\ntools.json is what an MCP server answers to tools/list; a clone of the Baton repository has a labelled set\n' +
        'in packages/llm/data/tools/ (the npm package does not carry it).',
    )
    .action(async (options: EvalOptions) => {
      const [{ evaluateToolSearch, encodingOf }, { readToolList, readToolQueries }] = await load();
      if (encodingOf(options.model) === undefined) {
        io.err(
          `note: ${options.model} is not an OpenAI model; its tokens are a conservative estimate (o200k_base × 1.5)`,
        );
      }
      const list = await readToolList(options.tools);
      const queries = await readToolQueries(options.queries, new Set(list.map((tool) => tool.name)));
      const { lexicalWeight, valueWeight, conceptWeight } = options;
      const searchOptions = {
        ...(lexicalWeight === undefined ? {} : { lexicalWeight }),
        ...(valueWeight === undefined ? {} : { valueWeight }),
        ...(conceptWeight === undefined ? {} : { conceptWeight }),
      };
      const result = await evaluateToolSearch({
        tools: list,
        queries,
        k: options.k,
        model: options.model,
        searchOptions,
      });
      const { queries: count, k, recallAt1, recallAtK, allToolsTokens, selectedToolsTokens, tokensSavedRatio } = result;
      const figures = {
        queries: count,
        k,
        recallAt1,
        recallAtK,
        allToolsTokens,
        selectedToolsTokens,
        tokensSavedRatio,
      };
      io.out(JSON.stringify(options.misses ? { ...figures, misses: result.misses } : figures));
    });
}
