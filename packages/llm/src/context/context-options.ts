/**
 * What `assembleContext` takes and returns, and the check of what it takes: one `ValidationError` naming every bad
 * option with the value given.
 */
import type { Embedder } from '@baton/cache';
import { describeValue, type Problem, ValidationError } from '@baton/core';
import type { LanguageModel, LanguageModelUsage, ModelMessage, ToolSet } from 'ai';
import { unknownKeys } from '../config/unknown-keys.js';
import type { CountedTool } from '../tokens/token-counter.js';

/** A text the model should read (a retrieved passage, a file), sent as a system message after the system prompt. */
export interface ContextDocument {
  /** Names the document in the manifest and in the `<document id="…">` wrapper the model reads. */
  id: string;
  text: string;
  /** Never dropped, compressed or truncated. @default false */
  pinned?: boolean;
}

export interface ContextBudget {
  /** The most tokens the call may take in and give out together (the model's context window, or less). */
  maxInputTokens: number;
  /** Tokens kept free for the answer: the input may use `maxInputTokens - reserveOutputTokens`. */
  reserveOutputTokens: number;
}

/**
 * The provider's own limits, each optional. The assembled context stays within every one given, as it stays within
 * the budget (whichever is tighter wins).
 */
export interface ProviderCaps {
  /** Input tokens one request may carry (the context window less the output asked for). */
  maxInputTokens?: number;
  /** Messages one request may carry (OpenAI's Chat Completions refuses more than 2,048). */
  maxMessages?: number;
  /** Tokens of one tool result's text (hosts cap them: Claude Code reads at most 25,000 tokens of an MCP result). */
  maxToolResultTokens?: number;
  /** Tokens of one document's text (retrieval APIs cap passages, e.g. a Bedrock knowledge base's chunk size). */
  maxDocumentTokens?: number;
}

export interface CompressStrategy {
  /** Embeds sentences and the request for relevance. @default the offline SIF embedder (`createSifEmbedder`) */
  embedder?: Embedder;
  /** Texts shorter than this are never cut by relevance. @default 200 */
  minTokens?: number;
  /**
   * The share of a text's tokens a first cut keeps, a preference rather than a floor: every long text is first cut
   * no further than this (the next text is cut, then older turns are dropped, before it loses more); a document
   * still over the limit after that is cut as far as the limit needs, down to its most relevant sentence, and is
   * dropped only when not even that fits. @default 0.5
   */
  keepRatio?: number;
}

export interface SummariseStrategy {
  /** The model that summarises dropped turns (AI SDK `generateText`). */
  model: LanguageModel;
  /** The most tokens of summary: asked of the model as `maxOutputTokens`, and room kept for them in the budget. */
  maxTokens: number;
}

/** Which strategies run; all but summarising are on by default. See `assembleContext` for their order. */
export interface ContextStrategies {
  /** Re-serialise JSON texts without whitespace. @default true */
  minifyJson?: boolean;
  /** Leave out sentences already said elsewhere in the context. @default true */
  removeDuplicates?: boolean;
  /** Keep the sentences most relevant to the request when over the limit; `false` turns it off. @default {} */
  compress?: CompressStrategy | false;
  /** Summarise the turns that are dropped into one message. @default undefined (dropped turns are left out) */
  summarise?: SummariseStrategy;
}

export interface AssembleContextOptions {
  /** Model name for counting (`gpt-4o`, `openai/gpt-4.1`, `claude-sonnet-4`): exact for OpenAI, an estimate otherwise. */
  model: string;
  /** The system prompt: always sent first, never truncated. */
  system?: string;
  /** The conversation, oldest first. System messages among them are kept whole, like pinned ones. */
  messages: readonly ModelMessage[];
  /** Indexes into `messages` that are never dropped or changed (with the tool calls or results they pair with). */
  pinned?: readonly number[];
  documents?: readonly ContextDocument[];
  /**
   * The tools the call offers: always sent, counted as the model is shown them. A list of `{ name, description,
   * parameters }` (JSON Schema), or an AI SDK `ToolSet` record.
   */
  tools?: readonly CountedTool[] | ToolSet;
  budget: ContextBudget;
  providerCaps?: ProviderCaps;
  strategies?: ContextStrategies;
  /** What relevance is judged against. @default the text of the last user message */
  query?: string;
  /** Aborts the summary call. */
  abortSignal?: AbortSignal;
}

