/**
 * Tool search: the few tools out of many that fit a request. Two views of each tool are ranked and mixed:
 *
 * - lexical: BM25+ (minisearch) over the name cut into words, the description, and the parameters' names and
 *   descriptions, the name weighing most; terms are folded by `search-terms.ts`, and longer request words also match
 *   as prefixes and with a typo (one edit from four letters, two from eight);
 * - semantic: cosine between the request and the tool's name, description and parameter names, embedded by the
 *   offline SIF embedder of `@baton/cache` (or the embedder given), so a request that shares no word with a tool
 *   still finds it.
 *
 * A hit's score is `lexicalWeight × (its BM25 score / the best BM25 score of the request) + (1 − lexicalWeight) ×
 * max(0, cosine)`, in [0, 1]. Vectors and the index are built once; `add` and `remove` change them in place, so a
 * tool list that changes (an MCP server's `tools/list_changed`) costs only the tools that changed.
 */
import { cosine, createSifEmbedder, type Embedder } from '@baton/cache';
import { describeValue, type Problem, ValidationError } from '@baton/core';
import type { ToolSet } from 'ai';
import MiniSearch, { type SearchOptions } from 'minisearch';
import { searchTerm, splitWords } from './search-terms.js';
import { checkSearchableTools, type SearchableTool, toolParameters } from './searchable-tool.js';
import { toolsAsList } from './tool-set-list.js';
import { parameterNames, type ToolFields, toolFields } from './tool-text.js';

export interface ToolSearchOptions {
  /** Tools returned at most. @default 5 */
  k?: number;
  /** Least score in [0, 1] a tool needs to be returned. @default 0 (the k best, however weak) */
  minScore?: number;
  /** The embedder of the semantic view. @default the offline SIF embedder (`createSifEmbedder()`) */
  embedder?: Embedder;
  /** Share of the lexical view in the score, in [0, 1]: 0 is embeddings alone, 1 BM25 alone. @default 0.3 */
  lexicalWeight?: number;
}

export interface ToolSearchQueryOptions {
  /** Tools returned at most; the search's own `k` when unset. */
  k?: number;
  /** Least score; the search's own `minScore` when unset. */
  minScore?: number;
}

export interface ToolHit {
  name: string;
  /** The mixed score in [0, 1]. */
  score: number;
  /** The BM25+ score relative to the request's best, in [0, 1]. */
  lexical: number;
  /** The cosine similarity, floored at 0. */
  semantic: number;
}

export interface ToolSearch {
  /** Tools held. */
  readonly size: number;
  /** The best tools for `query`, best first; ties keep the order the tools were added in. */
  search(query: string, options?: ToolSearchQueryOptions): Promise<ToolHit[]>;
  /** Adds tools (a list, or an AI SDK `ToolSet`); one with the name of a held tool replaces it. */
  add(tools: readonly SearchableTool[] | ToolSet): Promise<void>;
  /** Removes tools by name; unknown names are ignored. */
  remove(names: readonly string[]): void;
  has(name: string): boolean;
  /** The tools held, in the order they were added. */
  tools(): SearchableTool[];
}

export const DEFAULT_TOOL_SEARCH_K = 5;
const DEFAULT_LEXICAL_WEIGHT = 0.3;
const FIELD_BOOST = { name: 3, description: 1.5, parameters: 0.5 };

let sharedEmbedder: Embedder | undefined;
/** One SIF embedder for every search that is given none: its word vectors are loaded once. */
const defaultEmbedder = () => {
  sharedEmbedder ??= createSifEmbedder();
  return sharedEmbedder;
};

const QUERY_OPTIONS: SearchOptions = {
  boost: FIELD_BOOST,
  combineWith: 'OR',
  prefix: (term) => term.length >= 5,
  // A typo: one edit in a word of four letters or more (`slak`, `refnd`), two from eight (`calroies`).
  fuzzy: (term) => (term.length >= 8 ? 2 : term.length >= 4 ? 1 : false),
  weights: { prefix: 0.5, fuzzy: 0.3 },
};

interface IndexedTool extends ToolFields {
  id: string;
}

function optionProblems(options: ToolSearchOptions | ToolSearchQueryOptions, path: string): Problem[] {
  const problems: Problem[] = [];
  const { k, minScore } = options;
  const lexicalWeight = (options as ToolSearchOptions).lexicalWeight;
  if (k !== undefined && !(Number.isInteger(k) && k > 0)) {
    problems.push({ path: `${path}.k`, code: 'invalid', message: `must be an integer > 0, got ${describeValue(k)}` });
  }
  for (const [name, value] of [
    ['minScore', minScore],
    ['lexicalWeight', lexicalWeight],
  ] as const) {
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) {
      problems.push({
        path: `${path}.${name}`,
        code: 'invalid',
        message: `must be a number in [0, 1], got ${describeValue(value)}`,
      });
    }
  }
  return problems;
}

/** The problems of tool search options (`k`, `minScore`), for callers that check their own configuration. */
export function toolSearchOptionProblems(options: ToolSearchQueryOptions, path = 'toolSearch'): Problem[] {
  return optionProblems(options, path);
}

