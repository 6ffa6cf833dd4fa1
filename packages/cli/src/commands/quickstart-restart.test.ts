/**
 * `baton quickstart` stopped and started again: Ctrl-C while a compensation keeps failing (retryably, so its TTL is
 * minutes away) stops at once, saying which orchestration it leaves unfinished, and records nothing as failed; the
 * next start goes on with it. A quickstart whose kept key no longer works makes a project of another name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminClient, createClient, createService, memoryInstanceStore, type Service } from '@baton/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, waitFor } from '../cli-test-kit.js';

let dir: string | undefined;
const children: ChildProcess[] = [];
const services: Service[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.stop().catch(() => {});
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Quickstart {
  url: string;
  apiKey: string;
  stdout(): string;
  stderr(): string;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `baton quickstart` on `folder`, with no BATON_ variable of this process's. */
function spawnQuickstart(folder: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: folder };
  for (const name of Object.keys(env)) if (name.startsWith('BATON_')) delete env[name];
  const child = spawn(process.execPath, [BIN, 'quickstart', '--port', '0', '--dir', join(folder, 'state')], {
    env,
    cwd: folder,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

/** Starts `baton quickstart` on `folder` and waits until it serves. */
async function startQuickstart(folder: string): Promise<Quickstart> {
  const child = spawnQuickstart(folder);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  await waitFor(() => stdout.includes('Press Ctrl-C to stop.') || undefined, `the quickstart to serve (${stderr})`);
  const exported = /export BATON_URL=(\S+) BATON_API_KEY=(\S+)/.exec(stdout);
  return {
    url: exported?.[1] as string,
    apiKey: exported?.[2] as string,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGINT');
      return (await exited)[0];
    },
  };
}

/** `ledger` charges; undoing a charge fails retryably while `bank.up` is false. `decline` always fails. */
async function startServices(url: string, apiKey: string, bank: { up: boolean; reverts: number }): Promise<void> {
  const started = [
    createService({
      name: 'ledger',
      description: 'Charges a card; the refund needs the bank',
      instanceStore: memoryInstanceStore(),
      handler: async () => ({ charged: 10 }),
      revert: async () => {
        bank.reverts += 1;
        if (!bank.up) throw Object.assign(new Error('bank unreachable'), { retryable: true });
      },
    }),
    createService({
      name: 'decline',
      description: 'Declines',
      instanceStore: memoryInstanceStore(),
      handler: async () => {
        throw Object.assign(new Error('card declined'), { retryable: false });
      },
    }),
  ];
  for (const service of started) {
    await service.start({ url, apiKey });
    services.push(service);
  }
}

describe('baton quickstart stopped and started again', () => {
  it('does not wait for a failing compensation: it says what it leaves, and the next start finishes it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-quickstart-stop-'));
    const first = await startQuickstart(dir);
    const bank = { up: false, reverts: 0 };
    await startServices(first.url, first.apiKey, bank);
    const run = await createClient({ url: first.url, apiKey: first.apiKey }).orchestrate({
      action: 'Charge, then ship',
      plan: {
        steps: [
          { id: 'charge', target: 'ledger', input: {} },
          { id: 'ship', target: 'decline', input: {}, dependsOn: ['charge'] },
        ],
      },
    });
    await waitFor(() => bank.reverts >= 2 || undefined, 'the refund to fail twice');

    // Without a prompt stop this waits for the compensation's TTL, five minutes: past the test's own timeout.
    expect(await first.stop()).toBe(0);
    expect(first.stdout()).toContain('Stopping the example services and the server… (Ctrl-C again to stop at once)');
    expect(first.stdout()).toContain(
      `Unfinished, kept in ${join(dir, 'state', 'baton.db')} for the next start to go on with: ${run.id} (compensating)`,
    );
    for (const service of services.splice(0)) await service.stop();

    bank.up = true;
    const second = await startQuickstart(dir);
    expect(second.apiKey).toBe(first.apiKey);
    expect(second.stdout()).toContain(`Going on with what the last start left unfinished: ${run.id} (compensating)`);
    await startServices(second.url, second.apiKey, bank);
    const client = createClient({ url: second.url, apiKey: second.apiKey });
    const ended = await waitFor(async () => {
      const view = await client.get(run.id);
      return view.status === 'failed' ? view : undefined;
    }, 'the orchestration to end, its compensation done');
    expect(ended.error).toMatchObject({ message: expect.stringContaining('card declined') });
    expect(await client.compensationFailures.list()).toEqual([]);
    const stream = await fetch(`${second.url}/v1/orchestrations/${run.id}/events`, {
      headers: { authorization: `Bearer ${second.apiKey}` },
    });
    const types = [...(await stream.text()).matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    expect(types.filter((type) => type === 'compensation-finish')).toHaveLength(1);
    expect(types).not.toContain('compensation-fail');
    expect(await second.stop()).toBe(0);
  }, 180_000);

  it('makes a project named quickstart-2 when the key it kept no longer works', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-quickstart-names-'));
    const first = await startQuickstart(dir);
    const client = createClient({ url: first.url, apiKey: first.apiKey });
    const [key] = await client.apiKeys.list();
    // The project's only live key cannot be revoked: another is made (and not kept) so the kept one can be.
    const other = await client.apiKeys.create('elsewhere');
    await createClient({ url: first.url, apiKey: other.key }).apiKeys.revoke(key?.id as string);
    expect(await first.stop()).toBe(0);

    const second = await startQuickstart(dir);
    expect(second.apiKey).not.toBe(first.apiKey);
    expect(second.stderr()).toBe('');
    const { adminToken } = JSON.parse(await readFile(join(dir, 'state', 'state.json'), 'utf8')) as {
      adminToken: string;
    };
    const projects = await createAdminClient({ url: second.url, adminToken }).projects();
    expect(projects.map((project) => project.name)).toEqual(['quickstart', 'quickstart-2']);
    expect(await second.stop()).toBe(0);
  }, 180_000);
  it('refuses a second quickstart on the folder one is running in, naming it, and exits 2', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-quickstart-twice-'));
    const first = await startQuickstart(dir);
    const second = spawnQuickstart(dir);
    let stderr = '';
    second.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(second, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain(`a quickstart on ${first.url} is already using ${join(dir, 'state')}`);
    expect(stderr).toContain('npm start -- --dir <folder>');
    expect(await first.stop()).toBe(0);
  });
});
