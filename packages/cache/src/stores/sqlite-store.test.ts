import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { makeEntry, runStoreContract } from './store-contract.js';

const directory = mkdtempSync(join(tmpdir(), 'baton-cache-sqlite-'));
let n = 0;
runStoreContract('sqlite', async () => new SqliteStore({ path: join(directory, `cache-${n++}.db`) }));

it('shares one file between two store instances (two processes), in WAL mode', async () => {
  const path = join(directory, 'shared.db');
  const writer = new SqliteStore({ path });
  const reader = new SqliteStore({ path });
  const entry = makeEntry();
  await writer.put(entry);
  expect((await reader.getByExactKey(entry.exactKey))!.id).toBe(entry.id);
  expect((await reader.vectorsSince(entry.partition, undefined)).items).toHaveLength(1);
  await writer.close();
  await reader.close();
});
