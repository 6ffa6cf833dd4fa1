/**
 * `baton run "<words>"` against the real server: a plan template answers offline, the model (a local
 * OpenAI-compatible server answering recorded plans, reached through the real provider client) plans what no
 * template covers, and an action it cannot do ends with exit 7. The service runs in this process, through the SDK.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { type ChatServer, startChatServer } from '@baton/llm/testing';
import { createService, type Service } from '@baton/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CliTestServer, startCliTestServer } from '../cli-test-kit.js';

let chat: ChatServer;
let t: CliTestServer;
let weather: Service;
let reply = '';
/** The JSON printed after `Result:`. */
const resultOf = (stdout: string) => JSON.parse(stdout.slice(stdout.indexOf('Result:') + 'Result:'.length));

beforeAll(async () => {
  chat = await startChatServer({ reply: () => reply });
  const model = createOpenAICompatible({ name: 'local', baseURL: chat.baseURL, supportsStructuredOutputs: true });
  t = await startCliTestServer({ planning: { model: model.chatModel('planner-1') } });
  weather = createService({
    name: 'weather',
    description: 'The weather in a city',
    input: z.object({ city: z.string() }),
    output: z.object({ city: z.string(), celsius: z.number() }),
    handler: async ({ city }) => ({ city, celsius: city.length + 10 }),
  });
  await weather.start({ url: t.url, apiKey: t.apiKey });
  await writeFile(
    join(t.home, 'weather.json'),
    JSON.stringify({
      name: 'weather',
      examples: ["What's the weather in {city}?"],
      params: { city: { type: 'string' } },
      plan: { steps: [{ id: 'w', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] },
    }),
  );
}, 60_000);
afterAll(async () => {
  await weather?.stop();
  await t?.close();
  await chat?.close();
});

describe('baton run "<words>" (against the server)', () => {
  it('runs the plan of a matching template, read from the words, without asking the model', async () => {
    expect((await t.baton(['templates', 'add', join(t.home, 'weather.json')])).code).toBe(0);
    const result = await t.baton(['run', 'What is the weather in Lisbon?', '--wait']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Planned by: template "weather" \(similarity 1\.000, example "What's the weather in \{city\}\?"\)$/m,
    );
    expect(result.stdout).toContain('   └─ w  → weather');
    expect(resultOf(result.stdout)).toEqual({ w: { city: 'Lisbon', celsius: 16 } });
    expect(chat.calls).toBe(0);
  });

  it('has the model plan what no template covers, and shows it', async () => {
    reply = JSON.stringify({
      actionable: true,
      plan: { steps: [{ id: 'now', target: 'weather', input: { city: { $ref: 'request.data.town' } } }] },
    });
    const result = await t.baton(['run', 'How warm is my town right now', '-d', 'town=Porto', '--wait']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Planned by: model planner-1 in 1 attempt/m);
    expect(resultOf(result.stdout)).toEqual({ now: { city: 'Porto', celsius: 15 } });
  });

  it('an action the model cannot do: exit 7, one line with its reason', async () => {
    reply = JSON.stringify({ actionable: false, reason: 'nothing here books flights' });
    const result = await t.baton(['run', 'Book me a flight to Rome', '--wait']);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/^baton: orchestration orc_\w+ could not be planned: .*nothing here books flights/);
  });
});
