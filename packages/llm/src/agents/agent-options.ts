/**
 * What `defineAgent` takes — the model or models in order of preference with their prices, the system prompt, the
 * registered tools, tool search, context assembly, cache and budget — and its check: one `ValidationError` naming
 * every bad option with the value given.
 */
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { describeValue, type Problem, type Registry, ValidationError } from '@baton/core';
import type { ModelMessage } from 'ai';
import type { EnhanceConfig } from '../config/enhance-config.js';
import { unknownKeys } from '../config/unknown-keys.js';
import type { CountedTool } from '../tokens/token-counter.js';

/** Price in US dollars per million tokens. */
export interface ModelPricePerMTok {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** One model an agent may call, with what choosing it costs. */
export interface AgentModel {
  /** An AI SDK v6 language model. */
  model: LanguageModelV3;
  /** Without a price the model's calls cost nothing against a cost budget. */
  price?: ModelPricePerMTok;
  /**
   * The longest answer, in tokens: asked of the model, and what an estimate counts for the answer.
   * @default unset (the model's own limit; estimates count `DEFAULT_OUTPUT_ESTIMATE` tokens)
   */
  maxOutputTokens?: number;
}

/** The context assembler's shape (`assembleContext` of `@baton/llm`, or your own). */
export type AssembleContextFunction = (options: {
  model: string;
  system?: string;
  messages: readonly ModelMessage[];
  tools?: readonly CountedTool[];
  budget: { maxInputTokens: number; reserveOutputTokens: number };
  abortSignal?: AbortSignal;
}) => Promise<{ messages: ModelMessage[]; tokens: number }>;

/** A tool search over the agent's tools (`createToolSearch` of `@baton/llm`, or your own). */
export type CreateToolSearchFunction = (
  tools: readonly CountedTool[],
  options: { k: number; minScore?: number },
) => Promise<{ search(query: string, options?: { k?: number; minScore?: number }): Promise<{ name: string }[]> }>;

export interface AgentToolSearch {
  /** Tools offered to the model per call, at most. */
  k: number;
  /** Least score a tool needs. @default the search's own (0) */
  minScore?: number;
  /** @default `createToolSearch` (BM25 and the offline embedder) */
  create?: CreateToolSearchFunction;
}

export interface AgentContext {
  /** Most tokens one model call takes in and gives out together. */
  maxInputTokens: number;
  /** Tokens kept for the answer. @default the chosen model's `maxOutputTokens`, else 1024 */
  reserveOutputTokens?: number;
  /** @default `assembleContext` (drop the oldest turns, compress long tool results, never split a tool pair) */
  assemble?: AssembleContextFunction;
}

export interface AgentOptions {
  /** The target's name in the registry. */
  name: string;
  /** @default `Agent <name>` */
  description?: string;
  /** @default '1.0.0' */
  version?: string;
  /** The model; with `models`, ignored. */
  model?: LanguageModelV3 | AgentModel;
  /** Models in order of preference: a call takes the first whose estimate what is left of the budget can cover. */
  models?: readonly AgentModel[];
  /**
   * When a model call fails in a way another model may not (its endpoint unreachable, overloaded or failing: a
   * retryable error; or its circuit breaker open), ask the next model of `models` that the budgets can pay for, with a
   * `model-fallback` event; `false` fails the call (the step's `retry` and `fallback` policies then apply). @default true
   */
  modelFallback?: boolean;
  system?: string;
  /** Where the tools are registered (MCP servers' tools too, once connected). */
  registry: Registry;
  /** Registered targets offered as tools: names, or `prefix.*` for every target under a prefix. @default [] */
  tools?: readonly string[];
  /** Offer each model call only the `k` tools most relevant to the request. @default every tool */
  toolSearch?: AgentToolSearch;
  /** Keep each model call within a token budget. @default no assembly (the whole conversation is sent) */
  context?: AgentContext;
  /** `enhance()` options of every model; `false` turns the cache off (the breaker stays). @default { store: 'memory' } */
  cache?: EnhanceConfig | false;
  /** Limits of one agent call's model calls, on top of the run's and step's budgets. */
  budget?: { tokens?: number; costUsd?: number };
  /** Model calls per agent call, at most. @default 8 */
  maxSteps?: number;
  /**
   * Stream each model call, adding every piece of its text to the run's events as a `text-delta` as it arrives. The
   * provider must report usage when streaming (an OpenAI-compatible one: `includeUsage: true`), or the budgets count
   * nothing for the call. @default false
   */
  stream?: boolean;
}

export const DEFAULT_MAX_STEPS = 8;
/** Output tokens an estimate counts for a model with no `maxOutputTokens`. */
export const DEFAULT_OUTPUT_ESTIMATE = 1024;

const isModel = (value: unknown): value is LanguageModelV3 =>
  typeof value === 'object' &&
  value !== null &&
  (value as LanguageModelV3).specificationVersion === 'v3' &&
  typeof (value as LanguageModelV3).doGenerate === 'function';

/** The options each object of `AgentOptions` takes: any other key is a typo, refused rather than ignored. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': [
    'name',
    'description',
    'version',
    'model',
    'models',
    'system',
    'registry',
    'tools',
    'toolSearch',
    'context',
    'cache',
    'budget',
    'maxSteps',
    'stream',
    'modelFallback',
  ],
  toolSearch: ['k', 'minScore', 'create'],
  context: ['maxInputTokens', 'reserveOutputTokens', 'assemble'],
  budget: ['tokens', 'costUsd'],
};

const MODEL_ENTRY_KEYS = ['model', 'price', 'maxOutputTokens'];

function refuseUnknownKeys(value: unknown, at: string, known: readonly string[], problems: Problem[]): void {
  for (const { key, path } of unknownKeys(value, known, at)) {
    problems.push({
      path,
      code: 'unknown-option',
      message: `unknown option ${describeValue(key)} (known: ${known.join(', ')})`,
    });
  }
}

function checkKeys(options: AgentOptions, problems: Problem[]): void {
  for (const [path, known] of Object.entries(KNOWN_KEYS)) {
    refuseUnknownKeys(path === '' ? options : options[path as keyof AgentOptions], path, known, problems);
  }
  const models = options.models ?? (options.model === undefined ? [] : [options.model]);
  if (!Array.isArray(models)) return;
  models.forEach((entry: unknown, index) => {
    if (isModel(entry)) return;
    refuseUnknownKeys(entry, options.models ? `models[${index}]` : 'model', MODEL_ENTRY_KEYS, problems);
  });
}

const isCount = (value: unknown, min = 0) => Number.isInteger(value) && (value as number) >= min;
const isAmount = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** The models in order of preference, or the problems with them. */
function modelsOf(options: AgentOptions, problems: Problem[]): AgentModel[] {
  const given = options.models ?? (options.model === undefined ? [] : [options.model]);
  if (!Array.isArray(given) || given.length === 0) {
    problems.push({
      path: 'model',
      code: 'required',
      message: `give a model, or models in order of preference; got ${describeValue(options.models ?? options.model)}`,
    });
    return [];
  }
  return given.flatMap((entry: unknown, index) => {
    const path = options.models ? `models[${index}]` : 'model';
    const candidate = (isModel(entry) ? { model: entry } : entry) as AgentModel;
    if (typeof candidate !== 'object' || candidate === null || !isModel(candidate.model)) {
      problems.push({ path, code: 'type', message: `must be an AI SDK v6 model, got ${describeValue(entry)}` });
      return [];
    }
    const { price, maxOutputTokens } = candidate;
    if (price !== undefined && !(isAmount(price?.inputPerMTok) && isAmount(price?.outputPerMTok))) {
      problems.push({
        path: `${path}.price`,
        code: 'type',
        message: `must be { inputPerMTok, outputPerMTok } in dollars ≥ 0, got ${describeValue(price)}`,
      });
    }
    if (maxOutputTokens !== undefined && !isCount(maxOutputTokens, 1)) {
      problems.push({
        path: `${path}.maxOutputTokens`,
        code: 'range',
        message: `must be an integer ≥ 1, got ${describeValue(maxOutputTokens)}`,
      });
    }
    return [candidate];
  });
}

/** The most tokens a model call of the agent keeps for its answer. */
function answerRoom(options: AgentOptions): number | undefined {
  if (options.context?.reserveOutputTokens !== undefined) return options.context.reserveOutputTokens;
  const models = options.models ?? (options.model === undefined ? [] : [options.model]);
  const rooms = models.map((entry) =>
    'model' in entry && typeof entry.model === 'object'
      ? (entry.maxOutputTokens ?? DEFAULT_OUTPUT_ESTIMATE)
      : DEFAULT_OUTPUT_ESTIMATE,
  );
  return rooms.length === 0 ? undefined : Math.max(...rooms);
}

function checkLimits(options: AgentOptions, problems: Problem[]): void {
  const { toolSearch, context, budget, maxSteps } = options;
  if (toolSearch !== undefined && !isCount(toolSearch?.k, 1)) {
    problems.push({
      path: 'toolSearch.k',
      code: 'range',
      message: `must be an integer ≥ 1, got ${describeValue(toolSearch?.k)}`,
    });
  }
  if (context !== undefined && !isCount(context?.maxInputTokens, 1)) {
    problems.push({
      path: 'context.maxInputTokens',
      code: 'range',
      message: `must be an integer ≥ 1, got ${describeValue(context?.maxInputTokens)}`,
    });
  } else if (context !== undefined) {
    const room = answerRoom(options);
    if (room !== undefined && context.maxInputTokens <= room) {
      problems.push({
        path: 'context.maxInputTokens',
        code: 'range',
        message:
          `must be more than the ${room} tokens kept for the answer (context.reserveOutputTokens, else a model's ` +
          `maxOutputTokens, else ${DEFAULT_OUTPUT_ESTIMATE}), got ${context.maxInputTokens}`,
      });
    }
  }
  for (const name of ['tokens', 'costUsd'] as const) {
    const value = budget?.[name];
    if (value !== undefined && !isAmount(value)) {
      problems.push({
        path: `budget.${name}`,
        code: 'range',
        message: `must be a number ≥ 0, got ${describeValue(value)}`,
      });
    }
  }
  if (maxSteps !== undefined && !isCount(maxSteps, 1)) {
    problems.push({
      path: 'maxSteps',
      code: 'range',
      message: `must be an integer ≥ 1, got ${describeValue(maxSteps)}`,
    });
  }
  if (options.modelFallback !== undefined && typeof options.modelFallback !== 'boolean') {
    problems.push({
      path: 'modelFallback',
      code: 'type',
      message: `must be a boolean, got ${describeValue(options.modelFallback)}`,
    });
  }
  if (options.stream !== undefined && typeof options.stream !== 'boolean') {
    problems.push({ path: 'stream', code: 'type', message: `must be a boolean, got ${describeValue(options.stream)}` });
  }
}

/** The options checked, with the models in order of preference; a `ValidationError` lists every problem. */
export function checkAgentOptions(options: AgentOptions): { models: AgentModel[] } {
  const problems: Problem[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('invalid agent options', [
      { path: '', code: 'type', message: `must be an object, got ${describeValue(options)}` },
    ]);
  }
  if (typeof options.name !== 'string' || options.name === '') {
    problems.push({
      path: 'name',
      code: 'required',
      message: `must be a target name, got ${describeValue(options.name)}`,
    });
  }
  const models = modelsOf(options, problems);
  if (typeof options.registry?.list !== 'function') {
    problems.push({
      path: 'registry',
      code: 'required',
      message: `must be a registry, got ${describeValue(options.registry)}`,
    });
  }
  const tools = options.tools ?? [];
  if (!Array.isArray(tools) || !tools.every((tool) => typeof tool === 'string' && tool !== '')) {
    problems.push({
      path: 'tools',
      code: 'type',
      message: `must be target names, got ${describeValue(options.tools)}`,
    });
  }
  checkLimits(options, problems);
  checkKeys(options, problems);
  if (problems.length > 0)
    throw new ValidationError(`invalid options of agent ${describeValue(options.name)}`, problems);
  return { models };
}
