/**
 * Starting, watching and killing worker processes from a test, and the throwaway stores they share: a temporary
 * folder for SQLite, a fresh schema (dropped afterwards) for PostgreSQL. Every child started here is remembered so
 * `killWorkers()` can end the ones a failed test left behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type ChildHandle, killChildren, spawnChild } from '../children/child-process.js';
import type { WorkerConfig } from './durable-fixture.js';
import type { EffectLocation } from './effect-log.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export const POSTGRES_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface WorkerProcess extends Omit<ChildHandle, 'waitFor'> {
  readonly engineId: string;
  /** Resolves when the worker prints `line`; rejects if it exits first or the time is up. */
  waitFor(line: string, timeoutMs?: number): Promise<void>;
}

export function startWorker(config: WorkerConfig): WorkerProcess {
  const handle = spawnChild(`worker ${config.engineId}`, WORKER, config);
  return Object.assign(Object.create(handle) as ChildHandle, {
    engineId: config.engineId,
    waitFor: (line: string, timeoutMs = 15_000) => handle.waitFor(line, { timeoutMs }).then(() => {}),
  });
}

/** SIGKILLs every worker still alive (cleanup after a failed test). */
export const killWorkers = killChildren;

/** What a durable test holds open: each is closed or removed when given. */
export interface TestResources {
  store?: { close(): Promise<void> } | undefined;
  effects?: { close(): Promise<void> } | undefined;
  db?: TestDatabase | undefined;
  /** A folder of the test's own, removed. */
  holdDir?: string | undefined;
}

/** An `afterEach` of the durable tests: kills the workers still running, then closes and removes what the test held. */
export async function releaseTestResources({ store, effects, db, holdDir }: TestResources): Promise<void> {
  await killWorkers();
  await store?.close();
  await effects?.close();
  await db?.dispose();
  if (holdDir !== undefined) rmSync(holdDir, { recursive: true, force: true });
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
