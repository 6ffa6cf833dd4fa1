/**
 * How the quickstart stops after Ctrl-C: the example services and the server close cleanly — the server hands the
 * orchestrations still going back to the database — unless Ctrl-C comes again or the close outlasts `STOP_GRACE_MS`;
 * then it stops at once, as if the process had died, which the durable store is made for. Either way it says which
 * orchestrations were unfinished: the database keeps them, and the next start goes on with them.
 */
import { createClient } from '@baton/sdk';

/** How long a clean stop may take before the quickstart stops at once. */
export const STOP_GRACE_MS = 15_000;

/** The statuses of an orchestration that has not ended. */
const UNFINISHED = ['planning', 'running', 'waiting', 'compensating'] as const;

export interface UnfinishedOrchestration {
  id: string;
  status: string;
}

/**
 * The project's orchestrations that have not ended, newest first per status; none when the server does not answer at
 * once (it is asked once, briefly: someone is waiting for it to stop).
 */
export async function unfinishedOrchestrations(connection: {
  url: string;
  apiKey: string;
}): Promise<UnfinishedOrchestration[]> {
  const client = createClient({ ...connection, retry: false, timeoutMs: 5000 });
  try {
    const pages = await Promise.all(UNFINISHED.map((status) => client.list({ status, limit: 50 })));
    return pages.flatMap((page) => page.items.map((item) => ({ id: item.id, status: item.status })));
  } catch {
    return [];
  }
}

/**
 * Waits for `closing` to end, unless `again` (a second Ctrl-C) comes first or `graceMs` passes: `closed`, or why the
 * wait was cut short.
 *
 * @example
 * const ended = await closeWithin(server.close(), again.signal); // 'closed' | 'again' | 'grace'
 */
export async function closeWithin(
  closing: Promise<void>,
  again: Promise<unknown>,
  graceMs = STOP_GRACE_MS,
): Promise<'closed' | 'again' | 'grace'> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'grace'>((resolve) => {
    timer = setTimeout(() => resolve('grace'), graceMs);
  });
  try {
    return await Promise.race([closing.then(() => 'closed' as const), again.then(() => 'again' as const), grace]);
  } finally {
    clearTimeout(timer);
  }
}

/** `orc_1 (compensating), orc_2 (waiting)`, the first ten and how many more. */
function listed(orchestrations: readonly UnfinishedOrchestration[]): string {
  const shown = orchestrations.slice(0, 10).map((item) => `${item.id} (${item.status})`);
  const more = orchestrations.length > 10 ? `, and ${orchestrations.length - 10} more` : '';
  return `${shown.join(', ')}${more}`;
}

/** What a clean stop says of the orchestrations it hands back; nothing when there are none. */
export function keptLines(orchestrations: readonly UnfinishedOrchestration[], database: string): string[] {
  if (orchestrations.length === 0) return [];
  return [`Unfinished, kept in ${database} for the next start to go on with: ${listed(orchestrations)}`];
}

/** What a start says of the orchestrations an earlier one left unfinished and it goes on with; nothing when none. */
export function goingOnLines(orchestrations: readonly UnfinishedOrchestration[]): string[] {
  if (orchestrations.length === 0) return [];
  return [`Going on with what the last start left unfinished: ${listed(orchestrations)}`];
}

/** The line of a stop cut short: why, what it leaves unfinished, and that nothing is lost. */
export function cutShortLine(
  why: 'again' | 'grace',
  orchestrations: readonly UnfinishedOrchestration[],
  database: string,
): string {
  const cause = why === 'again' ? 'Ctrl-C again' : `the clean stop took more than ${STOP_GRACE_MS / 1000} s`;
  const left = orchestrations.length === 0 ? 'whatever the server was doing' : listed(orchestrations);
  return `baton: stopped at once (${cause}); left unfinished: ${left}. ${database} keeps it all: the next baton quickstart goes on with them`;
}
