/**
 * Measures tool search on labelled requests: recall at 1 (the first tool is one the request needs), recall at k
 * (every tool it needs is in the top k), and what the selection saves — the tokens of every tool definition against
 * those of the k selected, counted as the model receives them (`tokenCounter(model).tools`).
 */
import { tokenCounter } from '../tokens/token-counter.js';
import type { LabelledToolQuery } from './labelled-tool-queries.js';
import type { SearchableTool } from './searchable-tool.js';
import { createToolSearch, DEFAULT_TOOL_SEARCH_K, type ToolSearch, type ToolSearchOptions } from './tool-search.js';

export interface ToolSearchEvaluationOptions {
  tools: readonly SearchableTool[];
  queries: readonly LabelledToolQuery[];
  /** Tools selected per request. @default 5 */
  k?: number;
  /** The model whose tokenizer counts tool definitions. @default 'gpt-4o' */
  model?: string;
  /** A search over `tools` to measure; one with `searchOptions` is built when unset. */
  search?: ToolSearch;
  searchOptions?: Omit<ToolSearchOptions, 'k'>;
}

export interface ToolSearchEvaluation {
  queries: number;
  k: number;
  recallAt1: number;
  recallAtK: number;
  /** Tokens of every tool definition in one request. */
  allToolsTokens: number;
  /** Mean tokens of the selected tools' definitions per request. */
  selectedToolsTokens: number;
  /** 1 − selectedToolsTokens / allToolsTokens. */
  tokensSavedRatio: number;
  /** Requests whose needed tools were not all in the top k, with what was selected. */
  misses: { query: string; expected: string[]; selected: string[] }[];
}

/**
 * @example
 * const result = await evaluateToolSearch({ tools, queries, k: 5 });
 * console.log(result.recallAtK, result.tokensSavedRatio);
 */
export async function evaluateToolSearch(options: ToolSearchEvaluationOptions): Promise<ToolSearchEvaluation> {
  const k = options.k ?? DEFAULT_TOOL_SEARCH_K;
  const search = options.search ?? (await createToolSearch(options.tools, { ...options.searchOptions, k }));
  const counter = tokenCounter(options.model ?? 'gpt-4o');
  const byName = new Map(options.tools.map((tool) => [tool.name, tool]));
  const allToolsTokens = counter.tools(options.tools);
  let first = 0;
  let found = 0;
  let selectedTokens = 0;
  const misses: ToolSearchEvaluation['misses'] = [];
  for (const { query, expected } of options.queries) {
    const selected = (await search.search(query, { k })).map((hit) => hit.name);
    if (selected[0] !== undefined && expected.includes(selected[0])) first++;
    if (expected.every((name) => selected.includes(name))) found++;
    else misses.push({ query, expected, selected });
    selectedTokens += counter.tools(selected.flatMap((name) => byName.get(name) ?? []));
  }
  const count = options.queries.length;
  const selectedToolsTokens = count === 0 ? 0 : selectedTokens / count;
  return {
    queries: count,
    k,
    recallAt1: count === 0 ? 0 : first / count,
    recallAtK: count === 0 ? 0 : found / count,
    allToolsTokens,
    selectedToolsTokens,
    tokensSavedRatio: allToolsTokens === 0 ? 0 : 1 - selectedToolsTokens / allToolsTokens,
    misses,
  };
}
