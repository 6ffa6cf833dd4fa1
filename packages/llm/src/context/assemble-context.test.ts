import { ValidationError } from '@baton/core';
import { type ModelMessage, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tokenCounter } from '../tokens/token-counter.js';
import { assembleContext } from './assemble-context.js';
import type { AssembleContextOptions } from './context-options.js';
import { ContextOverflowError } from './context-overflow-error.js';
import { countContext } from './message-tokens.js';

const counter = tokenCounter('gpt-4o');

function toolTurn(turn: number, output: string): ModelMessage[] {
  const toolCallId = `call-${turn}`;
  return [
    { role: 'user', content: `Question ${turn}: how is order ${turn} doing?` },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId, toolName: 'order', input: { id: turn } }] },
    {
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId, toolName: 'order', output: { type: 'text', value: output } }],
    },
    { role: 'assistant', content: `Order ${turn} is on its way.` },
  ];
}

const conversation = (turns: number) =>
  Array.from({ length: turns }, (_, turn) => toolTurn(turn, `Order ${turn} shipped from Porto on day ${turn}.`)).flat();

const budget = (maxInputTokens: number) => ({ maxInputTokens, reserveOutputTokens: 0 });

async function overflowOf(options: AssembleContextOptions): Promise<ContextOverflowError> {
  const error = await assembleContext(options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!ContextOverflowError.isInstance(error)) throw new Error(`expected a ContextOverflowError, got ${String(error)}`);
  return error;
}