export type ContextItemKind = 'system' | 'document' | 'message' | 'tools' | 'summary';
export type ContextItemStatus = 'kept' | 'truncated' | 'compressed' | 'summarised' | 'dropped';

/** One input item (or the summary that replaced dropped turns) and what became of it. */
export interface ContextManifestItem {
  kind: ContextItemKind;
  /** The message's index in `messages`, or the document's in `documents`. */
  index?: number;
  /** The document's id. */
  id?: string;
  role?: ModelMessage['role'];
  pinned: boolean;
  /** Tokens as given (0 for a summary). */
  tokensBefore: number;
  /** Tokens as sent (0 when dropped). */
  tokensAfter: number;
  status: ContextItemStatus;
  /** Why, in a few words: `kept whole`, `minified JSON`, `oldest turn dropped to fit 4000 tokens`. */
  reason: string;
}

export interface ContextSummary {
  text: string;
  /** The summary call's usage, to settle against a run's budget. */
  usage: LanguageModelUsage;
}

export interface AssembledContext {
  messages: ModelMessage[];
  /** Tokens of `messages` and `tools` as `countContext` counts them. */
  tokens: number;
  /** The tighter of the budget (less the reserve) and `providerCaps.maxInputTokens`. */
  limit: number;
  manifest: ContextManifestItem[];
  /** When dropped turns were summarised. */
  summary?: ContextSummary;
}

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

function checkBudget(budget: ContextBudget | undefined, problems: Problem[]): void {
  if (typeof budget !== 'object' || budget === null) {
    problems.push({
      path: 'budget',
      code: 'required',
      message: `must be { maxInputTokens, reserveOutputTokens }, got ${describeValue(budget)}`,
    });
    return;
  }
  for (const key of ['maxInputTokens', 'reserveOutputTokens'] as const) {
    if (!isCount(budget[key])) {
      problems.push({
        path: `budget.${key}`,
        code: 'type',
        message: `must be an integer ≥ 0, got ${describeValue(budget[key])}`,
      });
    }
  }
  if (
    isCount(budget.maxInputTokens) &&
    isCount(budget.reserveOutputTokens) &&
    budget.reserveOutputTokens >= budget.maxInputTokens
  ) {
    problems.push({
      path: 'budget.reserveOutputTokens',
      code: 'range',
      message: `must be less than maxInputTokens (${budget.maxInputTokens}), got ${budget.reserveOutputTokens}`,
    });
  }
}

function checkCaps(caps: ProviderCaps | undefined, problems: Problem[]): void {
  for (const [key, value] of Object.entries(caps ?? {})) {
    if (value !== undefined && !(isCount(value) && value > 0)) {
      problems.push({
        path: `providerCaps.${key}`,
        code: 'type',
        message: `must be an integer > 0, got ${describeValue(value)}`,
      });
    }
  }
}

function checkPinned(options: AssembleContextOptions, problems: Problem[]): void {
  for (const [at, index] of (options.pinned ?? []).entries()) {
    if (!(isCount(index) && index < options.messages.length)) {
      problems.push({
        path: `pinned[${at}]`,
        code: 'range',
        message: `must be the index of a message (0 to ${options.messages.length - 1}), got ${describeValue(index)}`,
      });
    }
  }
}

function checkDocuments(documents: readonly ContextDocument[], problems: Problem[]): void {
  const ids = new Set<string>();
  for (const [index, document] of documents.entries()) {
    if (typeof document?.id !== 'string' || typeof document.text !== 'string') {
      problems.push({
        path: `documents[${index}]`,
        code: 'type',
        message: `must be { id: string, text: string }, got ${describeValue(document)}`,
      });
    } else if (ids.has(document.id)) {
      problems.push({
        path: `documents[${index}].id`,
        code: 'duplicate',
        message: `repeats the id ${describeValue(document.id)}`,
      });
    } else ids.add(document.id);
  }
}

