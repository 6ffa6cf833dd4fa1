/**
 * A step whose handler makes three sub-calls, in a real process on a SQLite file, SIGKILLed once the second sub-call
 * returned: a new process of the same engine resumes the run from its journal, replays sub-calls 1 and 2 without
 * calling them and calls the third once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { killChildren, spawnChild } from '../children/child-process.js';
import { sqliteDatabase, type TestDatabase } from './worker-process.js';

const WORKER = fileURLToPath(new URL('./sub-call-worker.ts', import.meta.url));

let db: TestDatabase | undefined;
afterEach(async () => {
  await killChildren();
  await db?.dispose();
  db = undefined;
});

it('resumes a step killed after its second sub-call without repeating the first two', async () => {
  db = sqliteDatabase();
  const invocations = join(db.storeUrl, '..', 'invocations.txt');
  const config = { storeUrl: db.storeUrl, invocations, engineId: 'worker' };
  const first = spawnChild('first life', WORKER, { ...config, runId: 'run-1', holdAfter: 2 });
  await first.waitFor('after 2');
  await first.kill();
  expect(readFileSync(invocations, 'utf8')).toBe('1 run-1:agent#call-1\n2 run-1:agent#call-2\n');

  const second = spawnChild('second life', WORKER, config);
  await second.waitFor(/^finished /);
  expect(second.lines).toContain('finished {"agent":{"n":4}}');
  expect(readFileSync(invocations, 'utf8')).toBe('1 run-1:agent#call-1\n2 run-1:agent#call-2\n3 run-1:agent#call-3\n');
  await second.kill();
});
