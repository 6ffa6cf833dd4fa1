/**
 * A durable run's version locks live in its journal: the locks made as it starts are in its `run-start` entry, and
 * every lock made later (a fallback or a capability first resolved, a step that could not be resolved at the start, a
 * run started before locks existed) is a `version-lock` entry, stored before the call it was made for. Journals
 * written before locks existed have neither and read as no locks.
 */

import type { VersionLocks } from '../registry/locked-version.js';
import type { Registry } from '../registry/registry.js';
import { VersionLock } from '../run/version-lock.js';
import type { JournalEntry } from '../storage/run-store.js';
import type { JournalWriter } from './journal-writer.js';

export const VERSION_LOCK_ENTRY = 'version-lock';

/**
 * Every lock the journal holds; a key locked twice keeps its first lock.
 *
 * @example
 * const locks = locksFromJournal(await store.readJournal(runId)); // { draft: { ref: 'writer@^1', target: 'writer@1.2.0' } }
 */
export function locksFromJournal(entries: readonly JournalEntry[]): VersionLocks {
  const locks: VersionLocks = {};
  for (const entry of entries) {
    if (entry.type !== 'run-start' && entry.type !== VERSION_LOCK_ENTRY) continue;
    const versions = (entry.data as { versions?: unknown } | null)?.versions;
    if (typeof versions !== 'object' || versions === null) continue;
    for (const [key, locked] of Object.entries(versions as VersionLocks)) {
      if (!Object.hasOwn(locks, key) && typeof locked?.target === 'string') locks[key] = locked;
    }
  }
  return locks;
}

/** A version lock over the journal's locks, whose new locks are journaled through `writer`. */
export function journaledVersionLock(registry: Registry, locks: VersionLocks, writer: JournalWriter): VersionLock {
  return new VersionLock(registry, locks, (added) => recordLocks(writer, added));
}

/** Journals `added` as a `version-lock` entry (nothing when it is empty); resolves once it is stored. */
export async function recordLocks(writer: JournalWriter, added: VersionLocks): Promise<void> {
  if (Object.keys(added).length === 0) return;
  await writer.write({ type: VERSION_LOCK_ENTRY, data: { versions: added } });
}
