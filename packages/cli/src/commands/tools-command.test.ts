import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBaton } from '../cli-test-kit.js';

const shipped = (name: string) => fileURLToPath(new URL(`../../../llm/data/tools/${name}`, import.meta.url));
const TOOLS = shipped('tools.json');
const QUERIES = shipped('queries.jsonl');

let home: string;
const file = (name: string) => join(home, name);
const baton = (...args: string[]) => runBaton(args, { home });

const smallTools = {
  tools: [
    {
      name: 'weather_get_forecast',
      description: 'Weather forecast for the next days',
      inputSchema: { type: 'object' },
    },
    { name: 'twilio_send_sms', description: 'Send an SMS text message', inputSchema: { type: 'object' } },
  ],
};

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'baton-tools-'));
  await writeFile(file('tools.json'), JSON.stringify(smallTools));
  await writeFile(file('queries.jsonl'), '{"query": "send an sms", "expected": ["twilio_send_sms"]}\n');
  await writeFile(file('broken-tools.json'), '{\n  "tools": [\n    {"name": "a",}\n  ]\n}\n');
  await writeFile(file('bad-line.jsonl'), '{"query": "sms", "expected": ["twilio_send_sms"]}\n{"query": "x"}\n');
  await writeFile(file('unknown-tool.jsonl'), '{"query": "sms", "expected": ["send_pigeon"]}\n');
  await writeFile(file('no-tools.json'), '{"tools": []}\n');
  await writeFile(
    file('two-queries.jsonl'),
    '{"query": "send an sms", "expected": ["twilio_send_sms"]}\n{"query": "text my mum", "expected": ["weather_get_forecast"]}\n',
  );
});
afterAll(() => rm(home, { recursive: true, force: true }));

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

