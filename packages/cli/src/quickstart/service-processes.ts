/**
 * Starts each example service in a process of its own (`service-process.js`), as services of any language would run,
 * and waits until each says it is registered. Stopping sends SIGTERM, so each finishes what it runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./service-process.js', import.meta.url));
const READY_WITHIN_MS = 30_000;

export interface ServiceProcesses {
  readonly names: readonly string[];
  stop(): Promise<void>;
}

export async function startServiceProcesses(
  names: readonly string[],
  connection: { url: string; apiKey: string },
): Promise<ServiceProcesses> {
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }),
    );
  };
  try {
    await Promise.all(
      names.map((name) => {
        const child = spawn(process.execPath, [...process.execArgv, ENTRY, name], {
          env: { ...process.env, BATON_URL: connection.url, BATON_API_KEY: connection.apiKey },
          // The IPC channel closes when this process ends, however it ends: the service then stops too.
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        children.push(child);
        return ready(child, name);
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { names, stop };
}

function ready(child: ChildProcess, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(`did not register within ${READY_WITHIN_MS / 1000} s`), READY_WITHIN_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`the example service ${name} ${why}${output ? `: ${output.trim().slice(-500)}` : ''}`));
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(`ready ${name}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before it registered`));
    child.once('error', (error) => fail(`could not start (${error.message})`));
  });
}
