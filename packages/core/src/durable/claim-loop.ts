/**
 * The claim loop of a durable engine: until the engine closes, it purges finished runs past their retention now and
 * then, claims runs that need an engine (dead engines' runs, woken parked runs, submitted runs) up to its capacity,
 * and waits exactly until the next run becomes claimable or the store signals new work. On start it first takes back
 * the runs its own id still holds (it was restarted) and those of engines of this machine whose process is gone (an
 * earlier life under another id), and announces the runs other engines hold.
 */
import type { RunStore, StoredRun } from '../storage/run-store.js';
import { isGoneLocalEngine } from './engine-identity.js';
import type { EngineReporter } from './engine-reporter.js';
import type { HeldRuns } from './held-runs.js';

export interface ClaimLoopSettings {
  store: RunStore;
  engineId: string;
  leaseMs: number;
  maxActiveRuns: number;
  purgeIntervalMs: number;
  onError(error: unknown): void;
  reporter: EngineReporter;
}

/** The longest the loop waits before it looks again, whatever the store says. */
const MAX_WAIT_MS = 1000;

export async function claimLoop(
  settings: ClaimLoopSettings,
  held: HeldRuns,
  take: (run: StoredRun) => void,
  signal: AbortSignal,
): Promise<void> {
  const { store, engineId, leaseMs, maxActiveRuns } = settings;
  held.keepRenewing();
  let nextPurge = 0;
  await adoptOwnRuns(settings, held, take);
  while (!signal.aborted) {
    try {
      if (Date.now() >= nextPurge) {
        nextPurge = Date.now() + settings.purgeIntervalMs;
        await store.purge();
      }
      const capacity = maxActiveRuns - held.size;
      if (capacity > 0) {
        for (const run of await store.claimRuns(engineId, leaseMs, capacity)) {
          // Our own run whose lease lapsed during a stall: the claim renewed it; never start a second copy.
          if (held.has(run.id)) continue;
          take(run);
        }
      }
      if (held.size >= maxActiveRuns) {
        // Full: claimable runs would make the loop spin (on SQLite, without ever yielding to timers).
        await held.untilSlotFree(MAX_WAIT_MS, signal);
        continue;
      }
      const next = await store.nextClaimableAt();
      const wait = next === null ? MAX_WAIT_MS : Math.min(MAX_WAIT_MS, Math.max(0, next - Date.now()));
      if (wait > 0) await store.waitForWork(wait, signal);
    } catch (error) {
      if (signal.aborted) break;
      settings.onError(error);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * On start: runs this engine's id still holds (it was restarted) are resumed at once — they are its own — and so are
 * those of engines of this machine whose process is gone (`isGoneLocalEngine`); the runs other engines hold are
 * announced with the time their lease expires.
 */
async function adoptOwnRuns(settings: ClaimLoopSettings, held: HeldRuns, take: (run: StoredRun) => void) {
  const { store, engineId, leaseMs, maxActiveRuns } = settings;
  try {
    const leased = await store.listRuns({ status: ['running', 'compensating'] });
    const gone = await expireGoneEngines(store, engineId, leased);
    const capacity = maxActiveRuns - held.size;
    for (const run of await store.claimRuns(engineId, leaseMs, capacity, { includeOwn: true })) {
      if (!held.has(run.id)) take(run);
    }
    settings.reporter.leaseWaits(
      leased.filter((run) => run.owner === null || !gone.has(run.owner)),
      engineId,
    );
  } catch (error) {
    settings.onError(error);
  }
}

/**
 * Ends the leases that engines of this machine whose process is gone still hold on `leased` runs, so those runs are
 * claimed now; returns those engines.
 */
async function expireGoneEngines(
  store: RunStore,
  engineId: string,
  leased: readonly StoredRun[],
): Promise<Set<string>> {
  const now = Date.now();
  const owners = new Set<string>();
  for (const { owner, leaseExpiresAt } of leased) {
    if (owner !== null && owner !== engineId && (leaseExpiresAt ?? 0) > now) owners.add(owner);
  }
  const gone = new Set([...owners].filter(isGoneLocalEngine));
  for (const owner of gone) await store.expireLeases(owner);
  return gone;
}
