/**
 * context/*: assembling a conversation to a token budget, and compressing documents toward a question.
 *
 * - assemble-200: a 200-message conversation (50 turns of question, tool call, tool result, answer) and a system
 *   prompt cut to a budget of 4,000 input tokens. Baton's `assembleContext` with only turn dropping (no compression,
 *   which LangChain has no counterpart for) against LangChain.js `trimMessages` (strategy `last`, system kept, starting
 *   on a human message so no tool result loses its call) on the same messages, budget and token counter
 *   (`messageTokens` over `cachedTokenCounter`, the counter `assembleContext` uses: text counts are kept across
 *   calls, as an agent re-assembling its conversation before each model call gets them, on both sides). The default
 *   pipeline (JSON minified, duplicates removed, relevance compression) is timed too, on stderr, as is a first
 *   assembly of new messages (nothing cached: the tokenizer's cost, the same on both sides).
 * - assemble-200-within-budget: over ten budgets from 1,000 to 10,000 tokens, the share of results that an
 *   independent recount (`countContext`) finds within the budget with every tool call next to its result.
 * - compression-ratio / compression-key-facts: `evaluateCompression` of the shipped set
 *   (packages/llm/data/compression, 11 documents) with room for 30% of each document.
 */
import { createRequire } from 'node:module';
import {
  assembleContext,
  cachedTokenCounter,
  countContext,
  evaluateCompression,
  messageTokens,
  readCompressionSet,
  tokenCounter,
} from '@baton/llm';
import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  trimMessages,
} from '@langchain/core/messages';
import type { AssistantContent, ModelMessage } from 'ai';
import { median, progress, report, sampleAsync, sampleInterleaved } from './measure.js';

const require = createRequire(import.meta.url);
const PEER = `@langchain/core@${(require('@langchain/core/package.json') as { version: string }).version}`;
const MODEL = 'gpt-4o';
const BUDGET = 4_000;
const SAMPLES = 400;
const SYSTEM = 'You are the order desk assistant of Northwind Outfitters. Answer in two sentences at most.';

const CITIES = ['Porto', 'Lyon', 'Berlin', 'Madrid', 'Utrecht', 'Braga', 'Turin', 'Gdansk'];

function orderRecord(turn: number): string {
  const lines = Array.from({ length: 3 + (turn % 4) }, (_, line) => ({
    sku: `SKU-${1000 + ((turn * 7 + line) % 900)}`,
    qty: 1 + (line % 3),
    unitPrice: 9.5 + ((turn + line) % 40),
  }));
  return JSON.stringify({
    id: `ORD-${20260300 + turn}`,
    status: turn % 3 === 0 ? 'delivered' : 'in_transit',
    city: CITIES[turn % CITIES.length],
    lines,
    note: `Customer asked for delivery after 17:00 on weekdays; parcel ${turn} leaves the ${CITIES[(turn + 3) % CITIES.length]} hub tomorrow.`,
  });
}

/** 50 turns: a question, a tool call, its result, an answer; `salt` makes every text new to the count cache. */
function conversation(salt = ''): ModelMessage[] {
  return Array.from({ length: 50 }, (_, turn): ModelMessage[] => {
    const toolCallId = `call-${turn}`;
    return [
      {
        role: 'user',
        content: `Where is order ORD-${20260300 + turn} and when will it arrive in ${CITIES[turn % CITIES.length]}?${salt}`,
      },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId, toolName: 'order_status', input: { id: `ORD-${20260300 + turn}` } }],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId,
            toolName: 'order_status',
            output: { type: 'text', value: `${orderRecord(turn)}${salt}` },
          },
        ],
      },
      {
        role: 'assistant',
        content: `Order ORD-${20260300 + turn} is on its way and should arrive within two working days.${salt}`,
      },
    ];
  }).flat();
}

