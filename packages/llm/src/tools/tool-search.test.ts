import { readFileSync } from 'node:fs';
import type { Embedder } from '@baton/cache';
import { ValidationError } from '@baton/core';
import { tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createToolSearch } from './tool-search.js';

const weather = [
  {
    name: 'weather_get_current',
    description: 'Get the current weather conditions (temperature, humidity, wind) at a location right now.',
    parameters: { type: 'object', properties: { location: { type: 'string' } } },
  },
  {
    name: 'weather_get_forecast',
    description: 'Get the weather forecast for the next days: daily highs and lows, chance of precipitation.',
    parameters: { type: 'object', properties: { location: { type: 'string' }, days: { type: 'integer' } } },
  },
  {
    name: 'sendSms',
    description: 'Send a text message to a mobile phone number.',
    parameters: { type: 'object', properties: { phoneNumber: { type: 'string' }, body: { type: 'string' } } },
  },
  {
    name: 'gmail.send-email',
    description: 'Send an email message to recipients, with subject and body.',
    parameters: { type: 'object', properties: { to: { type: 'array' }, subject: { type: 'string' } } },
  },
  { name: 'calendar_create_event', description: 'Create an event on the calendar with a title and a start time.' },
];

const shipped = JSON.parse(readFileSync(new URL('../../data/tools/tools.json', import.meta.url), 'utf8')) as {
  tools: { name: string; description: string; inputSchema: unknown }[];
};
const shippedTools = shipped.tools;

