/**
 * A Redis server of the bench's own that writes every command to an append-only file before it answers, as a peer
 * with the durability of Baton's stores: `appendfsync no` (written to the OS, so a killed Redis loses nothing it
 * acknowledged — what Baton's SQLite in WAL mode with `synchronous = NORMAL` promises) or `always` (fsync before the
 * answer — what PostgreSQL's default `synchronous_commit = on` promises). The machine's own Redis keeps nothing on disk.
 * Started from the `redis-server` on the PATH, on a free loopback port, in a temporary directory removed on stop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DurableRedis {
  readonly connection: { host: string; port: number };
  readonly fsync: 'no' | 'always';
  readonly pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Whether a Redis answers an inline PING on `port` within a second. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

/** Starts the server and resolves once it answers PING; undefined (with why on stderr) when `redis-server` is missing. */
export async function startDurableRedis(fsync: 'no' | 'always'): Promise<DurableRedis | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'];
  const child: ChildProcess = spawn('redis-server', [...args, '--appendfsync', fsync], { stdio: 'ignore' });
  const failed = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = once(child, 'exit');
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  // A bench that ends without stopping it (an error, Ctrl-C, a closed stdout) still takes its Redis down with it.
  const stopAtExit = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    cleanUp();
  };
  process.once('exit', stopAtExit);
  for (let attempt = 0; attempt < 100; attempt++) {
    const outcome = await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 50, 'wait'))]);
    if (outcome instanceof Error || child.exitCode !== null) {
      process.off('exit', stopAtExit);
      process.stderr.write(`no durable Redis peer: redis-server did not start (${String(outcome)})\n`);
      cleanUp();
      return undefined;
    }
    if (await answersPing(port)) {
      return {
        connection: { host: '127.0.0.1', port },
        fsync,
        pid: child.pid as number,
        stop: async () => {
          process.off('exit', stopAtExit);
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
          cleanUp();
        },
      };
    }
  }
  process.off('exit', stopAtExit);
  child.kill('SIGKILL');
  await exited;
  cleanUp();
  process.stderr.write('no durable Redis peer: redis-server did not answer PING within 5 s\n');
  return undefined;
}
