/**
 * The rules of context assembly over 10,000 random conversations (fixed seed): within the budget and every cap by
 * an independent recount, pinned items and the last user message sent unchanged, no tool call without its result,
 * the system prompt whole and first, messages in order — and a `ContextOverflowError` exactly when the items that
 * may not go do not fit.
 */
import type { Embedder } from '@baton/cache';
import type { ModelMessage } from 'ai';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CountedTool, type TokenCounter, tokenCounter } from '../tokens/token-counter.js';
import { assembleContext } from './assemble-context.js';
import { documentMessage } from './context-items.js';
import type { AssembleContextOptions, ContextDocument, ProviderCaps } from './context-options.js';
import { ContextOverflowError } from './context-overflow-error.js';
import { countContext, messageTokens, toolOutputText } from './message-tokens.js';
import { truncationFloor } from './truncate-text.js';

const WORDS = ['the', 'invoice', 'Porto', 'weather', 'refund', 'order', '42', 'is', 'late', 'today', 'and', 'email'];

/** A cheap stand-in for the SIF embedder (a unit test may use one): hashed words in 8 dimensions. */
const hashEmbedder: Embedder = {
  id: 'hash-8',
  dimension: 8,
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Float32Array(8);
      for (const word of text.toLowerCase().split(/\W+/)) if (word) vector[word.length % 8]! += 1;
      const norm = Math.hypot(...vector) || 1;
      return vector.map((value) => value / norm);
    });
  },
};

const sentence = fc
  .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 })
  .map((words) => `${words.join(' ')}.`);
const prose = fc.array(sentence, { minLength: 1, maxLength: 3 }).map((sentences) => sentences.join(' '));
const longProse = fc.array(sentence, { minLength: 1, maxLength: 8 }).map((sentences) => sentences.join(' '));
const output = fc.oneof(
  longProse.map((value) => ({ type: 'text' as const, value })),
  prose.map((value) => ({ type: 'error-text' as const, value })),
  fc.dictionary(fc.constantFrom(...WORDS), prose, { maxKeys: 3 }).map((value) => ({ type: 'json' as const, value })),
  fc
    .dictionary(fc.constantFrom(...WORDS), prose, { maxKeys: 3 })
    .map((value) => ({ type: 'text' as const, value: JSON.stringify(value, null, 2) })),
);

const step = fc.record({
  calls: fc.array(fc.record({ output, separate: fc.boolean() }), { minLength: 0, maxLength: 2 }),
  reply: fc.option(prose, { nil: undefined }),
});

const turn = fc.record({
  user: fc.option(prose, { nil: undefined }),
  asParts: fc.boolean(),
  system: fc.option(prose, { freq: 12, nil: undefined }),
  steps: fc.array(step, { maxLength: 2 }),
});

type Turn = typeof turn extends fc.Arbitrary<infer T> ? T : never;

function messagesOf(turns: readonly Turn[]): ModelMessage[] {
  const messages: ModelMessage[] = [];
  let calls = 0;
  for (const { user, asParts, system, steps } of turns) {
    if (system !== undefined) messages.push({ role: 'system', content: system });
    if (user !== undefined) messages.push({ role: 'user', content: asParts ? [{ type: 'text', text: user }] : user });
    for (const { calls: stepCalls, reply } of steps) {
      if (stepCalls.length > 0) {
        const ids = stepCalls.map(() => `call-${calls++}`);
        messages.push({
          role: 'assistant',
          content: ids.map((toolCallId) => ({
            type: 'tool-call',
            toolCallId,
            toolName: 'lookup',
            input: { q: toolCallId },
          })),
        });
        const results = stepCalls.map(({ output: result }, at) => ({
          type: 'tool-result' as const,
          toolCallId: ids[at]!,
          toolName: 'lookup',
          output: result,
        }));
        if (stepCalls.some((call) => call.separate))
          for (const part of results) messages.push({ role: 'tool', content: [part] });
        else messages.push({ role: 'tool', content: results });
      }
      if (reply !== undefined) messages.push({ role: 'assistant', content: reply });
    }
  }
  return messages;
}

const optionalCount = (min: number, max: number) => fc.option(fc.integer({ min, max }), { freq: 1, nil: undefined });

