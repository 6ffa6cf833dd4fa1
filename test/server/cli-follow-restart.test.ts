/**
 * `baton logs -f` and `baton run --wait` follow an orchestration through a restart of the server: the server process
 * is SIGKILLed while a step holds, started again on the same SQLite file and port, and both commands — child
 * processes of the built CLI — say that they lost the server, carry on and end with the orchestration, exit 0, instead
 * of giving up on a server that is away for a few seconds.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@baton/sdk';
import { describe, expect, it } from 'vitest';
import {
  cleanUpAfterEachTest,
  createProject,
  restartableServer,
  type ServerProcess,
  startServerProcess,
  startServiceProcess,
  waitUntil,
} from './process-kit.js';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/baton.js', import.meta.url));
const cleanups = cleanUpAfterEachTest();

interface CliChild {
  output(): string;
  exited: Promise<number | null>;
}

function baton(args: string[], env: Record<string, string>, home: string): CliChild {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env, HOME: home, BATON_ADMIN_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { output: () => output, exited };
}

describe('the CLI following an orchestration while the server restarts', () => {
  it('logs -f and run --wait carry on to the end and exit 0', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-cli-restart-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const goDirectory = join(dir, 'go');
    mkdirSync(goDirectory);
    const home = join(dir, 'home');
    mkdirSync(home);
    const serverConfig = await restartableServer(join(dir, 'baton.db'));
    let server: ServerProcess = await startServerProcess('server', serverConfig);
    const apiKey = await createProject(server.url);
    const pay = await startServiceProcess('pay', {
      name: 'pay',
      label: 'pay',
      urls: [server.url],
      apiKey,
      instanceDirectory: join(dir, 'instances'),
      effects: { kind: 'sqlite', path: join(dir, 'effects.db') },
      goDirectory,
    });
    const env = { BATON_URL: server.url, BATON_API_KEY: apiKey };
    const client = createClient({ url: server.url, apiKey });
    const first = await client.orchestrate({
      action: 'Charge once',
      plan: { steps: [{ id: 'a', target: 'pay', input: { n: 1, holdFor: 'go' } }] },
    });
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify({ steps: [{ id: 'b', target: 'pay', input: { n: 2, holdFor: 'go' } }] }));

    const logs = baton(['logs', first.id, '-f'], env, home);
    const run = baton(['run', 'Charge again', '--plan', planFile, '--wait'], env, home);
    await pay.waitFor('hold a 1');
    await pay.waitFor('hold b 2');
    await waitUntil('logs -f to print the run start', () => logs.output().includes('run-start'));
    await waitUntil('run --wait to show its plan', () => run.output().includes('Orchestration orc_'));

    await server.kill();
    // Neither waits in silence while the server is away.
    for (const [name, child] of [
      ['logs -f', logs],
      ['run --wait', run],
    ] as const) {
      await waitUntil(`${name} to say it lost the server`, () =>
        child.output().includes(`(lost the server at ${server.url}`),
      );
    }
    server = await startServerProcess('server (restarted)', serverConfig);
    writeFileSync(join(goDirectory, 'go'), '');

    expect(await logs.exited, logs.output()).toBe(0);
    expect(logs.output()).toContain('run-finish');
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/Orchestration orc_\S+ succeeded/);
    expect((await client.get(first.id)).status).toBe('succeeded');
  });
});
