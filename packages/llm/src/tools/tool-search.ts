/**
 * Tool search: the few tools out of many that fit a request. Three views of each tool are ranked and mixed:
 *
 * - lexical: BM25+ (minisearch) over the name cut into words, the description, and the parameters' names and
 *   descriptions, the name weighing most; terms are folded by `search-terms.ts`, and longer request words also match
 *   as prefixes and with a typo (one edit from four letters, two from eight); neighbouring words are also tried as one
 *   (`to-do` → todo, `pay stub` → paystub, `not committed` → uncommitted, `request-compounds.ts`); the words of the
 *   concepts the request's everyday words signal (`umbrella` → weather, `agenda` → calendar, `show` → read,
 *   `request-concepts.ts`) are added to the query at `conceptWeight` of a request word's weight, and what it quotes
 *   (the text to translate, the message to post: `quoted-text.ts`) at 0.3, since it says what to work on, not which
 *   tool;
 * - semantic: cosine between the request (without what it quotes) and the tool's name, description and parameter
 *   names, embedded by the offline SIF embedder of `@baton/cache` (or the embedder given), so a request that shares
 *   no word with a tool still finds it;
 * - values: the values the request names (an e-mail address, a phone number, a path, a date, an SQL statement…,
 *   `values/`) against the kinds of values the tool's parameters take, so "Write to jo@acme.com" finds a tool with an
 *   e-mail parameter whatever words it uses.
 *
 * The text's score is `lexicalWeight × (its BM25 score / the best BM25 score of the request) + (1 − lexicalWeight) ×
 * max(0, cosine)`; a hit's score is `(1 − valueWeight × c) × text + valueWeight × values`, where `c` is the best
 * values score of any tool held (0 when no tool takes what the request names), so it stays in [0, 1]. When the
 * request names a product that tools are named after (`redis` of `redis_get`, `tool-namespaces.ts`), that product's
 * tools score `0.925 × score + 0.075` and the others `0.925 × score`. A request for
 * several things ("… and email her the proposal") is also scored clause by clause, a clause counting 0.9 of the whole,
 * and each tool keeps its best. Vectors and the index are built once; `add` and `remove` change them in place, so a
 * tool list that changes (an MCP server's `tools/list_changed`) costs only the tools that changed.
 */
import { cosine, createSifEmbedder, type Embedder } from '@baton/cache';
import { describeValue, type Problem, ValidationError } from '@baton/core';
import type { ToolSet } from 'ai';
import MiniSearch, { type SearchOptions } from 'minisearch';
import { type DenseTools, type HeldTool, HeldTools } from './held-tools.js';
import { withoutQuotations } from './quoted-text.js';
import { requestClauses } from './request-clauses.js';
import { compoundWords } from './request-compounds.js';
import { conceptWords } from './request-concepts.js';
import { searchTerm, splitWords } from './search-terms.js';
import { checkSearchableTools, type SearchableTool, toolParameters } from './searchable-tool.js';
import { namedNamespaces } from './tool-namespaces.js';
import { toolsAsList } from './tool-set-list.js';
import { parameterNames, type ToolFields, toolFields } from './tool-text.js';
import { parameterValueKinds } from './values/parameter-value-kinds.js';
import { requestValueKinds } from './values/request-value-kinds.js';
import { type RequestValues, requestValues, valueKindMask, valueMatch } from './values/value-match.js';
import { loadValueParsers, type ValueParsers } from './values/value-parsers.js';