describe('assembleContext', () => {
  it('sends everything as it is when it fits, counted as a recount counts it', async () => {
    const messages = conversation(3);
    const tools = [{ name: 'order', description: 'Looks an order up', parameters: { type: 'object' } }];
    const context = await assembleContext({
      model: 'gpt-4o',
      system: 'Be brief.',
      messages,
      tools,
      budget: budget(10_000),
    });
    expect(context.messages).toEqual([{ role: 'system', content: 'Be brief.' }, ...messages]);
    for (const [index, message] of context.messages.slice(1).entries()) expect(message).toBe(messages[index]);
    expect(context.tokens).toBe(countContext(counter, context.messages, tools));
    expect(context.limit).toBe(10_000);
    expect(context.manifest.map((item) => item.status)).toEqual(context.manifest.map(() => 'kept'));
    expect(context.manifest[0]).toMatchObject({ kind: 'system', reason: 'system prompt: always sent whole' });
    expect(context.manifest.at(-1)).toMatchObject({ kind: 'tools', tokensAfter: counter.tools(tools) });
    expect(context.manifest.at(-2)).toMatchObject({ kind: 'message', index: 11, reason: 'last user turn' });
  });

  it('takes the tools as an AI SDK ToolSet too, counted as the same list with its JSON Schema', async () => {
    const inputSchema = z.object({ id: z.number().describe('The order number') });
    const fromSet = await assembleContext({
      model: 'gpt-4o',
      messages: conversation(1),
      tools: { order: tool({ description: 'Looks an order up', inputSchema }) },
      budget: budget(10_000),
    });
    const listed = [{ name: 'order', description: 'Looks an order up', parameters: z.toJSONSchema(inputSchema) }];
    const fromList = await assembleContext({
      model: 'gpt-4o',
      messages: conversation(1),
      tools: listed,
      budget: budget(10_000),
    });
    expect(fromSet.manifest.at(-1)).toMatchObject({ kind: 'tools', tokensAfter: counter.tools(listed) });
    expect(fromSet.tokens).toBe(fromList.tokens);
    const refused = await assembleContext({
      model: 'gpt-4o',
      messages: conversation(1),
      tools: ['order'] as never,
      budget: budget(10_000),
    }).catch((error: unknown) => error);
    expect(ValidationError.isInstance(refused)).toBe(true);
    expect((refused as ValidationError).problems).toContainEqual(
      expect.objectContaining({
        path: 'tools',
        message: expect.stringContaining('or an AI SDK ToolSet, got ["order"]'),
      }),
    );
  });

  it('drops the oldest turns whole, each tool call with its result, and keeps pinned ones', async () => {
    const messages = conversation(6);
    const all = countContext(counter, messages);
    // One token more than turn 0 can free without its pinned call and result: turn 1 must go too.
    const limit = all - (countContext(counter, [messages[0]!, messages[3]!]) - counter.requestOverhead) - 1;
    const context = await assembleContext({ model: 'gpt-4o', messages, pinned: [2], budget: budget(limit) });
    const dropped = context.manifest.filter((item) => item.status === 'dropped').map((item) => item.index);
    expect(dropped).toEqual([0, 3, 4, 5, 6, 7]);
    expect(context.messages).toEqual([messages[1], messages[2], ...messages.slice(8)]);
    expect(context.manifest[0]!.reason).toBe(`older turn dropped to fit ${limit} tokens`);
    expect(context.manifest[1]).toMatchObject({ status: 'kept', pinned: true, reason: 'pinned' });
    expect(context.tokens).toBe(countContext(counter, context.messages));
    expect(context.tokens).toBeLessThanOrEqual(limit);
  });

  it('keeps within the tighter of the budget and the provider cap, and under maxMessages', async () => {
    const messages = conversation(6);
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      budget: { maxInputTokens: 2_000, reserveOutputTokens: 500 },
      providerCaps: { maxInputTokens: 10_000, maxMessages: 9 },
    });
    expect(context.limit).toBe(1_500);
    expect(context.messages).toEqual(messages.slice(16));
    const tight = await assembleContext({
      model: 'gpt-4o',
      messages,
      budget: budget(10_000),
      providerCaps: { maxInputTokens: 120 },
    });
    expect(tight.limit).toBe(120);
    expect(tight.tokens).toBeLessThanOrEqual(120);
  });

  it('drops documents that are not pinned after every older turn, the last given first', async () => {
    const messages = conversation(2);
    const documents = [
      { id: 'policy', text: 'Refunds are paid within 14 days of a return.' },
      { id: 'faq', text: 'Orders ship from Porto every weekday.' },
      { id: 'terms', text: 'Terms and conditions apply to every order.', pinned: true },
    ];
    const full = await assembleContext({ model: 'gpt-4o', messages, documents, budget: budget(10_000) });
    const faqTokens = full.manifest.find((item) => item.id === 'faq')!.tokensAfter;
    const turnTokens = countContext(counter, messages.slice(0, 4)) - counter.requestOverhead;
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents,
      budget: budget(full.tokens - turnTokens - 1),
    });
    const status = (id: string) => context.manifest.find((item) => item.id === id)?.status;
    expect([status('policy'), status('faq'), status('terms')]).toEqual(['kept', 'dropped', 'kept']);
    expect(context.manifest.filter((item) => item.kind === 'message' && item.status === 'dropped')).toHaveLength(4);
    expect(faqTokens).toBeGreaterThan(1);
  });

  it('says how much is missing when the system prompt, pinned items, the last turn and the tools do not fit', async () => {
    const messages = conversation(2);
    const needed = countContext(counter, [{ role: 'system', content: 'Be brief.' }, ...messages.slice(4)]);
    const error = await overflowOf({ model: 'gpt-4o', system: 'Be brief.', messages, budget: budget(needed - 5) });
    expect(error).toMatchObject({ limit: 'budget', needed, available: needed - 5, shortfall: 5, unit: 'tokens' });
    expect(error.message).toContain(`need ${needed} tokens but budget allows ${needed - 5}: 5 tokens short`);
    const capped = await overflowOf({
      model: 'gpt-4o',
      messages,
      budget: budget(10_000),
      providerCaps: { maxInputTokens: 20 },
    });
    expect(capped).toMatchObject({ limit: 'maxInputTokens', available: 20 });
    const tooMany = await overflowOf({
      model: 'gpt-4o',
      messages,
      pinned: [1],
      budget: budget(10_000),
      providerCaps: { maxMessages: 5 },
    });
    expect(tooMany).toMatchObject({ limit: 'maxMessages', needed: 6, available: 5, shortfall: 1, unit: 'messages' });
    const document = { id: 'manual', text: 'Long manual text. '.repeat(40), pinned: true };
    const big = await overflowOf({
      model: 'gpt-4o',
      messages,
      documents: [document],
      budget: budget(10_000),
      providerCaps: { maxDocumentTokens: 50 },
    });
    expect(big).toMatchObject({ limit: 'maxDocumentTokens', available: 50, item: 'pinned document "manual"' });
  });

  it('minifies JSON in tool results and documents, and says so', async () => {
    const json = JSON.stringify({ order: 7, status: 'shipped', items: [{ sku: 'A-1', qty: 2 }] }, null, 2);
    const messages = toolTurn(7, json);
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents: [{ id: 'data', text: json }],
      budget: budget(10_000),
    });
    const minified = JSON.stringify(JSON.parse(json));
    expect(context.messages[0]).toEqual({ role: 'system', content: `<document id="data">\n${minified}\n</document>` });
    const result = context.messages[3] as ModelMessage & { role: 'tool' };
    expect(result.content[0]).toMatchObject({ output: { type: 'text', value: minified } });
    expect(context.manifest[3]).toMatchObject({ status: 'compressed', reason: 'JSON minified' });
    expect(context.manifest[3]!.tokensAfter).toBeLessThan(context.manifest[3]!.tokensBefore);
    const untouched = await assembleContext({
      model: 'gpt-4o',
      messages,
      budget: budget(10_000),
      strategies: { minifyJson: false },
    });
    expect(untouched.messages).toEqual(messages);
  });

  it('leaves out of an older tool result the sentences a document already says', async () => {
    const policy = 'Refunds are paid within 14 days of a return. Returns must be in the original packaging.';
    // An older turn's result: the document is more likely to stay, so it keeps the sentence.
    const messages = [
      ...toolTurn(3, `Order 3 was returned yesterday. ${policy.split('. ')[0]}.`),
      ...toolTurn(4, 'ok'),
    ];
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents: [{ id: 'policy', text: policy }],
      budget: budget(10_000),
    });
    expect(context.messages[0]!.content).toContain(policy);
    const result = context.messages[3] as ModelMessage & { role: 'tool' };
    expect(result.content[0]).toMatchObject({ output: { type: 'text', value: 'Order 3 was returned yesterday. ' } });
    expect(context.manifest.find((item) => item.index === 2 && item.kind === 'message')).toMatchObject({
      status: 'compressed',
      reason: 'repeated sentences removed',
    });
    const kept = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents: [{ id: 'policy', text: policy }],
      budget: budget(10_000),
      strategies: { removeDuplicates: false },
    });
    expect(kept.messages.slice(1)).toEqual(messages);
  });

  it('cuts a long document to the sentences most relevant to the request when over the budget', async () => {
    const filler = Array.from(
      { length: 30 },
      (_, i) => `Section ${i} describes the cafeteria menu and parking rules for visitors.`,
    );
    filler.splice(17, 0, 'The API rate limit is 600 requests per minute for each key.');
    const messages: ModelMessage[] = [{ role: 'user', content: 'What is the API rate limit per key?' }];
    const documents = [{ id: 'handbook', text: filler.join(' ') }];
    const whole = await assembleContext({ model: 'gpt-4o', messages, documents, budget: budget(100_000) });
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents,
      budget: budget(Math.floor(whole.tokens * 0.7)),
    });
    expect(context.manifest[0]).toMatchObject({
      status: 'compressed',
      reason: 'cut to the sentences most relevant to the request',
    });
    expect(context.messages[0]!.content).toContain('600 requests per minute');
    expect(context.tokens).toBeLessThanOrEqual(Math.floor(whole.tokens * 0.7));
    const off = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents,
      budget: budget(Math.floor(whole.tokens * 0.7)),
      strategies: { compress: false },
    });
    expect(off.manifest[0]).toMatchObject({ status: 'dropped' });
  });

  it('cuts a document as far as the budget needs instead of dropping it, and drops it only when no sentence fits', async () => {
    const clauses = Array.from(
      { length: 61 },
      (_, i) => `Clause ${i + 1} covers the supplier's duties about packaging, labels and delivery windows.`,
    );
    clauses[40] = 'Clause 41 covers termination: either party may end the agreement with a notice period of 60 days.';
    const messages: ModelMessage[] = [{ role: 'user', content: 'What is the notice period for terminating?' }];
    const documents = [{ id: 'contract', text: clauses.join(' ') }];
    expect(counter.text(documents[0]!.text)).toBeGreaterThan(900);
    for (const maxInputTokens of [150, 250, 500]) {
      const context = await assembleContext({ model: 'gpt-4o', messages, documents, budget: budget(maxInputTokens) });
      expect(context.tokens).toBeLessThanOrEqual(maxInputTokens);
      expect(context.manifest[0]).toMatchObject({
        status: 'compressed',
        reason: 'cut to the sentences most relevant to the request',
      });
      expect(context.messages[0]!.content).toContain('notice period of 60 days');
    }
    const question = await assembleContext({ model: 'gpt-4o', messages, budget: budget(1_000) });
    const tight = await assembleContext({ model: 'gpt-4o', messages, documents, budget: budget(question.tokens + 10) });
    expect(tight.manifest[0]).toMatchObject({ status: 'dropped', tokensAfter: 0 });
    expect(tight.manifest[0]!.reason).toMatch(
      /^document dropped to fit \d+ tokens: even cut to its most relevant parts it took \d+ tokens$/,
    );
  });

  it('cuts and de-duplicates a document written in lower case as one written in sentence case', async () => {
    // The sentence segmenter reads '. f' as an abbreviation: lower-case text must still be cut sentence by sentence.
    const facts = Array.from(
      { length: 400 },
      (_, i) => `fact ${i}: the warehouse in city ${i} ships ${i * 3} parcels.`,
    );
    facts[250] = 'fact 250: the loading dock in city 250 closes at 4 pm on fridays.';
    const messages: ModelMessage[] = [{ role: 'user', content: 'When does the loading dock close on fridays?' }];
    for (const text of [facts.join(' '), facts.map((fact) => fact[0]!.toUpperCase() + fact.slice(1)).join(' ')]) {
      const context = await assembleContext({
        model: 'gpt-4o',
        messages,
        documents: [{ id: 'log', text }],
        budget: budget(200),
      });
      expect(context.tokens).toBeLessThanOrEqual(200);
      expect(context.manifest[0]).toMatchObject({ status: 'compressed' });
      expect(context.messages[0]!.content).toMatch(/loading dock in city 250 closes at 4 pm/);
    }
    const repeated = 'the build is green again after the cache fix. '.repeat(3000);
    const once = await assembleContext({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Is the build green?' }],
      documents: [{ id: 'chat', text: repeated }],
      budget: budget(200),
    });
    expect(once.manifest[0]?.status).not.toBe('dropped');
    expect(String(once.messages[0]!.content).match(/the build is green again/g)).toHaveLength(1);
  });

  it('judges relevance against the query when one is given instead of the last user message', async () => {
    const notes = Array.from(
      { length: 20 },
      (_, i) => `Item ${i}: the cafeteria menu and the parking rules for visitors.`,
    );
    notes.splice(5, 0, 'The office move to the new building happens in the second week of June.');
    notes.splice(15, 0, 'The API rate limit is 600 requests per minute for each key.');
    const messages: ModelMessage[] = [{ role: 'user', content: 'And the other thing?' }];
    const documents = [{ id: 'notes', text: notes.join(' ') }];
    const whole = await assembleContext({ model: 'gpt-4o', messages, documents, budget: budget(100_000) });
    const limit = Math.floor(whole.tokens * 0.6);
    const moving = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents,
      budget: budget(limit),
      query: 'When is the office move?',
    });
    const limits = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents,
      budget: budget(limit),
      query: 'What is the API rate limit?',
    });
    expect(moving.messages[0]!.content).toContain('second week of June');
    expect(limits.messages[0]!.content).toContain('600 requests per minute');
    expect(moving.messages[0]!.content).not.toEqual(limits.messages[0]!.content);
  });

  it("truncates the current turn's tool result only as the last resort, with a marker", async () => {
    const log = Array.from({ length: 300 }, (_, i) => `12:00:${i % 60} GET /orders/${i} 200`).join('\n');
    const messages = [...conversation(2), ...toolTurn(9, log)];
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      budget: budget(400),
      strategies: { compress: false },
    });
    expect(context.tokens).toBeLessThanOrEqual(400);
    expect(context.messages).toHaveLength(4);
    const result = context.messages[2] as ModelMessage & { role: 'tool' };
    const output = result.content[0]!.type === 'tool-result' ? result.content[0]!.output : undefined;
    expect(output).toMatchObject({
      type: 'text',
      value: expect.stringMatching(/^12:00:0 GET \/orders\/0 200\n[\s\S]*\[… truncated: \d+ of \d+ tokens left out\]$/),
    });
    expect(context.manifest.find((item) => item.index === 10)).toMatchObject({
      status: 'truncated',
      reason: 'truncated to fit 400 tokens',
    });
  });

  it("holds documents and tool results to the provider's per-item caps", async () => {
    const long = Array.from({ length: 80 }, (_, i) => `Line ${i} of the export: nothing unusual.`).join('\n');
    const messages = toolTurn(1, long);
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      documents: [{ id: 'export', text: long }],
      budget: budget(100_000),
      providerCaps: { maxToolResultTokens: 100, maxDocumentTokens: 60 },
      strategies: { removeDuplicates: false },
    });
    const result = context.messages[3] as ModelMessage & { role: 'tool' };
    const part = result.content[0]!;
    expect(
      part.type === 'tool-result' && counter.text(part.output.type === 'text' ? part.output.value : ''),
    ).toBeLessThanOrEqual(100);
    expect(context.manifest[0]!.reason).toContain("over the provider's maxDocumentTokens (60)");
    expect(context.manifest[3]!.reason).toContain("over the provider's maxToolResultTokens (100)");
  });

  it('counts models outside the OpenAI family with the conservative estimate', async () => {
    const messages = conversation(2);
    const openai = await assembleContext({ model: 'gpt-4o', messages, budget: budget(10_000) });
    const claude = await assembleContext({ model: 'claude-sonnet-4', messages, budget: budget(10_000) });
    expect(claude.tokens).toBe(countContext(tokenCounter('claude-sonnet-4'), messages));
    expect(claude.tokens).toBeGreaterThan(openai.tokens);
  });

  it('names a misspelt option and a role no model API knows, instead of ignoring them', async () => {
    const error = await assembleContext({
      model: 'gpt-4o',
      messages: [{ role: 'human', content: 'hi' } as never],
      pinnned: [0],
      budget: { maxInputTokens: 100, reserveOutputTokens: 10 },
      strategies: { minifyJSON: true },
    } as never).catch((thrown: unknown) => thrown);
    expect((error as ValidationError).problems.map((problem) => [problem.path, problem.message])).toEqual([
      ['pinnned', expect.stringMatching(/^is not an option \(known: model, system, messages, pinned,/)],
      ['strategies.minifyJSON', expect.stringMatching(/^is not an option \(known: minifyJson,/)],
      ['messages[0].role', 'must be system, user, assistant or tool, got "human"'],
    ]);
  });

  it('names every bad option and the value given', async () => {
    const error = await assembleContext({
      model: '',
      messages: conversation(1),
      pinned: [9],
      budget: { maxInputTokens: 100, reserveOutputTokens: 100 },
      providerCaps: { maxMessages: 0 },
      documents: [
        { id: 'a', text: 'x' },
        { id: 'a', text: 'y' },
      ],
      strategies: { compress: { keepRatio: 2 } },
    }).catch((thrown: unknown) => thrown);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toEqual([
      'model',
      'pinned[0]',
      'budget.reserveOutputTokens',
      'providerCaps.maxMessages',
      'documents[1].id',
      'strategies.compress.keepRatio',
    ]);
    expect((error as ValidationError).message).toContain('must be the index of a message (0 to 3), got 9');
  });
});