const scenario = fc
  .record({
    model: fc.constantFrom('gpt-4o', 'gpt-4', 'claude-sonnet-4'),
    system: fc.option(prose, { nil: undefined }),
    turns: fc.array(turn, { minLength: 1, maxLength: 6 }),
    pinnedSeed: fc.array(fc.nat(), { maxLength: 3 }),
    documents: fc.array(fc.record({ text: longProse, pinned: fc.boolean() }), { maxLength: 3 }),
    tools: fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }),
    maxInputTokens: fc.integer({ min: 80, max: 800 }),
    reserve: fc.integer({ min: 0, max: 200 }),
    caps: fc.record({
      maxInputTokens: optionalCount(80, 800),
      maxMessages: optionalCount(4, 40),
      maxToolResultTokens: optionalCount(20, 60),
      maxDocumentTokens: optionalCount(20, 60),
    }),
    compress: fc.boolean(),
    removeDuplicates: fc.boolean(),
    minifyJson: fc.boolean(),
  })
  .map((drawn): AssembleContextOptions => {
    const messages = messagesOf(drawn.turns);
    const caps = Object.fromEntries(Object.entries(drawn.caps).filter(([, value]) => value !== undefined));
    return {
      model: drawn.model,
      system: drawn.system,
      messages,
      pinned: messages.length === 0 ? [] : [...new Set(drawn.pinnedSeed.map((seed) => seed % messages.length))],
      documents: drawn.documents.map((document, index) => ({ id: `doc-${index}`, ...document })),
      tools: [...new Set(drawn.tools)].map((name) => ({
        name,
        description: `Looks up ${name}`,
        parameters: { type: 'object', properties: { q: { type: 'string' } } },
      })),
      budget: { maxInputTokens: drawn.maxInputTokens + drawn.reserve, reserveOutputTokens: drawn.reserve },
      providerCaps: caps as ProviderCaps,
      strategies: {
        compress: drawn.compress ? { embedder: hashEmbedder, minTokens: 12 } : false,
        removeDuplicates: drawn.removeDuplicates,
        minifyJson: drawn.minifyJson,
      },
    };
  });

/** Indexes of the messages that go or stay with `start` (tool calls and their results), found again here. */
function withPairs(messages: readonly ModelMessage[], start: Iterable<number>): Set<number> {
  const ids = (message: ModelMessage) =>
    typeof message.content === 'string'
      ? []
      : message.content.flatMap((part) => ('toolCallId' in part ? [part.toolCallId] : []));
  const found = new Set(start);
  let grew = true;
  while (grew) {
    grew = false;
    const held = new Set([...found].flatMap((index) => ids(messages[index]!)));
    messages.forEach((message, index) => {
      if (!found.has(index) && ids(message).some((id) => held.has(id))) {
        found.add(index);
        grew = true;
      }
    });
  }
  return found;
}

