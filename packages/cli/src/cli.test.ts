import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '@baton/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./run-cli.ts', import.meta.url));
const bin = fileURLToPath(new URL('../bin/baton.js', import.meta.url));
const fromSource = ['--conditions=@baton/source', '--import', 'tsx', entry];

/** Runs the CLI from its sources as a child process, as the `baton` executable runs its compiled form. */
function baton(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run([...fromSource, ...args]);
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 80_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
const file = (name: string) => join(dir, name);
const lines = [
  {
    a: 'How much does the premium plan cost?',
    b: 'What is the price of the premium plan?',
    hit: true,
    kind: 'synonym',
  },
  { a: 'How do I mend my bike chain?', b: 'How do I fix my bike chain?', hit: true, kind: 'synonym' },
  { a: 'What is the weather in Paris today?', b: 'What is the weather in London today?', hit: false, kind: 'entity' },
  { a: 'How do I enable dark mode?', b: 'How do I disable dark mode?', hit: false, kind: 'polarity' },
];

/** One pair labelled wrong on purpose: a verified paraphrase the target precision says must not be served. */
const interior = [
  // WordNet synonyms outside the everyday list: verified equivalent, yet embedded apart, so the similarities differ.
  { a: 'Is the film good?', b: 'Is the picture good?', hit: true },
  { a: 'Which automobile is safest?', b: 'Which motorcar is safest?', hit: false },
  { a: 'How do I shut the window?', b: 'How do I close the window?', hit: true },
  { a: 'How do I mend my bike chain?', b: 'How do I fix my bike chain?', hit: true },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-cli-'));
  await writeFile(file('interior.jsonl'), interior.map((line) => JSON.stringify(line)).join('\n'));
  await writeFile(file('pairs.jsonl'), `${lines.map((line) => JSON.stringify(line)).join('\n')}\n\n`);
  await writeFile(file('bad.jsonl'), `${JSON.stringify(lines[0])}\n{"a": "broken",\n`);
  await writeFile(file('no-label.jsonl'), `${JSON.stringify({ a: 'x', b: 'y' })}\n`);
  await writeFile(file('empty.jsonl'), '\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

// Each case starts a Node process that loads the word vectors: on a busy 2-core machine 16 of them take longer than
// the default 20 s together.
describe.concurrent('baton CLI (real child process)', { timeout: 90_000 }, () => {
  it('runs as the compiled `baton` executable (bin/baton.js → dist/), with plain node', async () => {
    const { code, stdout } = await run([bin, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Exit codes:');
  });

  it('runs by its first line, which gives node the flags the server runs with', async () => {
    const [first] = (await readFile(bin, 'utf8')).split('\n');
    expect(first).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(bin, ['--help'], { timeout: 80_000 }, (error, out) => resolve({ code: error ? 1 : 0, stdout: out }));
    });
    expect(code).toBe(0);
    expect(stdout).toContain('Exit codes:');
  });

  it('prints help and exits 0', async () => {
    const { code, stdout } = await baton('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('eval');
    expect(stdout).toContain('cache');
  });

  it('eval: exits 0 for a paraphrase and prints the similarity and the checks', async () => {
    const { code, stdout } = await baton(
      'eval',
      'How much does the premium plan cost?',
      'What is the price of the premium plan?',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ similar: true, tier: 'semantic' });
    expect(result.similarity).toBeGreaterThan(0.8);
    expect(result.checks.every((check: { passed: boolean }) => check.passed)).toBe(true);
  });

  it('eval: exits 1 when another entity is named, and says which check failed', async () => {
    const { code, stdout } = await baton(
      'eval',
      'What is the weather in Paris today?',
      'What is the weather in London today?',
      '--threshold',
      '0.7',
    );
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ similar: false, threshold: 0.7 });
    expect(result.checks.find((check: { passed: boolean }) => !check.passed).name).toBe('entities');
  });

  it('eval: a strict --threshold turns a paraphrase into exit 1', async () => {
    const { code } = await baton('eval', 'How do I mend my bike?', 'How can I fix my bike?', '--threshold', '0.999');
    expect(code).toBe(1);
  });

  it('cache eval: prints one JSON object with the confusion counts, rates and per-kind counts', async () => {
    const { code, stdout } = await baton('cache', 'eval', '--pairs', file('pairs.jsonl'), '--threshold', '0.8');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      pairs: 4,
      truePositives: 2,
      falsePositives: 0,
      trueNegatives: 2,
      falseNegatives: 0,
    });
    expect(result).toMatchObject({ precision: 1, recall: 1, falseHitRate: 0 });
    expect(result.byKind.polarity).toMatchObject({ pairs: 1, trueNegatives: 1 });
  });

  it('cache calibrate: recommends a threshold that reaches the target precision', async () => {
    const { code, stdout } = await baton(
      'cache',
      'calibrate',
      '--pairs',
      file('pairs.jsonl'),
      '--target-precision',
      '0.99',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.recommendedThreshold).toBeGreaterThanOrEqual(0.5);
    expect(result.recommendedThreshold).toBeLessThanOrEqual(0.99);
    expect(result.equivalentAbove).toBeLessThan(result.recommendedThreshold);
    expect(result.precision).toBeGreaterThanOrEqual(0.99);
  });

  it('cache calibrate: sweeps the observed similarities, so the answer can be an interior threshold', async () => {
    const { code, stdout } = await baton(
      'cache',
      'calibrate',
      '--pairs',
      file('interior.jsonl'),
      '--target-precision',
      '1',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    const { scorePairs, createSifEmbedder } = await import('@baton/cache');
    const scores = await scorePairs(interior, { embedder: createSifEmbedder() });
    const [premium, bike, reset, cancel] = scores.map((score) => score.similarity!);
    // Above the wrongly labelled pair, at the lowest right one above it: not the lowest similarity, not a grid step.
    expect(result.recommendedThreshold).toBeGreaterThan(bike!);
    expect(result.recommendedThreshold).toBe(Math.min(...[premium!, reset!, cancel!].filter((s) => s > bike!)));
    expect(result).toMatchObject({ precision: 1, recall: 2 / 3, pairs: 4 });
  });

  it.each([
    [
      ['cache', 'eval', '--pairs', '/no/such/pairs.jsonl'],
      /cannot read pairs file "\/no\/such\/pairs.jsonl": no such file/,
    ],
    [['cache', 'eval', '--pairs', 'BAD'], /line 2: not valid JSON/],
    [['cache', 'eval', '--pairs', 'NO_LABEL'], /line 1: "hit" must be true or false/],
    [['cache', 'eval', '--pairs', 'EMPTY'], /holds no pairs/],
    [
      ['eval', '--embedder', 'onnx:/no/such/model:384', 'a', 'b'],
      /ONNX model directory "\/no\/such\/model" does not exist/,
    ],
  ])('unusable input %j: a clear message on stderr, exit code 3, no stack trace', async (args, message) => {
    const paths: Record<string, string> = {
      BAD: file('bad.jsonl'),
      NO_LABEL: file('no-label.jsonl'),
      EMPTY: file('empty.jsonl'),
    };
    const { code, stdout, stderr } = await baton(...args.map((arg) => paths[arg] ?? arg));
    expect(code).toBe(3);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
    noStack(stderr);
  });

  it('prints the stack of an error only with --debug', async () => {
    const plain = await baton('cache', 'eval', '--pairs', file('bad.jsonl'));
    noStack(plain.stderr);
    const debug = await baton('--debug', 'cache', 'eval', '--pairs', file('bad.jsonl'));
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('documents its exit codes and gives each command an example', async () => {
    expect((await baton('--help')).stdout).toMatch(/Exit codes:[\s\S]*2\s+usage mistake[\s\S]*3\s+unusable input/);
    for (const command of [['eval'], ['cache', 'eval'], ['cache', 'calibrate']]) {
      expect((await baton(...command, '--help')).stdout).toMatch(/Example:\n\s+\$ baton /);
    }
  });

  it.each([
    [
      ['cache', 'eval', '--pairs', 'PAIRS', '--threshold', '1.5'],
      /--threshold must be a number in \(0, 1\], got "1.5"/,
    ],
    [
      ['cache', 'eval', '--pairs', 'PAIRS', '--threshold', 'high'],
      /--threshold must be a number in \(0, 1\], got "high"/,
    ],
    [['cache', 'eval', '--pairs', 'PAIRS', '--embedder', 'word2vec'], /"word2vec" is not a known embedder/],
    [
      ['cache', 'calibrate', '--pairs', 'PAIRS', '--target-precision', '0'],
      /--target-precision must be a number in \(0, 1\]/,
    ],
    [['cache', 'eval'], /required option '--pairs <file>' not specified/],
    [['eval', 'only one'], /missing required argument 'b'/],
    [['eval', '', 'What is the capital of France?'], /<a> must be a non-empty prompt, got ""/],
    [['eval', 'What is the capital of France?', '   '], /<b> must be a non-empty prompt, got " {3}"/],
  ])('usage mistake %j: a clear message on stderr, exit code 2, no stack trace', async (args, message) => {
    const paths: Record<string, string> = {
      BAD: file('bad.jsonl'),
      NO_LABEL: file('no-label.jsonl'),
      PAIRS: file('pairs.jsonl'),
    };
    const { code, stdout, stderr } = await baton(...args.map((arg) => paths[arg] ?? arg));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
    noStack(stderr);
  });
});
