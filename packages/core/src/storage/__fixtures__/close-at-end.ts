/**
 * For the checkpointer test: a script that writes enough to the store at argv[2] for the checkpoint worker to start,
 * waits until it has folded some of the WAL in, then awaits `close()` as its last act and prints `closed`. A close
 * that leaves nothing for the event loop to wait on ends the process first, with exit code 13 and nothing printed.
 */
import { statSync } from 'node:fs';
import { openStore } from '../open-store.js';

const [path] = process.argv.slice(2) as [string];
const store = await openStore({ url: path, blobThresholdBytes: 1 << 20 });
await store.createRun({ id: 'run', plan: {}, request: null, options: null, owner: 'engine', leaseMs: 60_000 });
const before = statSync(path).size;
for (let i = 0; i < 200; i++) {
  await store.appendJournal('run', 'engine', [
    { type: 'step-finish', stepKey: `s${i}`, data: { pad: 'x'.repeat(2000) } },
  ]);
}
while (statSync(path).size < before + 200_000) await new Promise((resolve) => setTimeout(resolve, 50));
await store.close();
process.stdout.write('closed');