function aiMessage(content: AssistantContent, id: string): AIMessage {
  if (typeof content === 'string') return new AIMessage({ content, id });
  const tool_calls = content.flatMap((part) =>
    part.type === 'tool-call'
      ? [{ id: part.toolCallId, name: part.toolName, args: part.input as Record<string, unknown> }]
      : [],
  );
  return new AIMessage({ content: '', tool_calls, id });
}

/** The same conversation as LangChain messages, each with the id of the message it stands for. */
function langchainMessages(messages: readonly ModelMessage[]): BaseMessage[] {
  const converted: BaseMessage[] = [new SystemMessage({ content: SYSTEM, id: 'system' })];
  messages.forEach((message, index) => {
    const id = String(index);
    if (message.role === 'user') converted.push(new HumanMessage({ content: message.content as string, id }));
    if (message.role === 'assistant') converted.push(aiMessage(message.content, id));
    if (message.role === 'tool') {
      const part = message.content[0]!;
      if (part.type !== 'tool-result' || part.output.type !== 'text')
        throw new Error('the bench only has text results');
      converted.push(new ToolMessage({ content: part.output.value, tool_call_id: part.toolCallId, id }));
    }
  });
  return converted;
}

/** The ModelMessages a LangChain result stands for, by the ids given above. */
function backToModelMessages(result: readonly BaseMessage[], messages: readonly ModelMessage[]): ModelMessage[] {
  return result.map((message) =>
    message.id === 'system' ? { role: 'system', content: SYSTEM } : messages[Number(message.id)]!,
  );
}

/**
 * LangChain's token counter: the counter Baton uses (`cachedTokenCounter`, with the process's cache of text counts),
 * through the same `messageTokens`, each message counted once per trim call.
 */
function langchainCounter(messages: readonly ModelMessage[]) {
  const counter = cachedTokenCounter(MODEL);
  const counts = new Map<string, number>();
  const count = (message: BaseMessage) => {
    const id = message.id!;
    let tokens = counts.get(id);
    if (tokens === undefined) {
      const original: ModelMessage = id === 'system' ? { role: 'system', content: SYSTEM } : messages[Number(id)]!;
      tokens = messageTokens(counter, original);
      counts.set(id, tokens);
    }
    return tokens;
  };
  return (list: BaseMessage[]) => list.reduce((sum, message) => sum + count(message), counter.requestOverhead);
}

const trim = (lc: BaseMessage[], messages: readonly ModelMessage[], budget: number) =>
  trimMessages(lc, {
    maxTokens: budget,
    strategy: 'last',
    tokenCounter: langchainCounter(messages),
    includeSystem: true,
    startOn: 'human',
  });

const assemble = (messages: ModelMessage[], budget: number, compress: boolean) =>
  assembleContext({
    model: MODEL,
    system: SYSTEM,
    messages,
    budget: { maxInputTokens: budget, reserveOutputTokens: 0 },
    strategies: compress ? {} : { compress: false, minifyJson: false, removeDuplicates: false },
  });

/** Within the budget by a recount, and no tool call without its result or result without its call. */
function withinBudget(sent: readonly ModelMessage[], budget: number): boolean {
  const ids = (type: 'tool-call' | 'tool-result') =>
    sent.flatMap((message) =>
      typeof message.content === 'string'
        ? []
        : message.content.flatMap((part) => (part.type === type ? [part.toolCallId] : [])),
    );
  const calls = ids('tool-call');
  const results = ids('tool-result');
  const paired = calls.length === results.length && calls.every((id) => results.includes(id));
  return paired && countContext(tokenCounter(MODEL), sent) <= budget;
}

/** One assembly and one trim of conversations no count has seen yet: what tokenizing costs each side. */
async function firstAssemblies(): Promise<{ baton: number[]; peer: number[] }> {
  const baton: number[] = [];
  const peer: number[] = [];
  for (let round = 0; round < 20; round++) {
    const ours = conversation(` (${round}a)`);
    const theirs = conversation(` (${round}b)`);
    const lc = langchainMessages(theirs);
    let started = performance.now();
    await assemble(ours, BUDGET, false);
    baton.push(performance.now() - started);
    started = performance.now();
    await trim(lc, theirs, BUDGET);
    peer.push(performance.now() - started);
  }
  return { baton, peer };
}