/** A plain check: vitest's `expect` costs more than an assembly, and this runs 10,000 times. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

interface Expectation {
  protectedIndexes: Set<number>;
  pinnedIndexes: Set<number>;
  limit: number;
  overflow: boolean;
}

function floorOf(counter: TokenCounter, message: ModelMessage): number {
  if (message.role !== 'tool') return messageTokens(counter, message);
  const content = message.content.map((part) => {
    if (part.type !== 'tool-result' || part.output.type === 'execution-denied' || part.output.type === 'content')
      return part;
    const text = toolOutputText(part.output);
    const floor = truncationFloor(counter, text);
    return floor === text ? part : { ...part, output: { type: 'text' as const, value: floor } };
  });
  return Math.min(messageTokens(counter, { ...message, content }), messageTokens(counter, message));
}

function expectationOf(options: AssembleContextOptions): Expectation {
  const counter = tokenCounter(options.model);
  const { messages } = options;
  const caps = options.providerCaps ?? {};
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  const systemIndexes = messages.flatMap((message, index) => (message.role === 'system' ? [index] : []));
  const pinnedIndexes = withPairs(messages, [...(options.pinned ?? []), ...systemIndexes]);
  const currentIndexes = withPairs(messages, lastUser === -1 ? [] : messages.map((_, index) => index).slice(lastUser));
  const protectedIndexes = new Set([...pinnedIndexes, ...currentIndexes]);
  const pinnedDocuments = (options.documents ?? []).filter((document) => document.pinned);
  const header: ModelMessage[] = [
    ...(options.system === undefined ? [] : [{ role: 'system' as const, content: options.system }]),
    ...pinnedDocuments.map((document) => documentMessage(document.id, document.text)),
  ];
  let needed = countContext(counter, header, options.tools as readonly CountedTool[] | undefined);
  for (const index of protectedIndexes) {
    const message = messages[index]!;
    needed += pinnedIndexes.has(index) ? messageTokens(counter, message) : floorOf(counter, message);
  }
  const limit = Math.min(
    options.budget.maxInputTokens - options.budget.reserveOutputTokens,
    caps.maxInputTokens ?? Infinity,
  );
  const pinnedResults = [...pinnedIndexes].flatMap((index) => {
    const message = messages[index]!;
    return message.role === 'tool'
      ? message.content.flatMap((part) => (part.type === 'tool-result' ? [toolOutputText(part.output)] : []))
      : [];
  });
  const overCap =
    pinnedDocuments.some((document) => counter.text(document.text) > (caps.maxDocumentTokens ?? Infinity)) ||
    pinnedResults.some((text) => counter.text(text) > (caps.maxToolResultTokens ?? Infinity));
  const overMessages = header.length + protectedIndexes.size > (caps.maxMessages ?? Infinity);
  return { protectedIndexes, pinnedIndexes, limit, overflow: needed > limit || overCap || overMessages };
}

function callIds(messages: readonly ModelMessage[], type: 'tool-call' | 'tool-result'): string[] {
  return messages.flatMap((message) =>
    typeof message.content === 'string'
      ? []
      : message.content.flatMap((part) => (part.type === type ? [part.toolCallId] : [])),
  );
}

function checkCaps(counter: TokenCounter, sent: readonly ModelMessage[], caps: ProviderCaps): void {
  check(sent.length <= (caps.maxMessages ?? Infinity), `${sent.length} messages sent`);
  for (const message of sent) {
    if (message.role === 'system' && message.content.startsWith('<document id=')) {
      const text = message.content.slice(message.content.indexOf('\n') + 1, message.content.lastIndexOf('\n'));
      check(counter.text(text) <= (caps.maxDocumentTokens ?? Infinity), 'a document over maxDocumentTokens');
    }
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type === 'tool-result') {
        const tokens = counter.text(toolOutputText(part.output));
        check(tokens <= (caps.maxToolResultTokens ?? Infinity), 'a tool result over maxToolResultTokens');
      }
    }
  }
}

function checkKept(options: AssembleContextOptions, expectation: Expectation, sent: readonly ModelMessage[]): void {
  const { messages } = options;
  for (const index of expectation.pinnedIndexes)
    check(sent.includes(messages[index]!), `pinned messages[${index}] left out`);
  const lastUser = messages.findLast((message) => message.role === 'user');
  if (lastUser) check(sent.includes(lastUser), 'the last user message left out');
  for (const document of (options.documents ?? []).filter((candidate: ContextDocument) => candidate.pinned)) {
    const { content } = documentMessage(document.id, document.text);
    check(
      sent.some((message) => message.content === content),
      `pinned document ${document.id} changed or left out`,
    );
  }
  if (options.system !== undefined) check(sent[0]?.content === options.system, 'the system prompt changed or moved');
  const calls = callIds(sent, 'tool-call');
  const results = callIds(sent, 'tool-result');
  check(
    results.length === new Set(results).size &&
      new Set(calls).size === results.length &&
      calls.every((id) => results.includes(id)),
    'a tool call split from its result',
  );
}

function checkOrder(
  sent: readonly ModelMessage[],
  manifest: Awaited<ReturnType<typeof assembleContext>>['manifest'],
): void {
  const kept = manifest.filter((item) => item.kind === 'message' && item.tokensAfter > 0);
  const tail = sent.slice(sent.length - kept.length);
  check(
    tail.every((message, at) => message.role === kept[at]!.role),
    'messages out of their place',
  );
  check(
    kept.every((item, at) => at === 0 || item.index! > kept[at - 1]!.index!),
    'messages out of order',
  );
}

describe('assembleContext over random conversations', () => {
  it('stays within the budget and the caps and keeps what it must, or says exactly when it cannot', async () => {
    let overflowed = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenario, async (options) => {
        const expectation = expectationOf(options);
        const counter = tokenCounter(options.model);
        let result: Awaited<ReturnType<typeof assembleContext>>;
        try {
          result = await assembleContext(options);
        } catch (error) {
          if (!ContextOverflowError.isInstance(error)) throw error;
          check(expectation.overflow, `overflow when the minimum fits: ${error.message}`);
          check(error.shortfall === error.needed - error.available && error.shortfall > 0, 'a wrong shortfall');
          overflowed++;
          return;
        }
        check(!expectation.overflow, 'no overflow when the minimum does not fit');
        const recount = countContext(counter, result.messages, options.tools as readonly CountedTool[] | undefined);
        check(recount === result.tokens, `counted ${result.tokens}, recounted ${recount}`);
        check(recount <= expectation.limit, `${recount} tokens over the limit ${expectation.limit}`);
        checkCaps(counter, result.messages, options.providerCaps ?? {});
        checkKept(options, expectation, result.messages);
        checkOrder(result.messages, result.manifest);
        const inputs =
          (options.system === undefined ? 0 : 1) + (options.documents ?? []).length + options.messages.length;
        check(
          result.manifest.filter(
            (item) => item.kind === 'system' || item.kind === 'document' || item.kind === 'message',
          ).length === inputs,
          'an input missing from the manifest',
        );
        for (const status of new Set(result.manifest.map((item) => item.status))) {
          outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
        }
      }),
      { numRuns: 10_000, seed: 13 },
    );
    // Every outcome was reached often enough for the property to mean something.
    expect(overflowed).toBeGreaterThan(500);
    for (const status of ['kept', 'compressed', 'dropped']) expect(outcomes.get(status), status).toBeGreaterThan(500);
    // Truncation is the last resort: compression usually gets an item within its cap first.
    expect(outcomes.get('truncated')).toBeGreaterThan(25);
  }, 120_000);
});