describe('createToolSearch', () => {
  it('ranks the tool that fits first, and tells a forecast from the current weather', async () => {
    const search = await createToolSearch(weather);
    expect((await search.search('what will the weather be like over the next days?'))[0]?.name).toBe(
      'weather_get_forecast',
    );
    expect((await search.search('how windy is it right now?'))[0]?.name).toBe('weather_get_current');
  });

  it('takes a request with a pasted blob of 200,000 characters, still finding the tool its words ask for', async () => {
    const search = await createToolSearch(weather);
    // A fuzzy match of such a word took seconds at 50,000 characters and threw a RangeError at 200,000.
    const hits = await search.search(`send a text message with this token: ${'x7'.repeat(100_000)}`);
    expect(hits[0]?.name).toBe('sendSms');
  });

  it('finds tools by the words of camelCase, dotted and kebab-case names', async () => {
    const search = await createToolSearch(weather, { lexicalWeight: 1 });
    expect((await search.search('sms'))[0]?.name).toBe('sendSms');
    expect((await search.search('gmail'))[0]?.name).toBe('gmail.send-email');
  });

  it('returns at most k hits, best first, with scores in [0, 1] made of both views', async () => {
    const search = await createToolSearch(shippedTools, { k: 3 });
    const hits = await search.search('text my mum that I landed');
    expect(hits).toHaveLength(3);
    for (const hit of hits) {
      expect(hit.score).toBeGreaterThanOrEqual(0);
      expect(hit.score).toBeLessThanOrEqual(1);
      expect(hit.score).toBeCloseTo(0.3 * hit.lexical + 0.7 * hit.semantic, 10);
    }
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));
    expect(await search.search('text my mum that I landed', { k: 7 })).toHaveLength(7);
  });

  it('finds tools among the shipped set by meaning when the request shares few words with them', async () => {
    const search = await createToolSearch(shippedTools);
    const names = (hits: { name: string }[]) => hits.map((hit) => hit.name);
    expect(names(await search.search('Is it raining in Lisbon right now?'))).toContain('weather_get_current');
    expect(names(await search.search('Convert 350 degrees Fahrenheit to Celsius'))).toContain('unit_convert');
    expect(names(await search.search('Which pods are crash-looping in the payments namespace?'))).toContain(
      'k8s_list_pods',
    );
  });

  it('reads everyday words as the kind of tool they ask for, at conceptWeight; 0 reads the words alone', async () => {
    const names = (hits: { name: string }[]) => hits.map((hit) => hit.name);
    const request = 'Will I need an umbrella in Porto this weekend?';
    const withConcepts = await createToolSearch(shippedTools);
    expect(names(await withConcepts.search(request, { k: 3 }))).toContain('weather_get_forecast');
    expect(names(await withConcepts.search('Put a dentist appointment on my agenda for Tuesday'))[0]).toMatch(
      /^calendar_/,
    );
    const wordsAlone = await createToolSearch(shippedTools, { conceptWeight: 0 });
    expect(names(await wordsAlone.search(request))).not.toContain('weather_get_forecast');
  });

  it('matches words written apart, hyphenated or with accents as the one word a tool uses', async () => {
    const search = await createToolSearch(
      [
        { name: 'todo_add_task', description: 'Add a task.' },
        { name: 'places_search', description: 'Find cafés around a location.' },
        { name: 'git_status', description: 'List uncommitted files.' },
        { name: 'notes_create', description: 'Create a note.' },
      ],
      { lexicalWeight: 1, conceptWeight: 0 },
    );
    expect((await search.search('put this on my to-do list'))[0]?.name).toBe('todo_add_task');
    expect((await search.search('a cafe near Rossio'))[0]?.name).toBe('places_search');
    expect((await search.search('which files are not committed'))[0]?.name).toBe('git_status');
  });

  it('reads a request also without what it quotes, which is what to work on, not which tool', async () => {
    const search = await createToolSearch([
      {
        name: 'translate_text',
        description: 'Translate text into another language.',
        parameters: { type: 'object', properties: { text: { type: 'string' }, target_language: { type: 'string' } } },
      },
      {
        name: 'trains_search',
        description: 'Search train connections between two stations on a date.',
        parameters: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } },
      },
    ]);
    const hits = await search.search('How do you say "where is the train station" in Japanese?');
    expect(hits[0]?.name).toBe('translate_text');
  });

  it('lifts the tools of a product the request names, which the sentence embedding hardly tells', async () => {
    const tools = [
      { name: 'redis_get', description: 'Get the value of a key and its time to live.' },
      { name: 'redis_set', description: 'Set a key to a value, with an optional expiry.' },
      { name: 'health_sleep_summary', description: 'Summarise how long and how well someone slept last night.' },
      { name: 'health_steps', description: 'Count the steps walked today.' },
    ];
    const search = await createToolSearch(tools);
    const hits = await search.search('what is stored under session:abc123 in redis and when does it die?', { k: 2 });
    expect(hits.map((hit) => hit.name).sort()).toEqual(['redis_get', 'redis_set']);
    for (const hit of await search.search('did I sleep well', { k: 4 })) {
      // A request that names no product is scored by its views alone.
      expect(hit.score).toBeCloseTo(0.3 * hit.lexical + 0.7 * hit.semantic, 10);
    }
  });

  it('returns nothing under minScore, and nothing for a blank request', async () => {
    const search = await createToolSearch(weather, { minScore: 0.99 });
    expect(await search.search('quantum chromodynamics lecture notes')).toEqual([]);
    const hits = await search.search('weather forecast', { minScore: 0 });
    expect(hits.length).toBeGreaterThan(0);
    expect(await search.search('   ')).toEqual([]);
  });

  it('adds, replaces and removes tools in place', async () => {
    const search = await createToolSearch(weather.slice(0, 2));
    expect(search.size).toBe(2);
    await search.add([{ name: 'twilio_send_sms', description: 'Send an SMS text message to a phone number.' }]);
    expect((await search.search('send an sms'))[0]?.name).toBe('twilio_send_sms');
    search.remove(['twilio_send_sms', 'no-such-tool']);
    expect(search.has('twilio_send_sms')).toBe(false);
    expect((await search.search('send an sms')).map((hit) => hit.name)).not.toContain('twilio_send_sms');
    await search.add([{ name: 'weather_get_current', description: 'Look up stock market quotes.' }]);
    expect(search.size).toBe(2);
    expect((await search.search('stock market quotes'))[0]?.name).toBe('weather_get_current');
    expect(search.tools().map((tool) => tool.name)).toEqual(['weather_get_forecast', 'weather_get_current']);
  });

  it('embeds with the embedder given: each tool once, then the request', async () => {
    const embedded: string[] = [];
    const embedder: Embedder = {
      id: 'constant',
      dimension: 2,
      embed: async (texts) => {
        embedded.push(...texts);
        return texts.map(() => Float32Array.of(1, 0));
      },
    };
    const search = await createToolSearch(weather, { embedder });
    expect(embedded).toHaveLength(weather.length);
    expect(embedded[2]).toContain('send sms');
    const hits = await search.search('forecast');
    expect(embedded.at(-1)).toBe('forecast');
    expect(hits[0]).toMatchObject({ name: 'weather_get_forecast', lexical: 1, semantic: 1, score: 1 });
  });

  it('takes an AI SDK ToolSet, reading each input schema as JSON Schema', async () => {
    const search = await createToolSearch({
      sendSms: tool({
        description: 'Sends a text message',
        inputSchema: z.object({ phoneNumber: z.string(), body: z.string() }),
      }),
      getForecast: tool({ description: 'Weather in the days ahead', inputSchema: z.object({ city: z.string() }) }),
    });
    expect(search.tools().map((held) => held.name)).toEqual(['sendSms', 'getForecast']);
    // Found by a parameter name only its converted schema holds.
    expect((await search.search('phone number', { k: 1 }))[0]?.name).toBe('sendSms');
  });

  it('refuses tools it cannot search, naming each problem and value', async () => {
    const bad = [{ name: 'a' }, { name: 'a' }, { name: '' }, { name: 'b', description: 42 }, 'c'];
    const error = await createToolSearch(bad as never).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).problems.map((problem) => [problem.path, problem.code])).toEqual([
      ['tools[1].name', 'duplicate'],
      ['tools[2].name', 'invalid'],
      ['tools[3].description', 'invalid'],
      ['tools[4]', 'invalid'],
    ]);
    expect((error as Error).message).toContain('"a" is given twice');
    const notArray = await createToolSearch({ tools: [] } as never).catch((caught: unknown) => caught);
    expect((notArray as ValidationError).problems[0]?.message).toMatch(
      /^must be an array of tools or an AI SDK ToolSet \(an MCP tools\/list result: pass its 'tools'\), got/,
    );
    const search = await createToolSearch(weather);
    await expect(search.search(42 as never)).rejects.toThrow(/query: must be a string, got 42/);
  });

  it("reads the input schema under MCP's inputSchema as under parameters, and ignores the rest of an MCP tool", async () => {
    const schema = { type: 'object', properties: { zebra_stripes: { type: 'integer' } } };
    const tools = (key: 'parameters' | 'inputSchema') => [
      { name: 'count_animals', description: 'Count animals in a picture.', [key]: schema },
      { name: 'paint_fence', description: 'Paint the fence in a colour.' },
    ];
    const asParameters = await (await createToolSearch(tools('parameters'))).search('zebra stripes');
    const asMcp = await createToolSearch(
      tools('inputSchema').map((tool) => ({ ...tool, title: 'Count', annotations: { readOnlyHint: true }, _meta: {} })),
    );
    const hits = await asMcp.search('zebra stripes');
    expect(hits[0]).toMatchObject({ name: 'count_animals' });
    expect(hits[0]!.score).toBeGreaterThan(0);
    expect(hits[0]!.score).toBeCloseTo(asParameters[0]!.score, 6);
  });

  it('refuses a misspelt schema key, naming the key and the tool, and a schema given twice; ignores other keys', async () => {
    const typo = [{ name: 'get_weather', description: 'Weather now.', paramters: { type: 'object' } }];
    const error = await createToolSearch(typo as never).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    const [problem] = (error as ValidationError).problems;
    expect(problem).toMatchObject({ path: 'tools[0].paramters', code: 'unknown' });
    expect(problem!.message).toMatch(
      /^"paramters" of tool "get_weather" is not a key search reads: the input schema is parameters or inputSchema/,
    );
    const extra = [{ name: 'get_weather', description: 'Weather now.', execute: () => 'sunny', title: 'Weather' }];
    expect((await createToolSearch(extra)).size).toBe(1);
    const twice = [{ name: 'a', parameters: { type: 'object' }, inputSchema: { type: 'object' } }];
    const both = await createToolSearch(twice).catch((caught: unknown) => caught);
    expect((both as ValidationError).problems[0]!.message).toContain('gives both parameters and inputSchema');
  });

  it('refuses bad options when created and when searching', async () => {
    const error = await createToolSearch(weather, {
      k: 0,
      minScore: 2,
      lexicalWeight: -1,
      valueWeight: 1.5,
      conceptWeight: -0.5,
    }).catch((e: unknown) => e);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toEqual([
      'options.k',
      'options.minScore',
      'options.lexicalWeight',
      'options.valueWeight',
      'options.conceptWeight',
    ]);
    const search = await createToolSearch(weather);
    await expect(search.search('weather', { k: 1.5 })).rejects.toThrow(/options.k: must be an integer > 0, got 1.5/);
    // An option it does not know would be ignored: a typo must not quietly give the default k.
    await expect(createToolSearch(weather, { topK: 3 } as never)).rejects.toThrow(
      /options.topK: unknown option "topK" \(known: k, minScore, embedder, lexicalWeight, valueWeight, conceptWeight\)/,
    );
    await expect(search.search('weather', { embedder: undefined } as never)).rejects.toThrow(
      /options.embedder: unknown option "embedder" \(known: k, minScore\)/,
    );
  });

  describe('values the request names', () => {
    const messaging = [
      {
        name: 'send_text_message',
        description: 'Send a text message.',
        parameters: { type: 'object', properties: { to: { type: 'string', description: 'Phone number, E.164' } } },
      },
      {
        name: 'send_email',
        description: 'Send an email.',
        parameters: { type: 'object', properties: { to: { type: 'string', format: 'email' } } },
      },
      {
        name: 'translate_text',
        description: 'Translate a text into another language.',
        parameters: { type: 'object', properties: { text: { type: 'string' }, language: { type: 'string' } } },
      },
    ];

    it('ranks first the tool whose parameters take the value, whatever words the request uses', async () => {
      const search = await createToolSearch(messaging);
      const phone = await search.search('Shoot my mum a text at +351 912 345 678 that I landed');
      expect(phone[0]).toMatchObject({ name: 'send_text_message', values: 1 });
      const email = await search.search('Write to jo@acme.com that the text is translated');
      expect(email[0]).toMatchObject({ name: 'send_email', values: 1 });
      expect(email.find((hit) => hit.name === 'translate_text')?.values).toBe(0);
    });

    it('mixes the values into the score by valueWeight, and leaves a request without values to the text alone', async () => {
      const search = await createToolSearch(messaging, { valueWeight: 0.4 });
      for (const hit of await search.search('Write to jo@acme.com that the text is translated')) {
        expect(hit.score).toBeCloseTo(0.6 * (0.3 * hit.lexical + 0.7 * hit.semantic) + 0.4 * hit.values, 10);
      }
      for (const hit of await search.search('translate this into French')) {
        expect(hit.values).toBe(0);
        expect(hit.score).toBeCloseTo(0.3 * hit.lexical + 0.7 * hit.semantic, 10);
      }
      const off = await createToolSearch(messaging, { valueWeight: 0 });
      const [first] = await off.search('Shoot my mum a text at +351 912 345 678 that I landed');
      expect(first!.values).toBe(0);
    });

    it('changes no score when no tool held takes the values named, and follows tools added and removed', async () => {
      const request = 'Tell +351 912 345 678 that the text is translated';
      const withoutPhones = messaging.slice(1);
      const plain = await (await createToolSearch(withoutPhones, { valueWeight: 0 })).search(request);
      const search = await createToolSearch(withoutPhones);
      expect(await search.search(request)).toEqual(plain);
      await search.add([messaging[0]!]);
      expect((await search.search(request))[0]).toMatchObject({ name: 'send_text_message', values: 1 });
      search.remove(['send_text_message']);
      expect(await search.search(request)).toEqual(plain);
    });

    it('reads a request for two things clause by clause, so both tools reach the top', async () => {
      const search = await createToolSearch(shippedTools, { k: 5 });
      const names = (await search.search('Look up the Globex contact in the CRM and email her the proposal')).map(
        (hit) => hit.name,
      );
      expect(names).toEqual(expect.arrayContaining(['crm_find_contact', 'gmail_send_email']));
      const withoutClauses = await search.search('Look up the Globex contact in the CRM, email her the proposal');
      expect(withoutClauses.map((hit) => hit.name)).not.toContain('gmail_send_email');
    });
  });
});
