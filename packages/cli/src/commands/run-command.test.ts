import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BatonClient, createClient, createService, memoryInstanceStore } from '@baton/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliTestServer, hasStack, startCliTestServer, waitFor } from '../cli-test-kit.js';

let t: CliTestServer;
let client: BatonClient;
const stops: Array<() => Promise<void>> = [];
const file = (name: string) => join(t.home, name);

beforeAll(async () => {
  t = await startCliTestServer();
  client = createClient({ url: t.url, apiKey: t.apiKey });
  const services = [
    createService({
      name: 'weather',
      description: 'Temperature in a city',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object' },
      handler: async (input) => {
        const { city } = input as { city: string };
        return { city, celsius: city.length };
      },
    }),
    createService({
      name: 'summary',
      description: 'Summarises readings',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object' },
      handler: async (input) => {
        const { readings } = input as { readings: Array<{ city: string; celsius: number }> };
        return { text: readings.map((reading) => `${reading.city} ${reading.celsius}°C`).join(', ') };
      },
    }),
    createService({
      name: 'echo',
      description: 'Returns its input',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object' },
      handler: async (input: unknown) => input,
    }),
    createService({
      name: 'broken',
      description: 'Always fails',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object' },
      handler: async () => {
        throw Object.assign(new Error('the printer is on fire'), { retryable: false });
      },
    }),
    createService({
      name: 'slow',
      description: 'Runs until cancelled',
      instanceStore: memoryInstanceStore(),
      input: { type: 'object' },
      handler: (_input: unknown, context) =>
        new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('stopped')))),
    }),
  ];
  for (const service of services) {
    await service.start({ url: t.url, apiKey: t.apiKey });
    stops.push(() => service.stop());
  }
  await writeFile(
    file('weather-plan.json'),
    JSON.stringify({
      steps: [
        { id: 'a', target: 'weather', input: { city: { $ref: 'request.data.first' } } },
        { id: 'b', target: 'weather', input: { city: { $ref: 'request.data.second' } } },
        { id: 'sum', target: 'summary', input: { readings: [{ $ref: 'steps.a.output' }, { $ref: 'steps.b.output' }] } },
      ],
    }),
  );
  await writeFile(
    file('echo-plan.json'),
    JSON.stringify({
      steps: [{ id: 'echo', target: 'echo', input: { $ref: 'request.data' } }],
      output: { $ref: 'steps.echo.output' },
    }),
  );
  await writeFile(file('broken-plan.json'), JSON.stringify({ steps: [{ id: 'burn', target: 'broken', input: {} }] }));
  await writeFile(file('slow-plan.json'), JSON.stringify({ steps: [{ id: 'wait', target: 'slow', input: {} }] }));
  await writeFile(file('not-json.json'), '{ "steps": [');
});

afterAll(async () => {
  for (const stop of stops.splice(0)) await stop();
  await t.close();
});

