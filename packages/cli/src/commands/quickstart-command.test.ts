import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, waitFor } from '../cli-test-kit.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('baton quickstart', () => {
  it('an --action no template covers: one line saying it did not succeed and why, and it keeps serving', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-quickstart-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir };
    for (const name of Object.keys(env)) if (name.startsWith('BATON_')) delete env[name];
    const child = spawn(
      process.execPath,
      [BIN, 'quickstart', '--port', '0', '--dir', join(dir, 'state'), '--action', 'Tell me a joke'],
      { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = once(child, 'close') as Promise<[number | null]>;
    try {
      await waitFor(
        async () => stdout.includes('Press Ctrl-C to stop.') || undefined,
        'the quickstart to keep serving',
      );
      expect(stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^baton: the action "Tell me a joke" did not succeed, the quickstart keeps serving: the server refused: no plan template matches "Tell me a joke" .*\(422 no-planner, POST \/v1\/orchestrations\)$/,
        ),
      ]);
      expect(stdout).toContain('Baton keeps serving.');
    } finally {
      child.kill('SIGINT');
    }
    const [code] = await closed;
    expect(code).toBe(0);
  }, 90_000);
});
