/**
 * The processes the server benchmarks run beside the bench: SDK services, BullMQ workers, a `ws` echo server and a
 * Baton server, each a script under `bench/children/` started with tsx, so they do not share the bench's event loop.
 * Like the bench itself, they import the built packages (`dist`), the code an installed Baton runs.
 * A child says `{ type: 'ready', ... }` over IPC once it can take work (its startup is never timed), answers
 * `{ type: 'settle' }` with `{ type: 'settled' }` after forced garbage collections, and exits on `{ type: 'stop' }`.
 * `BATON_BENCH_CPU_PROF_DIR=<dir>` runs every child with `--cpu-prof` into that directory (one profile per process,
 * written when it stops), to see where a child's time goes; `BATON_BENCH_CPU_PROF_INTERVAL_US` samples more often than
 * the default 1 ms.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '@baton/server';

export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

export interface BenchChild<Ready extends ChildMessage = ChildMessage> {
  readonly process: ChildProcess;
  readonly pid: number;
  /** What the child said when it became ready. */
  readonly ready: Ready;
  /** Sends `message` and resolves with the child's first answer of type `answerType`. */
  ask(message: ChildMessage, answerType: string): Promise<ChildMessage>;
  /** Asks the child to stop; kills it (by its pid) if it has not exited within five seconds. */
  stop(): Promise<void>;
}

/**
 * @example
 * const echo = await startChild<{ type: 'ready'; port: number }>('ws-echo.ts', {});
 * // …
 * await echo.stop();
 */
export async function startChild<Ready extends ChildMessage>(
  script: string,
  args: unknown,
  options: { nodeOptions?: string[] } = {},
): Promise<BenchChild<Ready>> {
  const path = fileURLToPath(new URL(`./children/${script}`, import.meta.url));
  // The child's stdout goes to our stderr: the bench's stdout carries only the JSON lines.
  const profileDir = process.env.BATON_BENCH_CPU_PROF_DIR;
  const interval = process.env.BATON_BENCH_CPU_PROF_INTERVAL_US;
  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...(interval ? [`--cpu-prof-interval=${interval}`] : [])]
    : [];
  const child = fork(path, [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx', ...profile, ...(options.nodeOptions ?? [])],
    stdio: ['ignore', process.stderr, 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const next = (type: string) =>
    new Promise<ChildMessage>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`bench child ${script} exited with ${code} before sending ${type}`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = (await next('ready')) as Ready;
  return {
    process: child,
    pid: child.pid as number,
    ready,
    ask: (message, answerType) => {
      const answer = next(answerType);
      child.send(message);
      return answer;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ServerReady extends ChildMessage {
  type: 'ready';
  url: string;
  projectId: string;
  apiKey: string;
}

/**
 * Starts `children/baton-server.ts` with the Node.js flags `baton serve` runs the server with (`SERVER_NODE_FLAGS`),
 * so the bench measures the server as its users run it; `nodeOptions` adds more.
 */
export function startServerChild(
  args: { databaseUrl: string; adminToken: string; secretKey?: string },
  nodeOptions: string[] = [],
): Promise<BenchChild<ServerReady>> {
  return startChild<ServerReady>('baton-server.ts', args, { nodeOptions: [...SERVER_NODE_FLAGS, ...nodeOptions] });
}

/** CPU time (user + system) process `pid` has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Resident set size of process `pid` in KB, from /proc/<pid>/status. */
export function residentKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}