describe('baton run --plan FILE --wait (stdout not a terminal: plain lines)', () => {
  it('prints the plan tree, a line per step that ends, and the result; exit 0', async () => {
    const result = await t.baton([
      'run',
      'Summarise the weather in two cities',
      '--plan',
      file('weather-plan.json'),
      '-d',
      'first=Paris',
      '-d',
      'second=Lisbon',
      '--wait',
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Orchestration orc_\w+ running$/);
    expect(lines.slice(1, 7)).toEqual([
      'Plan: 3 steps in 2 parallel groups',
      '├─ group 1',
      '│  ├─ a    → weather',
      '│  └─ b    → weather',
      '└─ group 2',
      '   └─ sum  → summary',
    ]);
    for (const step of ['a', 'b'])
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^step ${step} done.* \\(weather@1\\)$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^step sum done.* \(summary@1\)$/));
    const end = lines.findIndex((line) => /^Orchestration orc_\w+ succeeded in .+\. Result:$/.test(line));
    expect(end).toBeGreaterThan(6);
    expect(JSON.parse(lines.slice(end + 1).join('\n'))).toEqual({ sum: { text: 'Paris 5°C, Lisbon 6°C' } });
    expect(result.stderr).toBe('');
  });

  it('-d reads numbers, true, false and null as JSON and the rest as strings, over --data-json', async () => {
    const result = await t.baton([
      'run',
      'Echo my data',
      '--plan',
      file('echo-plan.json'),
      '--data-json',
      '{"nested":{"x":1},"n":0}',
      '-d',
      'n=42',
      '-d',
      'ratio=-1.5e2',
      '-d',
      'yes=true',
      '-d',
      'none=null',
      '-d',
      'zip=007',
      '-d',
      'text=a=b',
      '-d',
      'a.b=flat',
      '--wait',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const final = JSON.parse(result.stdout);
    expect(final.status).toBe('succeeded');
    expect(final.result).toEqual({
      nested: { x: 1 },
      n: 42,
      ratio: -150,
      yes: true,
      none: null,
      zip: '007',
      text: 'a=b',
      'a.b': 'flat',
    });
  });

  it('without --wait on a pipe: prints the plan and how to follow it, and returns at once', async () => {
    const result = await t.baton(['run', 'Echo', '--plan', file('echo-plan.json')]);
    expect(result.code).toBe(0);
    const id = /^Orchestration (orc_\w+) running$/m.exec(result.stdout)?.[1];
    expect(result.stdout).toContain(`Follow it with: baton logs ${id} -f`);
    expect(await client.result(id!)).toEqual({});
  });

  it('--plan without an action: the orchestration is called after the plan file', async () => {
    const result = await t.baton(['run', '--plan', file('echo-plan.json'), '--json']);
    expect(result.code).toBe(0);
    const { id } = JSON.parse(result.stdout) as { id: string };
    expect(await client.result(id)).toEqual({});
    expect((await client.get(id)).action).toEqual({ content: 'Run echo-plan.json' });
  });

  it('with --plan, an action whose words end in .yaml is an action, not an agent file', async () => {
    const result = await t.baton(['run', 'Count the words in notes.yaml', '--plan', file('echo-plan.json'), '--json']);
    expect(result.code).toBe(0);
    const { id } = JSON.parse(result.stdout) as { id: string };
    expect((await client.get(id)).action).toEqual({ content: 'Count the words in notes.yaml' });
  });

  it('neither an action nor --plan: exit 2, saying what to give', async () => {
    const result = await t.baton(['run', '--wait']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `baton: baton run needs an action in words (baton run "What's the weather in Paris?"), a --plan FILE, or an agent file`,
    );
  });

  it('a failed orchestration: exit 7, and one line that says it failed and why', async () => {
    const result = await t.baton(['run', 'Burn it', '--plan', file('broken-plan.json'), '--wait']);
    expect(result.code).toBe(7);
    expect(result.stdout).toMatch(/^step burn failed .*the printer is on fire$/m);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^baton: orchestration orc_\w+ failed in .+: .*the printer is on fire \(baton inspect orc_\w+ shows every step\)$/,
      ),
    ]);
    expect(hasStack(result.stderr)).toBe(false);
  });

  it('a cancelled orchestration: exit 7, and the line says it was cancelled', async () => {
    const before = new Set((await client.list()).items.map((item) => item.id));
    const running = t.baton(['run', 'Wait forever', '--plan', file('slow-plan.json'), '--wait']);
    const id = await waitFor(async () => {
      const view = (await client.list({ status: 'running' })).items.find((item) => !before.has(item.id));
      return view?.id;
    }, 'the orchestration to run');
    await client.cancel(id, 'test over');
    const result = await running;
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(new RegExp(`^baton: orchestration ${id} was cancelled`));
  });

  it('Ctrl-C while waiting: exit 130, one line on stderr saying it still runs and how to follow or stop it', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'run', 'Wait until Ctrl-C', '--plan', file('slow-plan.json'), '--wait'],
      {
        env: { ...process.env, HOME: t.home, ...t.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    const id = await new Promise<string>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const running = /^step wait running/m.test(stdout) && /^Orchestration (orc_\w+) running$/m.exec(stdout)?.[1];
        if (running) resolve(running);
      }),
    );
    child.kill('SIGINT');
    const [code] = await closed;
    expect(code).toBe(130);
    expect(stderr.trim().split('\n')).toEqual([
      `baton: stopped following; orchestration ${id} is still running: baton logs ${id} -f follows it, baton cancel ${id} stops it`,
    ]);
    expect((await client.get(id)).status).toBe('running');
    await client.cancel(id, 'test over');
  });

  it('waiting for an approval that was asked before the stream connected: says so once, with how to approve', async () => {
    await writeFile(
      file('approval-plan.json'),
      JSON.stringify({ steps: [{ id: 'ok', approval: { prompt: 'Go on?' } }], output: { $ref: 'steps.ok.output' } }),
    );
    const child = spawn(process.execPath, [BIN, 'run', 'Ask first', '--plan', file('approval-plan.json'), '--wait'], {
      env: { ...process.env, HOME: t.home, ...t.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const closed = once(child, 'close') as Promise<[number | null]>;
    const approvalId = await waitFor(
      async () => /^step ok waiting: waiting for approval (\S+): baton approvals approve \1$/m.exec(stdout)?.[1],
      'the line saying the step waits for an approval',
    );
    await client.approve(approvalId);
    const [code] = await closed;
    expect(code).toBe(0);
    expect(stdout.match(/waiting for approval/g)).toHaveLength(1);
  }, 60_000);

  it('an action no template covers, on a server with no model: the 422 as one line saying what to do, exit 6', async () => {
    const result = await t.baton(['run', 'What is the weather in Paris?', '-d', 'city=Paris', '--wait']);
    expect(result.code).toBe(6);
    expect(result.stderr.trim().split('\n')).toEqual([
      'baton: the server refused: no plan template matches "What is the weather in Paris?" and no model is configured to plan it: give the planner a model (in a program, an LlmPlanner({ model }); for the server and the CLI, set BATON_LLM_BASE_URL and BATON_LLM_MODEL, and BATON_LLM_API_KEY if the endpoint needs one), register a plan template whose examples cover the action, or send an explicit plan (422 no-planner, POST /v1/orchestrations)',
    ]);
    expect(result.stdout).toBe('');
  });

  it('a plan naming an unknown service: exit 6 with the server problem', async () => {
    await writeFile(file('unknown-plan.json'), JSON.stringify({ steps: [{ id: 'x', target: 'nowhere', input: {} }] }));
    const result = await t.baton(['run', 'Go', '--plan', file('unknown-plan.json')]);
    expect(result.code).toBe(6);
    expect(result.stderr.trim()).toBe(
      'baton: the server refused: the plan has 1 problem(s): plan.steps[0].target: no service "nowhere" is registered in this project (registered: broken, echo, slow, summary, weather) (400 invalid-plan, POST /v1/orchestrations)',
    );
  });

  it.each([
    [['-d', 'novalue'], /^baton: -d must be key=value with a non-empty key, got "novalue"/],
    [['-d', '=1'], /^baton: -d must be key=value with a non-empty key, got "=1"/],
    [['--data-json', '[1]'], /^baton: --data-json must be a JSON object such as/],
    [['--data-json', '{oops'], /^baton: --data-json must be JSON, got "{oops"/],
    [['--timeout', '0'], /^baton: --timeout must be a whole number from 1 to/],
  ])('usage mistake %j: exit 2, one line, nothing sent', async (args, message) => {
    const result = await t.baton(['run', 'Echo', '--plan', file('echo-plan.json'), ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('a plan file that is missing or not JSON: exit 3 naming the file', async () => {
    const missing = await t.baton(['run', 'Echo', '--plan', file('nope.json')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`cannot read plan file "${file('nope.json')}": no such file`);
    const broken = await t.baton(['run', 'Echo', '--plan', file('not-json.json')]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain(`plan file "${file('not-json.json')}" is not valid JSON`);
  });

  it('a plan file holding a whole request body: exit 3, saying --plan takes the object under "plan"', async () => {
    const body = { action: { content: 'Echo' }, plan: { steps: [{ id: 'a', target: 'echo', input: {} }] } };
    await writeFile(file('request.json'), JSON.stringify(body));
    const result = await t.baton(['run', 'Echo', '--plan', file('request.json')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`plan file "${file('request.json')}" holds a whole request`);
    expect(result.stderr).toContain('the object under "plan"');
    expect(result.stdout).toBe('');
  });
});
