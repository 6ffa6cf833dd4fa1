/**
 * Starting, watching and killing worker processes from a test, and the throwaway stores they share: a temporary
 * folder for SQLite, a fresh schema (dropped afterwards) for PostgreSQL. Every child started here is remembered so
 * `killWorkers()` can end the ones a failed test left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import pg from 'pg';
import type { WorkerConfig } from './durable-fixture.js';
import type { EffectLocation } from './effect-log.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Packages the bundle leaves to Node (native code, or CommonJS not ours), resolved from the repository's root
 * node_modules — so only packages npm hoists there: canonicalize, which npm may nest under packages/core, is bundled.
 */
const EXTERNAL = ['better-sqlite3', 'pg', 'kysely', 'ajv', 'ajv-formats', 'cockatiel', 'semver', 'zod'];
let bundled: string | undefined;

/**
 * The worker and the Baton sources it imports, bundled once per test process: a process then starts in about a third
 * of the time `tsx` needs to compile them again, which is most of what a kill costs. It lives under node_modules (so
 * its external imports resolve), named by its content hash so concurrent test files share it; bundles of older
 * sources are removed after a day.
 */
function workerBundle(): string {
  if (bundled !== undefined) return bundled;
  const folder = join(ROOT, 'node_modules', '.cache', 'baton-durable-tests');
  mkdirSync(folder, { recursive: true });
  const [output] = buildSync({
    entryPoints: [WORKER],
    bundle: true,
    write: false,
    outdir: folder,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@baton/source'],
    external: EXTERNAL,
    logLevel: 'warning',
  }).outputFiles;
  const name = `worker-${createHash('sha256').update(output!.contents).digest('hex').slice(0, 16)}.mjs`;
  const outfile = join(folder, name);
  if (!existsSync(outfile)) {
    const partial = `${outfile}.${process.pid}.tmp`;
    writeFileSync(partial, output!.contents);
    renameSync(partial, outfile);
  }
  for (const old of readdirSync(folder)) {
    const path = join(folder, old);
    if (old !== name && Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { force: true });
  }
  bundled = outfile;
  return outfile;
}

export const POSTGRES_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface WorkerProcess {
  readonly engineId: string;
  readonly child: ChildProcess;
  /** Resolves when the worker prints `line`; rejects if it exits first or the time is up. */
  waitFor(line: string, timeoutMs?: number): Promise<void>;
  /** When `kill()` saw it gone (ms since epoch): no call of it runs past this. */
  readonly killedAt: number | undefined;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGKILL, then waits until the process is gone. */
  kill(): Promise<void>;
  /** What it wrote to stderr, for failure messages. */
  stderr(): string;
}

const live = new Set<ChildProcess>();

export function startWorker(config: WorkerConfig): WorkerProcess {
  const child = spawn(process.execPath, [workerBundle(), JSON.stringify(config)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let errors = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const listener of listeners) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      for (const listener of listeners) listener();
      resolve(code);
    });
  });
  let killedAt: number | undefined;
  return {
    engineId: config.engineId,
    child,
    exited,
    get killedAt() {
      return killedAt;
    },
    stderr: () => errors,
    waitFor(line, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (lines.includes(line)) done(() => resolve());
          else if (child.exitCode !== null || child.signalCode !== null)
            done(() => reject(new Error(`worker ${config.engineId} exited before "${line}":\n${errors}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`worker ${config.engineId} did not print "${line}":\n${errors}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async kill() {
      const alive = child.exitCode === null && child.signalCode === null;
      if (alive) child.kill('SIGKILL');
      await exited;
      // Taken once it is gone: nothing it started can still be running after this.
      if (alive) killedAt = Date.now();
    },
  };
}

/** SIGKILLs every worker still alive (cleanup after a failed test). */
export async function killWorkers(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export interface TestDatabase {
  /** What `openStore` and `WorkerConfig` take. */
  storeUrl: string;
  schema?: string;
  effects: EffectLocation;
  /** Deletes the folder or drops the schema. */
  dispose(): Promise<void>;
}

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'baton-process-'));
  return {
    storeUrl: join(dir, 'baton.db'),
    effects: { kind: 'sqlite', path: join(dir, 'effects.db') },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresDatabase(): TestDatabase {
  const schema = `baton_x_${randomBytes(6).toString('hex')}`;
  return {
    storeUrl: POSTGRES_URL,
    schema,
    effects: { kind: 'postgres', url: POSTGRES_URL, schema },
    async dispose() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export const randomBetween = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