// Each case starts a Node process that loads the word vectors.
describe.concurrent('baton tools eval (the built executable)', { timeout: 90_000 }, () => {
  it('prints exactly one JSON object with the figures, on the shipped labelled set', async () => {
    const { code, stdout, stderr } = await baton('tools', 'eval', '--tools', TOOLS, '--queries', QUERIES);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(Object.keys(result)).toEqual([
      'queries',
      'k',
      'recallAt1',
      'recallAtK',
      'allToolsTokens',
      'selectedToolsTokens',
      'tokensSavedRatio',
    ]);
    expect(result).toMatchObject({ queries: 190, k: 5 });
    expect(result.recallAtK).toBeGreaterThan(result.recallAt1);
    expect(result.tokensSavedRatio).toBeCloseTo(1 - result.selectedToolsTokens / result.allToolsTokens, 10);
    expect(result.tokensSavedRatio).toBeGreaterThan(0.9);
  });

  it('takes --k and counts with the tokenizer of --model', async () => {
    const gpt = JSON.parse((await baton('tools', 'eval', '--tools', TOOLS, '--queries', QUERIES, '--k', '1')).stdout);
    const estimated = await baton(
      'tools',
      'eval',
      '--tools',
      TOOLS,
      '--queries',
      QUERIES,
      '--k',
      '1',
      '--model',
      'claude-sonnet-4',
    );
    const claude = JSON.parse(estimated.stdout);
    expect(estimated.stderr).toContain(
      'note: claude-sonnet-4 is not an OpenAI model; its tokens are a conservative estimate',
    );
    expect(gpt.k).toBe(1);
    // At k = 1 a request that needs two tools can never have both: recall at k falls under recall at 1.
    expect(gpt.recallAtK).toBeLessThan(gpt.recallAt1);
    expect(claude.allToolsTokens).toBeGreaterThan(gpt.allToolsTokens);
  });

  it('measures with the weights given: values off, or BM25 alone', async () => {
    await writeFile(
      file('values-tools.json'),
      JSON.stringify({
        tools: [
          {
            name: 'send_text',
            description: 'Send a text.',
            inputSchema: { properties: { to: { description: 'Phone' } } },
          },
          { name: 'translate_text', description: 'Translate a text message into a language.', inputSchema: {} },
        ],
      }),
    );
    await writeFile(
      file('values.jsonl'),
      '{"query": "message +351 912 345 678 that I landed", "expected": ["send_text"]}\n',
    );
    const measure = async (...weights: string[]) => {
      const args = ['--tools', file('values-tools.json'), '--queries', file('values.jsonl'), '--k', '1', ...weights];
      const { code, stdout } = await baton('tools', 'eval', ...args);
      expect(code).toBe(0);
      return JSON.parse(stdout).recallAt1 as number;
    };
    expect(await measure()).toBe(1);
    expect(await measure('--value-weight', '0')).toBe(0);
    expect(await measure('--value-weight', '0', '--lexical-weight', '1')).toBe(0);
  });

  it('--concept-weight weighs the words everyday ones signal; 0 reads the request words alone', async () => {
    await writeFile(
      file('concept-tools.json'),
      JSON.stringify({
        tools: [
          { name: 'weather_forecast', description: 'Weather forecast for the coming days at a place', inputSchema: {} },
          { name: 'umbrella_insurance', description: 'Quote for an umbrella liability policy', inputSchema: {} },
        ],
      }),
    );
    await writeFile(
      file('concept.jsonl'),
      '{"query": "will I need an umbrella tomorrow", "expected": ["weather_forecast"]}\n',
    );
    const measure = async (...weights: string[]) => {
      const args = ['--tools', file('concept-tools.json'), '--queries', file('concept.jsonl'), '--k', '1', ...weights];
      const { code, stdout } = await baton('tools', 'eval', ...args, '--lexical-weight', '1');
      expect(code).toBe(0);
      return JSON.parse(stdout).recallAt1 as number;
    };
    expect(await measure()).toBe(1);
    expect(await measure('--concept-weight', '0')).toBe(0);
  });

  it('measures a small file of its own: a request that needs one tool, found first', async () => {
    const { code, stdout } = await baton(
      'tools',
      'eval',
      '--tools',
      file('tools.json'),
      '--queries',
      file('queries.jsonl'),
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ queries: 1, recallAt1: 1, recallAtK: 1, tokensSavedRatio: 0 });
  });

  it.each([
    [['--tools', 'NONE', '--queries', 'QUERIES'], /cannot read tools file ".*no-such.json": no such file/],
    [['--tools', 'BROKEN', '--queries', 'QUERIES'], /broken-tools.json: line 3: not valid JSON/],
    [['--tools', 'TOOLS', '--queries', 'BAD_LINE'], /bad-line.jsonl: line 2: "expected" must be a non-empty array/],
    [
      ['--tools', 'TOOLS', '--queries', 'UNKNOWN'],
      /unknown-tool.jsonl: line 1: expects "send_pigeon", which is not in/,
    ],
    [
      ['--tools', 'TWO_QUERIES', '--queries', 'QUERIES'],
      /--tools .*two-queries.jsonl: line 2: not valid JSON.* \(--tools takes an MCP tools\/list result/,
    ],
    [
      ['--tools', 'EMPTY', '--queries', 'QUERIES'],
      /no-tools.json: lists no tools \("tools": \[\]\): there is nothing to search/,
    ],
  ])('unusable input %j: a message naming the file and line, exit code 3', async (args, message) => {
    const paths: Record<string, string> = {
      NONE: file('no-such.json'),
      BROKEN: file('broken-tools.json'),
      TOOLS: file('tools.json'),
      QUERIES: file('queries.jsonl'),
      BAD_LINE: file('bad-line.jsonl'),
      UNKNOWN: file('unknown-tool.jsonl'),
      EMPTY: file('no-tools.json'),
      TWO_QUERIES: file('two-queries.jsonl'),
    };
    const { code, stdout, stderr } = await baton('tools', 'eval', ...args.map((arg) => paths[arg] ?? arg));
    expect(code).toBe(3);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
    noStack(stderr);
  });

  it.each([
    [['--k', '0'], /--k must be a whole number from 1 to 1000, got "0"/],
    [['--model', ' '], /--model must not be empty/],
    [['--value-weight', '1.5'], /--value-weight must be a number in \[0, 1\], got "1.5"/],
    [['--concept-weight', '-1'], /--concept-weight must be a number in \[0, 1\], got "-1"/],
    [['--lexical-weight', 'half'], /--lexical-weight must be a number in \[0, 1\], got "half"/],
    [['--queries', 'x.jsonl'], /required option '--tools <file>' not specified/],
    // A misspelt required option is reported as unknown, with the one meant, not as the required one missing.
    [['--tool', 'x.json'], /^baton: unknown option '--tool'\n\(Did you mean --tools\?\)$/],
    [['--tool', 'x.json', '--queries', 'x.jsonl'], /^baton: unknown option '--tool'\n\(Did you mean --tools\?\)$/],
  ])('usage mistake %j: exit code 2', async (args, message) => {
    const base =
      args.includes('--queries') || args.includes('--tool')
        ? []
        : ['--tools', file('tools.json'), '--queries', file('queries.jsonl')];
    const { code, stderr } = await baton('tools', 'eval', ...base, ...args);
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(message);
    noStack(stderr);
  });

  it('gives an example in its help that names no file the npm package lacks', async () => {
    const help = (await baton('tools', 'eval', '--help')).stdout;
    expect(help).toMatch(/Example:\n\s+\$ baton tools eval --tools tools.json --queries queries.jsonl/);
    expect(help).not.toMatch(/--tools packages\//);
  });

  it('lists each missed request with what was expected and selected, with --misses, in the one JSON object', async () => {
    const args = ['tools', 'eval', '--tools', file('tools.json'), '--queries', file('two-queries.jsonl'), '--k', '1'];
    const plain = await baton(...args);
    expect(JSON.parse(plain.stdout)).not.toHaveProperty('misses');
    const { code, stdout } = await baton(...args, '--misses');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toMatchObject({
      queries: 2,
      recallAtK: 0.5,
      misses: [{ query: 'text my mum', expected: ['weather_get_forecast'], selected: ['twilio_send_sms'] }],
    });
  });
});
