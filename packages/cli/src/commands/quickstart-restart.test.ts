/**
 * `baton quickstart` stopped and started again on the same folder: a quickstart whose kept key no longer works makes a
 * project of another name (project names are unique on a server).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminClient, createClient } from '@baton/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, waitFor } from '../cli-test-kit.js';

let dir: string | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
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

/** Starts `baton quickstart` on `folder` and waits until it serves. */
async function startQuickstart(folder: string): Promise<Quickstart> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: folder };
  for (const name of Object.keys(env)) if (name.startsWith('BATON_')) delete env[name];
  const child = spawn(process.execPath, [BIN, 'quickstart', '--port', '0', '--dir', join(folder, 'state')], {
    env,
    cwd: folder,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
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

describe('baton quickstart started again', () => {
  it('makes a project named quickstart-2 when the key it kept no longer works', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-quickstart-names-'));
    const first = await startQuickstart(dir);
    const client = createClient({ url: first.url, apiKey: first.apiKey });
    const [key] = await client.apiKeys.list();
    await client.apiKeys.revoke(key?.id as string);
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
});
