/**
 * A separate engine process for the SQLite cross-process test: opens the store at argv[2], waits until the time in
 * argv[4] so its peers start together, claims runs as owner argv[3] one at a time until none are left, and prints
 * the claimed ids as JSON.
 */
import { openStore } from '../open-store.js';

const [path, owner, startAt] = process.argv.slice(2) as [string, string, string];
const store = await openStore({ url: `sqlite:${path}` });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const claimed: string[] = [];
for (;;) {
  const batch = await store.claimRuns(owner, 60_000, 1);
  if (batch.length === 0) break;
  claimed.push(...batch.map((run) => run.id));
}
await store.close();
process.stdout.write(JSON.stringify(claimed));