export interface ToolSearchOptions {
  /** Tools returned at most. @default 5 */
  k?: number;
  /** Least score in [0, 1] a tool needs to be returned. @default 0 (the k best, however weak) */
  minScore?: number;
  /** The embedder of the semantic view. @default the offline SIF embedder (`createSifEmbedder()`) */
  embedder?: Embedder;
  /** Share of the lexical view in the score, in [0, 1]: 0 is embeddings alone, 1 BM25 alone. @default 0.3 */
  lexicalWeight?: number;
  /**
   * Share of the score, in [0, 1], given to how well a tool's parameters take the values the request names (an
   * e-mail address, a phone number, a path, a date…); 0 turns it off. @default 0.3
   */
  valueWeight?: number;
  /**
   * Weight in [0, 1], against 1 for the request's own words, of the words its everyday ones signal in the lexical
   * view (`umbrella` adds weather and forecast); 0 turns them off. @default 0.5
   */
  conceptWeight?: number;
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
  /** How well the tool's parameters take the values the request names, in [0, 1]; 0 when it names none. */
  values: number;
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
const DEFAULT_VALUE_WEIGHT = 0.3;
const DEFAULT_CONCEPT_WEIGHT = 0.5;
/** A clause's score counts for a little less than the whole request's, which reads every word. */
const CLAUSE_SHARE = 0.9;
/**
 * The share of the score that goes to the tools of the products a request names (`redis` of `redis_get`,
 * `tool-namespaces.ts`), when it names one.
 */
const NAMESPACE_SHARE = 0.075;
/** The weight, against 1 for the request's own words, of the words it quotes: what to work on, not which tool. */
const QUOTED_WEIGHT = 0.3;
const FIELD_BOOST = { name: 3, description: 1.5, parameters: 0.5 };

let sharedEmbedder: Embedder | undefined;
/** One SIF embedder for every search that is given none: its word vectors are loaded once. */
const defaultEmbedder = () => {
  sharedEmbedder ??= createSifEmbedder();
  return sharedEmbedder;
};

/** The longest request word matched with a typo. */
const MAX_FUZZY_TERM = 40;

const QUERY_OPTIONS: SearchOptions = {
  boost: FIELD_BOOST,
  combineWith: 'OR',
  prefix: (term) => term.length >= 5,
  // A typo: one edit in a word of four letters or more (`slak`, `refnd`), two from eight (`calroies`); none past
  // MAX_FUZZY_TERM, which is no word but a pasted hash or blob, whose fuzzy match costs the square of its length.
  fuzzy: (term) => (term.length > MAX_FUZZY_TERM ? false : term.length >= 8 ? 2 : term.length >= 4 ? 1 : false),
  weights: { prefix: 0.5, fuzzy: 0.3 },
};

/** A clause is matched by its exact terms only: the whole request has already forgiven its typos. */
const CLAUSE_OPTIONS: SearchOptions = { boost: FIELD_BOOST, combineWith: 'OR' };

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
  const { valueWeight, conceptWeight } = options as ToolSearchOptions;
  for (const [name, value] of [
    ['minScore', minScore],
    ['lexicalWeight', lexicalWeight],
    ['valueWeight', valueWeight],
    ['conceptWeight', conceptWeight],
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

const SEARCH_OPTIONS = ['k', 'minScore', 'embedder', 'lexicalWeight', 'valueWeight', 'conceptWeight'];
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
  readonly #valueWeight: number;
  readonly #conceptWeight: number;
  readonly #embedder: Embedder;
  readonly #tools = new HeldTools();
  readonly #index = new MiniSearch<IndexedTool>({
    fields: ['name', 'description', 'parameters'],
    tokenize: splitWords,
    processTerm: searchTerm,
  });

  constructor(options: ToolSearchOptions) {
    this.#k = options.k ?? DEFAULT_TOOL_SEARCH_K;
    this.#minScore = options.minScore ?? 0;
    this.#lexicalWeight = options.lexicalWeight ?? DEFAULT_LEXICAL_WEIGHT;
    this.#valueWeight = options.valueWeight ?? DEFAULT_VALUE_WEIGHT;
    this.#conceptWeight = options.conceptWeight ?? DEFAULT_CONCEPT_WEIGHT;
    this.#embedder = options.embedder ?? defaultEmbedder();
  }

