import { spawn } from 'node:child_process';
import { type BatonClient, createClient, createService, memoryInstanceStore } from '@baton/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliTestServer, startCliTestServer, waitFor } from '../cli-test-kit.js';

let t: CliTestServer;
let client: BatonClient;
const stops: Array<() => Promise<void>> = [];
let release: () => void = () => {};
let finishedId: string;

const PLAN = {
  steps: [
    { id: 'a', target: 'double', input: { n: { $ref: 'request.data.n' } } },
    { id: 'b', target: 'double', input: { n: { $ref: 'steps.a.output.n' } } },
  ],
};

beforeAll(async () => {
  t = await startCliTestServer();
  client = createClient({ url: t.url, apiKey: t.apiKey });
  const double = createService({
    name: 'double',
    description: 'Doubles n',
    instanceStore: memoryInstanceStore(),
    handler: async (input) => ({ n: (input as { n: number }).n * 2 }),
  });
  const gate = createService({
    name: 'gate',
    description: 'Waits until the test opens it',
    instanceStore: memoryInstanceStore(),
    handler: () => new Promise((resolve) => (release = () => resolve({ opened: true }))),
  });
  for (const service of [double, gate]) {
    await service.start({ url: t.url, apiKey: t.apiKey });
    stops.push(() => service.stop());
  }
  const run = await client.orchestrate({ action: 'Double 3 twice, for ps and inspect', data: { n: 3 }, plan: PLAN });
  await run.result();
  finishedId = run.id;
});

afterAll(async () => {
  release();
  for (const stop of stops.splice(0)) await stop();
  await t.close();
});

