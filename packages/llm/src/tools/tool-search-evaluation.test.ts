import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../tokens/token-counter.js';
import { parseLabelledToolQueries } from './labelled-tool-queries.js';
import { parseToolList } from './tool-list.js';
import { createToolSearch } from './tool-search.js';
import { evaluateToolSearch } from './tool-search-evaluation.js';

const data = (name: string) => readFileSync(new URL(`../../data/tools/${name}`, import.meta.url), 'utf8');

const tools = [
  { name: 'weather_get_forecast', description: 'Weather forecast for the next days' },
  { name: 'twilio_send_sms', description: 'Send an SMS text message to a phone number' },
  { name: 'gmail_send_email', description: 'Send an email with a subject and body' },
];

describe('evaluateToolSearch', () => {
  it('counts recall at 1 and at k, and the tokens of the selected definitions against all of them', async () => {
    const queries = [
      { query: 'send an sms text message', expected: ['twilio_send_sms'] },
      { query: 'weather forecast, then an sms', expected: ['weather_get_forecast', 'twilio_send_sms'] },
      { query: 'send an email', expected: ['weather_get_forecast'] },
    ];
    const result = await evaluateToolSearch({ tools, queries, k: 1, searchOptions: { lexicalWeight: 1 } });
    const counter = tokenCounter('gpt-4o');
    expect(result).toMatchObject({ queries: 3, k: 1, recallAt1: 2 / 3, recallAtK: 1 / 3 });
    expect(result.allToolsTokens).toBe(counter.tools(tools));
    const [forecast, sms, email] = tools.map((tool) => counter.tools([tool]));
    expect(result.selectedToolsTokens).toBeCloseTo((sms! + forecast! + email!) / 3, 10);
    expect(result.tokensSavedRatio).toBeCloseTo(1 - result.selectedToolsTokens / result.allToolsTokens, 10);
    expect(result.misses.map((miss) => miss.selected)).toEqual([['weather_get_forecast'], ['gmail_send_email']]);
  });

  it('counts with the tokenizer of the model named', async () => {
    const queries = [{ query: 'sms', expected: ['twilio_send_sms'] }];
    const openai = await evaluateToolSearch({ tools, queries, model: 'gpt-4o' });
    const other = await evaluateToolSearch({ tools, queries, model: 'claude-sonnet-4' });
    expect(other.allToolsTokens).toBe(tokenCounter('claude-sonnet-4').tools(tools));
    expect(other.allToolsTokens).toBeGreaterThan(openai.allToolsTokens);
  });

  it('measures a search it is given', async () => {
    const search = await createToolSearch(tools.slice(1));
    const result = await evaluateToolSearch({
      tools,
      queries: [{ query: 'weather forecast', expected: ['weather_get_forecast'] }],
      search,
    });
    expect(result.recallAtK).toBe(0);
  });

  it('on the shipped set: 159 tools, 190 labelled requests, at least 9/10 of the definitions tokens saved', async () => {
    const shippedTools = parseToolList(data('tools.json'));
    const queries = parseLabelledToolQueries(data('queries.jsonl'), new Set(shippedTools.map((tool) => tool.name)));
    expect(shippedTools.length).toBeGreaterThanOrEqual(100);
    expect(queries.length).toBeGreaterThanOrEqual(150);
    expect(queries.filter((query) => query.expected.length > 1).length).toBeGreaterThanOrEqual(10);
    const result = await evaluateToolSearch({ tools: shippedTools, queries, k: 5 });
    expect(result.queries).toBe(queries.length);
    expect(result.tokensSavedRatio).toBeGreaterThan(0.9);
    expect(result.recallAtK).toBeGreaterThan(result.recallAt1);
  });

  it('on the outside set: every expected tool is in its list, and the values lift recall over the text alone', async () => {
    const outsideTools = parseToolList(data('outside/tools.json'));
    const queries = parseLabelledToolQueries(
      data('outside/queries.jsonl'),
      new Set(outsideTools.map((tool) => tool.name)),
    );
    expect([outsideTools.length, queries.length]).toEqual([87, 221]);
    const withValues = await evaluateToolSearch({ tools: outsideTools, queries, k: 5 });
    const without = await evaluateToolSearch({ tools: outsideTools, queries, k: 5, searchOptions: { valueWeight: 0 } });
    expect(withValues.recallAtK).toBeGreaterThan(without.recallAtK);
  });
});
