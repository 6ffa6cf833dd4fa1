/**
 * Context assembly: the messages to send a model within a token budget and the provider's caps, counted as the
 * model counts them (`countContext`), with a manifest of what became of every item.
 *
 * The strategies run in this order, each only on documents and tool results that are not pinned (never on the
 * system prompt, a system message, a pinned item, or what the user or the assistant wrote):
 * 1. JSON texts lose their whitespace (always; lossless);
 * 2. sentences already said elsewhere in the context are left out (always);
 * 3. documents and tool results over the provider's per-item caps are compressed, then truncated, to the cap;
 * 4. while over the token limit: long texts are cut to the sentences most relevant to the request (the oldest
 *    turns' first, then documents, the current turn's last), each keeping at least `keepRatio` of its tokens;
 * 5. while over a limit: the oldest turns are dropped whole (tool calls with their results);
 * 6. while over the token limit: documents (the last given first) are cut further, as far as the limit needs, down
 *    to their most relevant sentence;
 * 7. while over a limit: documents that are not pinned are dropped, the last given first — and, with a summariser,
 *    the dropped turns are replaced by one summary;
 * 8. the last resort: the current turn's tool results are truncated at a token boundary, with a marker.
 * Pinned items, the system prompt and the last user turn (the last user message and what follows it) are never
 * dropped; when even they do not fit, a `ContextOverflowError` says by how much, before anything else runs.
 * Texts are counted through `cachedTokenCounter`: re-assembling a conversation tokenizes only its new messages.
 */
import { createSifEmbedder, type Embedder } from '@baton/cache';
import type { ModelMessage } from 'ai';
import type { CountedTool } from '../tokens/token-counter.js';
import { toolsAsList } from '../tools/tool-set-list.js';
import { cachedTokenCounter } from './cached-token-counter.js';
import { type ContextAssembly, type ContextItem, contextItems, overMessages, overTokens } from './context-items.js';
import { manifestOf } from './context-manifest.js';
import { type ContextLimits, checkMinimum } from './context-minimum.js';
import type { AssembleContextOptions, AssembledContext, ContextSummary, SummariseStrategy } from './context-options.js';
import { validateContextOptions } from './context-options.js';
import { ContextOverflowError } from './context-overflow-error.js';
import { dropOldest, messagesDropped } from './drop-turns.js';
import { minifyJsonTexts, removeRepeatedSentences } from './lossless-strategies.js';
import { compressByRelevance, compressToFit, enforceItemCaps, truncateCurrentTurn } from './lossy-strategies.js';
import { messageTokens } from './message-tokens.js';
import { createRelevanceCompressor, type RelevanceCompressor } from './relevant-sentences.js';
import { summariseTurns, summaryReserve } from './summarise-turns.js';

const DEFAULT_MIN_TOKENS = 200;
const DEFAULT_KEEP_RATIO = 0.5;

let sharedEmbedder: Embedder | undefined;

/** One SIF embedder for every assembly: its word vectors are loaded once. */
function defaultEmbedder(): Embedder {
  if (!sharedEmbedder) sharedEmbedder = createSifEmbedder();
  return sharedEmbedder;
}

function limitsOf(options: AssembleContextOptions): ContextLimits {
  const budget = options.budget.maxInputTokens - options.budget.reserveOutputTokens;
  const cap = options.providerCaps?.maxInputTokens;
  const tokensLimit = cap !== undefined && cap < budget ? 'maxInputTokens' : 'budget';
  return { tokens: Math.min(budget, cap ?? budget), tokensLimit, caps: options.providerCaps ?? {} };
}