describe('baton ps', () => {
  it('a table of id, status, action, created, finished; --json prints the items', async () => {
    const table = await t.baton(['ps']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+ACTION\s+CREATED\s+FINISHED$/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${finishedId}\\s+succeeded\\s+Double 3 twice, for ps and inspect\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+\\d{4}-`,
        ),
      ),
    );
    const items = JSON.parse((await t.baton(['ps', '--json'])).stdout);
    expect(items).toContainEqual(
      expect.objectContaining({
        id: finishedId,
        status: 'succeeded',
        action: { content: 'Double 3 twice, for ps and inspect' },
      }),
    );
  });

  it('--status filters, --limit cuts and says there is more, a long action is clipped', async () => {
    await (
      await client.orchestrate({ action: `Double ${'very '.repeat(20)}long`, data: { n: 1 }, plan: PLAN })
    ).result();
    const failed = await t.baton(['ps', '--status', 'failed']);
    expect(failed.stdout.trim()).toBe('No failed orchestrations.');
    const one = await t.baton(['ps', '--limit', '1']);
    const lines = one.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/ {2}Double very very very very very very ve… {2}/);
    expect(lines[2]).toBe('(more: baton ps --limit 2)');
  });

  it('the "more" hint keeps the --status filter the user gave', async () => {
    await (await client.orchestrate({ action: 'Double once more', data: { n: 2 }, plan: PLAN })).result();
    const succeeded = await t.baton(['ps', '--status', 'succeeded', '--limit', '1']);
    expect(succeeded.code).toBe(0);
    expect(succeeded.stdout.trimEnd().split('\n').at(-1)).toBe('(more: baton ps --status succeeded --limit 2)');
  });

  it.each([
    [
      ['--status', 'done'],
      /--status must be one of planning, running, waiting, compensating, succeeded, failed, cancelled; got "done"/,
    ],
    [['--limit', '0'], /--limit must be a whole number from 1 to 200, got "0"/],
    [['--limit', '201'], /--limit must be a whole number from 1 to 200, got "201"/],
  ])('usage mistake %j: exit 2', async (args, message) => {
    const result = await t.baton(['ps', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('baton inspect', () => {
  it('status, times, how the plan was chosen, the plan tree with each step, and the result', async () => {
    const result = await t.baton(['inspect', finishedId]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      `Orchestration ${finishedId}  succeeded`,
      'Action:   Double 3 twice, for ps and inspect',
    ]);
    expect(lines).toContain('Planned by: the caller (an explicit plan)');
    const tree = lines.indexOf('Plan: 2 steps in 2 parallel groups');
    expect(lines.slice(tree + 1, tree + 5)).toEqual([
      '├─ group 1',
      expect.stringMatching(/^│ {2}└─ a {2}→ double {2}✓ succeeded {2}double@1 {2}1 attempt {2}\S+$/),
      '└─ group 2',
      expect.stringMatching(/^ {3}└─ b {2}→ double {2}✓ succeeded {2}double@1 {2}1 attempt {2}\S+$/),
    ]);
    expect(lines.slice(lines.indexOf('Result:') + 1).join('\n')).toBe(JSON.stringify({ b: { n: 12 } }, null, 2));
    expect(lines).not.toContain('Steps:');
  });

  it("--detailed adds each step's input, output and usage; --json is the whole orchestration", async () => {
    const detailed = (await t.baton(['inspect', finishedId, '--detailed'])).stdout;
    expect(detailed).toMatch(
      /Steps:\n {2}a: succeeded, service double@1, 1 attempt\(s\), started \S+ \S+, finished \S+ \S+\n {4}input:\n {6}\{\n {8}"n": 3\n {6}\}\n {4}output:\n {6}\{\n {8}"n": 6\n {6}\}\n {4}usage: 0 tokens, \$0\.0000/,
    );
    const json = JSON.parse((await t.baton(['inspect', finishedId, '--json'])).stdout);
    expect(json).toEqual(await client.get(finishedId));
  });

  it('an unknown id: exit 6 and one line naming it', async () => {
    const result = await t.baton(['inspect', 'orc_nope']);
    expect(result.code).toBe(6);
    expect(result.stderr).toBe(
      'baton: the server refused: no orchestration "orc_nope" in this project (404 not-found, GET /v1/orchestrations/orc_nope)\n',
    );
  });
});

describe('baton logs', () => {
  it('one line per event of an ended orchestration: time, type, step, data in short; --json one object each', async () => {
    const result = await t.baton(['logs', finishedId]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z {2}run-start +-$/),
      expect.stringMatching(/^\S+ {2}step-finish +a {2}service=double@1 attempts=1 usage=\{.*\} output=\{"n":6\}$/),
      expect.stringMatching(/^\S+ {2}step-finish +b {2}service=double@1 attempts=1 usage=\{.*\} output=\{"n":12\}$/),
      expect.stringMatching(/^\S+ {2}run-finish +- {2}.*\{"b":\{"n":12\}\}/),
    ]);
    const events = (await t.baton(['logs', finishedId, '--json'])).stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((event) => [event.type, event.stepId])).toEqual([
      ['run-start', null],
      ['step-finish', 'a'],
      ['step-finish', 'b'],
      ['run-finish', null],
    ]);
  });

  it('-f follows a running orchestration to its end', async () => {
    const run = await client.orchestrate({
      action: 'Wait at the gate',
      plan: { steps: [{ id: 'g', target: 'gate', input: {} }] },
    });
    const child = spawn(process.execPath, [BIN, 'logs', run.id, '-f'], {
      env: { ...process.env, HOME: t.home, ...t.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor(() => stdout.includes('run-start'), 'logs -f to print run-start');
    expect(stdout).not.toContain('run-finish');
    release();
    expect(await exited).toBe(0);
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s+/)[1]),
    ).toEqual(expect.arrayContaining(['run-start', 'step-finish', 'run-finish']));
    expect(stdout).toMatch(/step-finish +g {2}service=gate@1 .*output=\{"opened":true\}/);
  });

  it('without -f, a running orchestration prints what its stream has and says how to follow it', async () => {
    const run = await client.orchestrate({
      action: 'Wait at the gate again',
      plan: { steps: [{ id: 'g', target: 'gate', input: {} }] },
    });
    await waitFor(
      async () => (await client.get(run.id)).steps[0]?.status === 'running' || undefined,
      'the gate step to run',
    );
    const result = await t.baton(['logs', run.id]);
    release();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `(orchestration ${run.id} is still running: baton logs ${run.id} -f follows it to the end)\n`,
    );
    expect(result.stdout).not.toContain('run-finish');
    await run.result();
  });

  it('an unknown id: exit 6', async () => {
    const result = await t.baton(['logs', 'orc_nope', '-f']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/no orchestration "orc_nope" in this project \(404/);
  });
});