function checkStrategies(strategies: ContextStrategies, problems: Problem[]): void {
  const { compress, summarise } = strategies;
  if (compress) {
    const ratio = compress.keepRatio;
    if (ratio !== undefined && !(typeof ratio === 'number' && ratio > 0 && ratio < 1)) {
      problems.push({
        path: 'strategies.compress.keepRatio',
        code: 'range',
        message: `must be between 0 and 1, got ${describeValue(ratio)}`,
      });
    }
    if (compress.minTokens !== undefined && !isCount(compress.minTokens)) {
      problems.push({
        path: 'strategies.compress.minTokens',
        code: 'type',
        message: `must be an integer ≥ 0, got ${describeValue(compress.minTokens)}`,
      });
    }
  }
  if (summarise && !(isCount(summarise.maxTokens) && summarise.maxTokens > 0)) {
    problems.push({
      path: 'strategies.summarise.maxTokens',
      code: 'type',
      message: `must be an integer > 0, got ${describeValue(summarise.maxTokens)}`,
    });
  }
}

const KNOWN: Record<string, readonly string[]> = {
  '': [
    'model',
    'system',
    'messages',
    'pinned',
    'documents',
    'tools',
    'budget',
    'providerCaps',
    'strategies',
    'query',
    'abortSignal',
  ],
  budget: ['maxInputTokens', 'reserveOutputTokens'],
  providerCaps: ['maxInputTokens', 'maxMessages', 'maxToolResultTokens', 'maxDocumentTokens'],
  strategies: ['minifyJson', 'removeDuplicates', 'compress', 'summarise'],
};
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** A misspelt option (`pinnned`, `minifyJSON`) would be ignored silently: it is named instead. */
function checkKeys(options: AssembleContextOptions, problems: Problem[]): void {
  for (const [at, known] of Object.entries(KNOWN)) {
    const value = at === '' ? options : (options as unknown as Record<string, unknown>)[at];
    for (const { path } of unknownKeys(value, known, at)) {
      problems.push({ path, code: 'unknown', message: `is not an option (known: ${known.join(', ')})` });
    }
  }
}

/** Every message has a role a model API knows. */
function checkRoles(messages: readonly ModelMessage[], problems: Problem[]): void {
  messages.forEach((message, index) => {
    const role = (message as { role?: unknown } | null)?.role;
    if (typeof role === 'string' && ROLES.has(role)) return;
    problems.push({
      path: `messages[${index}].role`,
      code: 'enum',
      message: `must be system, user, assistant or tool, got ${describeValue(role)}`,
    });
  });
}

/** The tools are a list of `{ name, … }` (a `ToolSet` record was made one before this check). */
function checkTools(tools: unknown, problems: Problem[]): void {
  const named = (tool: unknown) =>
    typeof tool === 'object' && tool !== null && typeof (tool as { name?: unknown }).name === 'string';
  if (Array.isArray(tools) && tools.every(named)) return;
  problems.push({
    path: 'tools',
    code: 'type',
    message: `must be a list of tools ({ name, description?, parameters? }) or an AI SDK ToolSet, got ${describeValue(tools)}`,
  });
}

/** Throws one `ValidationError` listing every bad option. */
export function validateContextOptions(options: AssembleContextOptions): void {
  const problems: Problem[] = [];
  checkKeys(options, problems);
  if (typeof options.model !== 'string' || options.model === '') {
    problems.push({
      path: 'model',
      code: 'required',
      message: `must be a model name, got ${describeValue(options.model)}`,
    });
  }
  if (!Array.isArray(options.messages)) {
    problems.push({
      path: 'messages',
      code: 'type',
      message: `must be an array of ModelMessage, got ${describeValue(options.messages)}`,
    });
  } else {
    checkRoles(options.messages, problems);
    checkPinned(options, problems);
  }
  checkBudget(options.budget, problems);
  checkCaps(options.providerCaps, problems);
  checkDocuments(options.documents ?? [], problems);
  if (options.tools !== undefined) checkTools(options.tools, problems);
  checkStrategies(options.strategies ?? {}, problems);
  if (problems.length > 0) throw new ValidationError('invalid assembleContext options', problems);
}