async function runAssembleCase(): Promise<void> {
  const messages = conversation();
  const lc = langchainMessages(messages);
  const total = countContext(tokenCounter(MODEL), [{ role: 'system', content: SYSTEM }, ...messages]);
  progress(`context: ${messages.length} messages, ${total} tokens, to a budget of ${BUDGET}`);
  // Interleaved: each side's samples take milliseconds in all, so a moment's load elsewhere would land on one side.
  const [baton = [], peer = []] = await sampleInterleaved(
    [() => assemble(messages, BUDGET, false), () => trim(lc, messages, BUDGET)],
    { warmup: 50, samples: SAMPLES },
  );
  const full = await sampleAsync(() => assemble(messages, BUDGET, true), { warmup: 5, samples: SAMPLES / 4 });
  progress(
    `  assembleContext (drop only) p50 ${median(baton).toFixed(3)} ms, trimMessages p50 ${median(peer).toFixed(3)} ms, ` +
      `assembleContext with every strategy p50 ${median(full).toFixed(3)} ms`,
  );
  const first = await firstAssemblies();
  progress(
    `  first time (nothing counted yet): assembleContext p50 ${median(first.baton).toFixed(3)} ms, ` +
      `trimMessages p50 ${median(first.peer).toFixed(3)} ms`,
  );
  report({
    case: 'context/assemble-200',
    unit: 'ms',
    baton: median(baton),
    peer: median(peer),
    peerName: PEER,
    better: 'lower',
    n: SAMPLES,
  });
  const budgets = Array.from({ length: 10 }, (_, step) => 1_000 * (step + 1));
  let batonWithin = 0;
  let peerWithin = 0;
  for (const budget of budgets) {
    const ours = await assemble(messages, budget, false);
    const theirs = backToModelMessages(await trim(lc, messages, budget), messages);
    if (withinBudget(ours.messages, budget)) batonWithin++;
    if (withinBudget(theirs, budget)) peerWithin++;
    progress(
      `  budget ${budget}: Baton sends ${ours.messages.length} messages (${ours.tokens} tokens), LangChain ${theirs.length} (${countContext(tokenCounter(MODEL), theirs)} tokens)`,
    );
  }
  report({
    case: 'context/assemble-200-within-budget',
    unit: 'share',
    baton: batonWithin / budgets.length,
    peer: peerWithin / budgets.length,
    peerName: PEER,
    better: 'higher',
    n: budgets.length,
  });
}

async function runCompressionCase(): Promise<void> {
  const cases = readCompressionSet(new URL('../packages/llm/data/compression/', import.meta.url));
  const evaluation = await evaluateCompression(cases, { keepRatio: 0.3 });
  for (const result of evaluation.results) {
    const missing = result.missing.length > 0 ? `, missing ${result.missing.join(', ')}` : '';
    progress(
      `  ${result.id}: ${result.tokensBefore} → ${result.tokensAfter} tokens, ${result.keyFactsKept}/${result.keyFacts} key facts${missing}`,
    );
  }
  const facts = evaluation.results.reduce((sum, result) => sum + result.keyFacts, 0);
  report({
    case: 'context/compression-ratio',
    unit: 'tokens after/before',
    baton: evaluation.ratio,
    target: 0.3,
    better: 'lower',
    n: evaluation.cases,
  });
  report({
    case: 'context/compression-key-facts',
    unit: 'share kept',
    baton: evaluation.keyFactsKept,
    target: 0.9,
    better: 'higher',
    n: facts,
  });
}

export async function runContextBench(): Promise<void> {
  await runAssembleCase();
  await runCompressionCase();
}