const SEARCH_OPTIONS = ['k', 'minScore', 'embedder', 'lexicalWeight'];
const QUERY_OPTION_NAMES = ['k', 'minScore'];

/** Options a search does not know, which it would otherwise ignore (`topK` for `k`, say). */
function unknownOptionProblems(options: object, known: readonly string[], path: string): Problem[] {
  return Object.keys(options)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      path: `${path}.${key}`,
      code: 'unknown-option',
      message: `unknown option ${JSON.stringify(key.slice(0, 60))} (known: ${known.join(', ')})`,
    }));
}

function checkOptions(
  options: ToolSearchOptions | ToolSearchQueryOptions,
  path: string,
  known: readonly string[] = SEARCH_OPTIONS,
): void {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('invalid tool search options', [
      { path, code: 'type', message: `must be an object, got ${describeValue(options)}` },
    ]);
  }
  const problems = [...unknownOptionProblems(options, known, path), ...optionProblems(options, path)];
  if (problems.length > 0) throw new ValidationError('invalid tool search options', problems);
}

/** The text embedded for a tool: what it is called, what it does, what it takes. */
const embeddingText = (fields: ToolFields, tool: SearchableTool) =>
  `${fields.name}. ${fields.description} ${parameterNames(toolParameters(tool))}`;

class HybridToolSearch implements ToolSearch {
  readonly #k: number;
  readonly #minScore: number;
  readonly #lexicalWeight: number;
  readonly #embedder: Embedder;
  readonly #tools = new Map<string, { tool: SearchableTool; vector: Float32Array }>();
  readonly #index = new MiniSearch<IndexedTool>({
    fields: ['name', 'description', 'parameters'],
    tokenize: splitWords,
    processTerm: searchTerm,
  });

  constructor(options: ToolSearchOptions) {
    this.#k = options.k ?? DEFAULT_TOOL_SEARCH_K;
    this.#minScore = options.minScore ?? 0;
    this.#lexicalWeight = options.lexicalWeight ?? DEFAULT_LEXICAL_WEIGHT;
    this.#embedder = options.embedder ?? defaultEmbedder();
  }

  get size(): number {
    return this.#tools.size;
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  tools(): SearchableTool[] {
    return [...this.#tools.values()].map((entry) => entry.tool);
  }

  async add(given: readonly SearchableTool[] | ToolSet): Promise<void> {
    const tools = await toolsAsList(given);
    checkSearchableTools(tools);
    const fields = tools.map(toolFields);
    const vectors = await this.#embedder.embed(fields.map((each, i) => embeddingText(each, tools[i]!)));
    this.remove(tools.map((tool) => tool.name));
    tools.forEach((tool, i) => {
      this.#tools.set(tool.name, { tool, vector: vectors[i]! });
      this.#index.add({ id: tool.name, ...fields[i]! });
    });
  }

  remove(names: readonly string[]): void {
    for (const name of names) {
      if (!this.#tools.delete(name)) continue;
      this.#index.discard(name);
    }
  }

  async search(query: string, options: ToolSearchQueryOptions = {}): Promise<ToolHit[]> {
    checkOptions(options, 'options', QUERY_OPTION_NAMES);
    if (typeof query !== 'string') {
      throw new ValidationError('invalid tool search query', [
        { path: 'query', code: 'type', message: `must be a string, got ${describeValue(query)}` },
      ]);
    }
    const k = options.k ?? this.#k;
    const minScore = options.minScore ?? this.#minScore;
    if (this.#tools.size === 0 || query.trim() === '') return [];
    const lexical = new Map<string, number>();
    let best = 0;
    for (const result of this.#index.search(query, QUERY_OPTIONS)) {
      lexical.set(result.id as string, result.score);
      best = Math.max(best, result.score);
    }
    const [vector] = await this.#embedder.embed([query]);
    const top: ToolHit[] = [];
    const weight = this.#lexicalWeight;
    for (const [name, entry] of this.#tools) {
      const relative = best > 0 ? (lexical.get(name) ?? 0) / best : 0;
      const semantic = Math.max(0, cosine(vector!, entry.vector));
      const score = weight * relative + (1 - weight) * semantic;
      if (score < minScore || (top.length === k && score <= top[k - 1]!.score)) continue;
      insertRanked(top, { name, score, lexical: relative, semantic }, k);
    }
    return top;
  }
}

/** Puts `hit` in place in `top` (best first, at most `k`), after hits with the same score. */
function insertRanked(top: ToolHit[], hit: ToolHit, k: number): void {
  let at = top.length;
  while (at > 0 && top[at - 1]!.score < hit.score) at--;
  top.splice(at, 0, hit);
  if (top.length > k) top.pop();
}

/**
 * @example
 * const search = await createToolSearch(tools, { k: 5 });
 * const hits = await search.search('will it rain in Porto this weekend?');
 * // [{ name: 'weather_get_forecast', score: 0.71, … }, …]
 */
export async function createToolSearch(
  given: readonly SearchableTool[] | ToolSet,
  options: ToolSearchOptions = {},
): Promise<ToolSearch> {
  checkOptions(options, 'options');
  const search = new HybridToolSearch(options);
  // `add` takes a ToolSet as a list, and refuses tools it cannot search.
  await search.add(given);
  return search;
}
