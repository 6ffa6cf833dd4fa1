/**
 * The live display on a terminal: `baton run` runs in this process with a stdout that says it is a TTY, and what it
 * writes goes into a headless xterm, so the test reads the screen a person would see once the run has ended.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createService, memoryInstanceStore } from '@baton/sdk';
import xterm from '@xterm/headless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, startCliTestServer } from '../cli-test-kit.js';
import type { Io } from '../io.js';
import { main } from '../main.js';

let t: CliTestServer;
const stops: Array<() => Promise<void>> = [];
const saved = { ...process.env };

beforeAll(async () => {
  t = await startCliTestServer();
  Object.assign(process.env, t.env, { HOME: t.home });
  for (const [name, handler] of [
    ['weather', async (input: unknown) => ({ celsius: String((input as { city: string }).city).length })],
    [
      'broken',
      async () => {
        throw Object.assign(new Error('no such city'), { retryable: false });
      },
    ],
  ] as const) {
    const service = createService({ name, description: name, instanceStore: memoryInstanceStore(), handler });
    await service.start({ url: t.url, apiKey: t.apiKey });
    stops.push(() => service.stop());
  }
});

afterAll(async () => {
  process.env = saved;
  for (const stop of stops.splice(0)) await stop();
  await t.close();
});

/** Runs `baton …args` here with a terminal as stdout; the lines on its screen at the end, and stderr. */
async function onTerminal(
  args: string[],
): Promise<{ code: number; screen: string[]; written: string; errors: string[] }> {
  const terminal = new xterm.Terminal({ cols: 120, rows: 40, convertEol: true, allowProposedApi: true });
  let drawn = Promise.resolve();
  let written = '';
  const stdout = {
    isTTY: true,
    columns: 120,
    rows: 40,
    write(chunk: string) {
      written += chunk;
      drawn = drawn.then(() => new Promise<void>((resolve) => terminal.write(chunk, resolve)));
      return true;
    },
  };
  const errors: string[] = [];
  const io: Io = { out: (line) => stdout.write(`${line}\n`), err: (line) => errors.push(line), exitCode: 0, stdout };
  const code = await main(['node', 'baton', ...args], io);
  await drawn;
  const buffer = terminal.buffer.active;
  const screen: string[] = [];
  for (let row = 0; row < buffer.length; row++) screen.push(buffer.getLine(row)?.translateToString(true) ?? '');
  terminal.dispose();
  while (screen.at(-1) === '') screen.pop();
  return { code, screen, written, errors };
}

describe('baton run on a terminal (log-update)', () => {
  it('follows without --wait, and its last frame shows every step done', async () => {
    const plan = join(t.home, 'plan.json');
    await writeFile(
      plan,
      JSON.stringify({
        steps: [
          { id: 'paris', target: 'weather', input: { city: 'Paris' } },
          { id: 'lisbon', target: 'weather', input: { city: 'Lisbon' } },
          {
            id: 'both',
            target: 'weather',
            input: { city: { $ref: 'steps.paris.output.celsius' } },
            dependsOn: ['lisbon'],
          },
        ],
      }),
    );
    const { code, screen, written } = await onTerminal(['run', 'Weather twice', '--plan', plan]);
    expect(code).toBe(0);
    // The region is redrawn with the terminal's own escape codes (erase line, cursor up) rather than printed again.
    expect(written).toContain(`${String.fromCharCode(27)}[2K`);
    const frameStart = screen.findIndex((line) => /^orc_\w+ {2}3 of 3 steps done {2}\S+$/.test(line));
    expect(frameStart).toBeGreaterThan(0);
    expect(screen.slice(frameStart + 1, frameStart + 4)).toEqual([
      expect.stringMatching(/^ {2}paris {3}weather@1 {2}✓ done( \S+)?$/),
      expect.stringMatching(/^ {2}lisbon {2}weather@1 {2}✓ done( \S+)?$/),
      expect.stringMatching(/^ {2}both {4}weather@1 {2}✓ done( \S+)?$/),
    ]);
    expect(screen.slice(0, frameStart)).toContain('Plan: 3 steps in 2 parallel groups');
    expect(screen.slice(frameStart + 4)).toEqual([
      expect.stringMatching(/^Orchestration orc_\w+ succeeded in \S+\. Result:$/),
      '{',
      '  "both": {',
      '    "celsius": 1',
      '  }',
      '}',
    ]);
    expect(screen.slice(frameStart).filter((line) => /running|waiting/.test(line))).toEqual([]);
  });

  it("a failed step stays on the screen as failed, with the orchestration's error on stderr (exit 7)", async () => {
    const plan = join(t.home, 'broken.json');
    await writeFile(plan, JSON.stringify({ steps: [{ id: 'look', target: 'broken', input: {} }] }));
    const { code, screen, errors } = await onTerminal(['run', 'Break', '--plan', plan, '--wait']);
    expect(code).toBe(7);
    expect(screen).toContainEqual(expect.stringMatching(/^ {2}look {2}broken(@1)? {2}✗ failed.*no such city$/));
    expect(screen).toContainEqual(expect.stringMatching(/^orc_\w+ {2}0 of 1 steps done/));
    expect(errors).toEqual([expect.stringMatching(/^baton: orchestration orc_\w+ failed .*no such city/)]);
  });
});