function lastUserText(messages: readonly ModelMessage[]): string {
  const message = messages.findLast((candidate) => candidate.role === 'user');
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

function compressorOf(options: AssembleContextOptions, assembly: ContextAssembly): RelevanceCompressor | undefined {
  const compress = options.strategies?.compress ?? {};
  if (compress === false) return undefined;
  const embedder = compress.embedder ?? defaultEmbedder();
  return createRelevanceCompressor({
    embedder,
    counter: assembly.counter,
    query: options.query ?? lastUserText(options.messages),
  });
}

async function addSummary(
  assembly: ContextAssembly,
  summarise: SummariseStrategy,
  dropped: readonly ContextItem[],
  abortSignal: AbortSignal | undefined,
): Promise<(ContextSummary & { message: ModelMessage }) | undefined> {
  const note = (reason: string) => {
    for (const item of dropped) item.reasons.push(reason);
  };
  if (overTokens(assembly, summaryReserve(assembly.counter, summarise.maxTokens)) || overMessages(assembly, 1)) {
    note('no room left for a summary');
    return undefined;
  }
  let summary: Awaited<ReturnType<typeof summariseTurns>>;
  try {
    const messages = dropped.map((item) => item.message);
    summary = await summariseTurns({ ...summarise, counter: assembly.counter, messages, abortSignal });
  } catch (error) {
    note(`the summary call failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
    return undefined;
  }
  const tokens = messageTokens(assembly.counter, summary.message);
  if (assembly.total + tokens > assembly.limit) {
    note('the summary did not fit');
    return undefined;
  }
  assembly.total += tokens;
  assembly.messages += 1;
  for (const item of dropped) {
    item.status = 'summarised';
    item.reasons.push('replaced by the summary');
  }
  return summary;
}

async function applyStrategies(
  options: AssembleContextOptions,
  assembly: ContextAssembly,
): Promise<(ContextSummary & { message: ModelMessage; messages: number }) | undefined> {
  const strategies = options.strategies ?? {};
  if (strategies.minifyJson !== false) minifyJsonTexts(assembly);
  if (strategies.removeDuplicates !== false) removeRepeatedSentences(assembly);
  const compressor = compressorOf(options, assembly);
  await enforceItemCaps(assembly, compressor);
  const compress = strategies.compress || {};
  const settings = compressor && {
    compressor,
    minTokens: compress.minTokens ?? DEFAULT_MIN_TOKENS,
    keepRatio: compress.keepRatio ?? DEFAULT_KEEP_RATIO,
  };
  const originals = settings && overTokens(assembly) ? await compressByRelevance(assembly, settings) : new Map();
  const { summarise } = strategies;
  const reserve = summarise ? summaryReserve(assembly.counter, summarise.maxTokens) : 0;
  const dropped = dropOldest(assembly, { summaryReserve: reserve, documents: false });
  if (settings) await compressToFit(assembly, settings, originals, messagesDropped(assembly) ? reserve : 0);
  dropped.push(...dropOldest(assembly, { summaryReserve: reserve }));
  dropped.sort((a, b) => a.index - b.index);
  const summary =
    summarise && dropped.length > 0 ? await addSummary(assembly, summarise, dropped, options.abortSignal) : undefined;
  truncateCurrentTurn(assembly);
  return summary && { ...summary, messages: dropped.length };
}

function messagesOf(items: readonly ContextItem[], summary: ModelMessage | undefined): ModelMessage[] {
  const kept = items.filter((item) => !item.dropped);
  const at = kept.findIndex((item) => item.kind === 'message');
  const messages = kept.map((item) => item.message);
  if (summary) messages.splice(at === -1 ? messages.length : at, 0, summary);
  return messages;
}

/**
 * The messages to send within `budget` and `providerCaps`, their exact token count, and the manifest.
 *
 * @example
 * const context = await assembleContext({
 *   model: 'gpt-4o',
 *   system: 'You answer questions about invoices.',
 *   messages: conversation,
 *   documents: [{ id: 'policy', text: refundPolicy }],
 *   budget: { maxInputTokens: 8_000, reserveOutputTokens: 1_000 },
 * });
 * await generateText({ model, messages: context.messages }); // context.tokens ≤ 7,000
 */
export async function assembleContext(given: AssembleContextOptions): Promise<AssembledContext> {
  const options = given.tools === undefined ? given : { ...given, tools: await toolsAsList(given.tools) };
  validateContextOptions(options);
  const counter = cachedTokenCounter(options.model);
  const tools = (options.tools ?? []) as readonly CountedTool[];
  const toolTokens = counter.tools(tools);
  const limits = limitsOf(options);
  const items = contextItems(counter, {
    system: options.system,
    messages: options.messages,
    documents: options.documents ?? [],
    pinned: options.pinned ?? [],
  });
  checkMinimum(counter, items, counter.requestOverhead + toolTokens, limits);
  const total = items.reduce((sum, item) => sum + item.tokens, counter.requestOverhead + toolTokens);
  const assembly: ContextAssembly = {
    counter,
    items,
    total,
    limit: limits.tokens,
    caps: limits.caps,
    messages: items.length,
  };
  const summary = await applyStrategies(options, assembly);
  if (overTokens(assembly) || overMessages(assembly)) {
    // checkMinimum holds the floor every strategy can reach: this is a bug, reported as what it would cost.
    throw new ContextOverflowError({
      limit: limits.tokensLimit,
      needed: assembly.total,
      available: assembly.limit,
      unit: 'tokens',
    });
  }
  const manifest = manifestOf(
    items,
    { count: tools.length, tokens: toolTokens },
    summary && { tokens: messageTokens(counter, summary.message), messages: summary.messages },
  );
  const result: AssembledContext = {
    messages: messagesOf(items, summary?.message),
    tokens: assembly.total,
    limit: limits.tokens,
    manifest,
  };
  if (summary) result.summary = { text: summary.text, usage: summary.usage };
  return result;
}