  get size(): number {
    return this.#tools.size;
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  tools(): SearchableTool[] {
    return this.#tools.tools();
  }

  async add(given: readonly SearchableTool[] | ToolSet): Promise<void> {
    const tools = await toolsAsList(given);
    checkSearchableTools(tools);
    const fields = tools.map(toolFields);
    const vectors = await this.#embedder.embed(fields.map((each, i) => embeddingText(each, tools[i]!)));
    this.remove(tools.map((tool) => tool.name));
    tools.forEach((tool, i) => {
      const takes = valueKindMask(parameterValueKinds(toolParameters(tool)));
      this.#tools.set(tool.name, { tool, vector: vectors[i]!, takes });
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
    // What a request quotes says what to work on, not with which tool: its words count at QUOTED_WEIGHT. A request
    // for several things is also read clause by clause, so each thing's tool can reach the top.
    const texts = [withoutQuotations(query) ?? query, ...requestClauses(query)];
    const vectors = await this.#embedder.embed(texts);
    const dense = this.#tools.dense();
    const parsers = this.#valueWeight > 0 ? await loadValueParsers() : undefined;
    const whole = this.#view(texts[0]!, vectors[0]!, QUERY_OPTIONS, dense, parsers, query);
    // A clause names values only when the whole request does.
    const clauseParsers = whole.values.mask !== 0 ? parsers : undefined;
    const views = [
      whole,
      ...texts.slice(1).map((text, i) => this.#view(text, vectors[i + 1]!, CLAUSE_OPTIONS, dense, clauseParsers)),
    ];
    // Each tool keeps its best score: the whole request's, or a clause's times CLAUSE_SHARE.
    const best = this.#scores(views[0]!, dense);
    const from = new Uint8Array(best.length);
    views.slice(1).forEach((view, clause) => {
      const scores = this.#scores(view, dense);
      for (let i = 0; i < best.length; i++) {
        const score = CLAUSE_SHARE * scores[i]!;
        if (score > best[i]!) [best[i], from[i]] = [score, clause + 1];
      }
    });
    const top: ToolHit[] = [];
    for (let i = 0; i < best.length; i++) {
      const score = best[i]!;
      if (score < minScore || (top.length === k && score <= top[k - 1]!.score)) continue;
      insertRanked(top, { ...this.#parts(views[from[i]!]!, dense.entries[i]!), score }, k);
    }
    return top;
  }

  /**
   * What scoring the tools against `text` needs: its BM25 scores, its vector, the values `request` names (read with
   * `parsers`). `request` is `text` with what it quotes, when `text` is left without it.
   */
  #view(
    text: string,
    vector: Float32Array,
    options: SearchOptions,
    dense: DenseTools,
    parsers?: ValueParsers,
    request = text,
  ): TextView {
    const lexical = new Map<string, number>();
    let best = 0;
    for (const result of this.#lexicalSearch(text, options, request)) {
      lexical.set(result.id as string, result.score);
      best = Math.max(best, result.score);
    }
    const values = requestValues(parsers ? requestValueKinds(request, parsers) : new Set());
    let ceiling = 0;
    if (values.mask !== 0) {
      for (const takes of dense.distinctTakes) ceiling = Math.max(ceiling, valueMatch(values, takes));
    }
    return { lexical, best, vector, values, ceiling, named: namedNamespaces(dense.namespaces, splitWords(text)) };
  }

  /**
   * BM25+ over `text`, its words written apart joined (`compoundWords`, as its own words but matched exactly), the
   * words of `request` that `text` left out (what it quotes) at QUOTED_WEIGHT and, at `conceptWeight`, the words of
   * the concepts it signals.
   */
  #lexicalSearch(text: string, options: SearchOptions, request = text) {
    const words = splitWords(text);
    const own = new Set<string>();
    for (const word of words) {
      const term = searchTerm(word);
      if (term !== null) own.add(term);
    }
    const compounds = compoundWords(words, own);
    const joined = new Set(compounds.map((word) => searchTerm(word) ?? word));
    const quotedWords = request === text ? [] : wordsLeftOut(request, own);
    const quoted = new Set(quotedWords.map((word) => searchTerm(word) ?? word));
    const concepts = this.#conceptWeight === 0 ? [] : conceptWords(new Set([...own, ...joined]), words);
    const added = [...compounds, ...quotedWords, ...concepts];
    if (added.length === 0) return this.#index.search(text, options);
    const weight = this.#conceptWeight;
    // Added words are matched exactly, neither as prefixes nor with a typo: a concept's are the tools' own
    // vocabulary, a joined pair that is no word would find one a typo away, and a quotation is what it says.
    const { prefix, fuzzy } = options;
    return this.#index.search(`${text} ${added.join(' ')}`, {
      ...options,
      boostTerm: (term) => (own.has(term) || joined.has(term) ? 1 : quoted.has(term) ? QUOTED_WEIGHT : weight),
      prefix: (term, i, terms) => own.has(term) && (typeof prefix === 'function' ? prefix(term, i, terms) : !!prefix),
      fuzzy: (term, i, terms) =>
        own.has(term) ? (typeof fuzzy === 'function' ? fuzzy(term, i, terms) : (fuzzy ?? false)) : false,
    });
  }

  /** A tool's hit as `view` scores it: its BM25, cosine and values parts. */
  #parts(view: TextView, entry: HeldTool): Omit<ToolHit, 'score'> {
    const { name } = entry.tool;
    return {
      name,
      lexical: view.best > 0 ? (view.lexical.get(name) ?? 0) / view.best : 0,
      semantic: Math.max(0, cosine(view.vector, entry.vector)),
      values: view.ceiling > 0 ? valueMatch(view.values, entry.takes) : 0,
    };
  }

  /**
   * Every tool's score for `view`, in the order held: the parts of `#parts` mixed, in loops over dense arrays. The
   * text's share shrinks by what the values can add, so a score stays in [0, 1].
   */
  #scores(view: TextView, dense: DenseTools): Float64Array {
    const { vectors, dimension, takes } = dense;
    const scores = new Float64Array(takes.length);
    const textShare = 1 - this.#valueWeight * view.ceiling;
    const semanticShare = textShare * (1 - this.#lexicalWeight);
    const query = view.vector;
    for (let i = 0, offset = 0; i < scores.length; i++, offset += dimension) {
      let dot = 0;
      for (let d = 0; d < dimension; d++) dot += vectors[offset + d]! * query[d]!;
      scores[i] = semanticShare * Math.min(1, Math.max(0, dot));
    }
    if (view.ceiling > 0) {
      for (let i = 0; i < scores.length; i++) scores[i]! += this.#valueWeight * valueMatch(view.values, takes[i]!);
    }
    if (view.best > 0) {
      const lexicalShare = (textShare * this.#lexicalWeight) / view.best;
      for (const [name, score] of view.lexical) {
        const i = dense.position.get(name);
        if (i !== undefined) scores[i]! += lexicalShare * score;
      }
    }
    const { named } = view;
    if (named !== undefined) {
      const of = dense.namespaces.of;
      for (let i = 0; i < scores.length; i++) {
        const lift = of[i]! >= 0 && named[of[i]!] === 1 ? NAMESPACE_SHARE : 0;
        scores[i] = (1 - NAMESPACE_SHARE) * scores[i]! + lift;
      }
    }
    return scores;
  }
}

interface TextView {
  lexical: Map<string, number>;
  best: number;
  vector: Float32Array;
  values: RequestValues;
  /** The best value score of any held tool: the share the values can add; 0 when no tool takes what is named. */
  ceiling: number;
  /** The namespaces the text names (`namedNamespaces`), or undefined for none. */
  named: Uint8Array | undefined;
}

/** The words of `request` whose index terms are not in `own`, each term once: what a text left out of it quoted. */
function wordsLeftOut(request: string, own: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  return splitWords(request).filter((word) => {
    const term = searchTerm(word);
    if (term === null || own.has(term) || seen.has(term)) return false;
    seen.add(term);
    return true;
  });
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
