/**
 * An orchestration's events as Server-Sent Events. Everything the journal holds is sent with an id
 * (`<run>.<seq>`: the run number — 0, then one per retry — and the entry's place in that run's journal), read back
 * from the store, so a client that reconnects with `Last-Event-ID` — to this server after a restart, or to another
 * replica — gets exactly the entries after it. Live notes (a step started, retried, waiting for its service, a
 * service's progress) are sent as they happen, without an id, and are not replayed. What the journal implies without
 * an entry (an approval's decision, a parked run resuming: `implied-events.ts`) is sent without an id just before the
 * entry that implies it, so it comes again exactly when that entry does. An action sent in plain words
 * starts with `orchestration-planned` (id `plan`: the plan and how it was chosen) once its plan is made, or ends with
 * `planning-failed`. The stream ends after the final entry of the orchestration's current run.
 */
import type { JournalEntry } from '@baton/core';
import { ORCHESTRATION_EVENT_TYPES } from '@baton/protocol';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { badRequest } from '../errors/http-problem.js';
import { displayTarget } from '../services/target-name.js';
import { approvalAsked, type ImpliedEvent, impliedBefore } from './implied-events.js';
import { unscoped } from './orchestration-view.js';
import type { Orchestrations } from './orchestrations.js';
import type { ReusedFrom } from './reuse-target.js';
import type { LiveNote, RunEventsHub } from './run-events-hub.js';

const LIVE_TYPES = new Set<string>(ORCHESTRATION_EVENT_TYPES.live);

export interface EventPosition {
  run: number;
  seq: number;
  /** Whether the `orchestration-planned` event (id `plan`) was sent. */
  planned?: boolean;
}

/** The id of the event that carries the plan made for an action in plain words: it comes before every run's. */
const PLANNED_ID = 'plan';

export function parseLastEventId(value: string | undefined): EventPosition {
  if (value === undefined || value === '') return { run: 0, seq: -1 };
  if (value.trim() === PLANNED_ID) return { run: 0, seq: -1, planned: true };
  const match = /^(\d{1,6})\.(\d{1,12})$/.exec(value.trim());
  if (match === null) {
    throw badRequest(
      'invalid-last-event-id',
      `Last-Event-ID "${value.slice(0, 60)}" is not an event id of this stream (they look like 0.12, or plan)`,
      [
        {
          path: 'headers.last-event-id',
          code: 'invalid-last-event-id',
          message: 'expected <run>.<seq> (e.g. 0.12) or plan',
        },
      ],
    );
  }
  return { run: Number(match[1]), seq: Number(match[2]) };
}

/**
 * Refuses a position in a run the orchestration does not have (its runs are 0 and one per retry): such an id came
 * from another orchestration's stream, and resuming after it would send this one's whole current run again.
 */
export function checkEventPosition(from: EventPosition, retries: number): void {
  if (from.run <= retries) return;
  const runs = retries + 1;
  throw badRequest(
    'invalid-last-event-id',
    `Last-Event-ID "${from.run}.${from.seq}" names run ${from.run}, but this orchestration has ${runs} run${runs === 1 ? '' : 's'} (0 to ${retries}); it is an id of another stream`,
    [{ path: 'headers.last-event-id', code: 'invalid-last-event-id', message: `run ${from.run} does not exist` }],
  );
}

/** A first run reuses nothing. */
const NO_REUSE: ReadonlyMap<string, ReusedFrom> = new Map();

/** Journal entries that are no event of the orchestration's. */
const BOOKKEEPING: ReadonlySet<string> = new Set(['retry-scheduled']);

function entryType(entry: JournalEntry, current: boolean): string {
  if (entry.type !== 'run-fail') return entry.type;
  if (!current) return 'attempt-fail';
  return (entry.data as { status?: unknown } | null)?.status === 'cancelled' ? 'run-cancel' : 'run-fail';
}

/** `reused`: a retry's steps that reuse an earlier output, shown with the service they first ran on. */
function entryData(projectId: string, entry: JournalEntry, reused: ReadonlyMap<string, ReusedFrom>): unknown {
  const data = (entry.data ?? {}) as Record<string, unknown>;
  if (entry.type === 'step-finish') {
    const target = (entry.stepKey === null ? undefined : reused.get(entry.stepKey)?.target) ?? data.target;
    return {
      service: displayTarget(projectId, typeof target === 'string' ? target : undefined),
      attempts: data.attempts,
      usage: data.usage,
      output: data.output,
    };
  }
  if (entry.type === 'run-start') return {};
  return unscoped(projectId, data);
}

function impliedMessage(projectId: string, orchestrationId: string, implied: ImpliedEvent): Record<string, unknown> {
  return {
    type: implied.type,
    orchestrationId,
    stepId: implied.stepId,
    at: new Date(implied.at).toISOString(),
    data: unscoped(projectId, implied.data),
  };
}

function liveData(projectId: string, note: LiveNote): unknown {
  const data = note.data as Record<string, unknown>;
  const { runId: _run, path: _path, timestamp: _at, type: _type, stepId: _step, ...rest } = data;
  if (typeof rest.target === 'string') rest.service = displayTarget(projectId, rest.target);
  delete rest.target;
  return unscoped(projectId, rest);
}

/**
 * The final event of an orchestration whose run was never stored (its journal is empty, and its row has failed with
 * the reason): a stored run's row is final only after its final journal entry.
 */
async function unstartedEnd(
  orchestrations: Orchestrations,
  projectId: string,
  id: string,
  runId: string,
): Promise<Record<string, unknown> | undefined> {
  const row = await orchestrations.row(projectId, id);
  if (row.run_id !== runId || !['succeeded', 'failed', 'cancelled'].includes(row.status)) return undefined;
  const error = row.error === null ? null : unscoped(projectId, JSON.parse(row.error));
  // No plan was ever made: the action could not be planned, or was cancelled while it was.
  const unplanned = row.plan === 'null';
  return {
    type: unplanned ? (row.status === 'cancelled' ? 'run-cancel' : 'planning-failed') : 'run-fail',
    orchestrationId: id,
    stepId: null,
    at: new Date(row.finished_at ?? row.updated_at).toISOString(),
    data: unplanned ? { error, planning: row.planning === null ? null : JSON.parse(row.planning) } : { error },
  };
}

/**
 * The `orchestration-planned` event of an orchestration whose plan was made from its action (a template, the plan
 * cache or the model): undefined while it is being planned, and for an orchestration sent with its plan (`none`).
 */
async function plannedEvent(
  orchestrations: Orchestrations,
  projectId: string,
  id: string,
): Promise<Record<string, unknown> | 'none' | 'planning' | undefined> {
  const row = await orchestrations.row(projectId, id);
  if (row.status === 'planning') return 'planning';
  if (row.planning === null) return 'none';
  if (row.plan === 'null') return undefined;
  const view = await orchestrations.view(row);
  return {
    type: 'orchestration-planned',
    orchestrationId: id,
    stepId: null,
    at: new Date(row.created_at).toISOString(),
    data: { plan: view.plan, parallelGroups: view.parallelGroups, planning: view.planning },
  };
}

export function orchestrationEventStream(
  c: Context,
  orchestrations: Orchestrations,
  hub: RunEventsHub,
  projectId: string,
  id: string,
  from: EventPosition,
  options: {
    pollMs?: number;
    keepAliveMs?: number;
    /**
     * Ends the stream (the server is closing, or the key it was opened with was revoked): nothing more is sent, and
     * its client resumes elsewhere with `Last-Event-ID` (or is refused).
     */
    closing?: AbortSignal;
    /** Called once the stream has ended. */
    onEnd?: () => void;
  } = {},
): Response {
  return streamSSE(c, async (stream) => {
    let position = from;
    let wake: (() => void) | undefined;
    // Set by every note, so one that arrives while the journal is being read is not slept through.
    let dirty = false;
    let writes = Promise.resolve();
    const write = (message: { event: string; data: string; id?: string }) => {
      writes = writes.then(() => (options.closing?.aborted ? undefined : stream.writeSSE(message))).catch(() => {});
      return writes;
    };
    const unsubscribe: Array<() => void> = [];
    const subscribed = new Set<string>();
    stream.onAbort(() => wake?.());
    const onClosing = () => wake?.();
    options.closing?.addEventListener('abort', onClosing, { once: true });
    const open = () => !stream.aborted && options.closing?.aborted !== true;
    let lastWrite = Date.now();
    // A retry starts only after the current run's final entry, where this stream ends: the runs are known once.
    const runs = await orchestrations.runIds(await orchestrations.row(projectId, id));
    const current = runs[runs.length - 1] as string;
    let planned = from.planned === true;
    let failed = false;
    let closing = false;
    const pending: LiveNote[] = [];
    const sendLive = (note: LiveNote) =>
      void write({
        event: note.type,
        data: JSON.stringify({
          type: note.type,
          orchestrationId: id,
          stepId: note.stepId,
          at: new Date(note.at).toISOString(),
          data: liveData(projectId, note),
        }),
      });
    while (open()) {
      if (!subscribed.has(current)) {
        subscribed.add(current);
        unsubscribe.push(
          hub.subscribe(current, (note) => {
            // A live note goes out after the journal is read once more: what was journaled before it happened
            // (the step it waited for) comes first, and nothing comes before the plan.
            if (LIVE_TYPES.has(note.type)) pending.push(note);
            dirty = true;
            wake?.();
          }),
        );
      }
      let finished = false;
      let currentEmpty = false;
      dirty = false;
      // The notes that came before this read of the journal: each goes out after a read that began after it came,
      // so an entry stored before its note (the step it waited for) is sent first. Those that come during the read
      // wait for the next one.
      const due = pending.length;
      // First, for an action sent in plain words, its plan: nothing else happens before it is made.
      let planning = false;
      if (!planned && position.run === 0 && position.seq === -1) {
        const event = await plannedEvent(orchestrations, projectId, id);
        if (event === 'planning') planning = true;
        else {
          planned = true;
          if (event !== undefined && event !== 'none') {
            void write({ id: PLANNED_ID, event: 'orchestration-planned', data: JSON.stringify(event) });
            lastWrite = Date.now();
          }
        }
      }
      for (let run = Math.min(position.run, runs.length - 1); !planning && run < runs.length; run += 1) {
        const isCurrent = run === runs.length - 1;
        const journal = await orchestrations.journal(runs[run] as string);
        const reused = run === 0 ? NO_REUSE : await orchestrations.reusedSteps(runs[run] as string);
        if (isCurrent && journal.length === 0) currentEmpty = true;
        const asked = new Map<string, string>();
        for (const [index, entry] of journal.entries()) {
          // Also when resuming after it: the stream then ends once the compensations have.
          if (isCurrent && entry.type === 'run-fail') failed = true;
          // A client resuming after the last entry (it saw `run-finish`) gets an empty stream that ends.
          if (isCurrent && entry.type === 'run-finish') finished = true;
          const approval = approvalAsked(entry);
          if (approval !== undefined) asked.set(...approval);
          if (run === position.run && entry.seq <= position.seq) continue;
          // The engine's own bookkeeping (how many attempts failed), which the live `step-retry` told already.
          if (BOOKKEEPING.has(entry.type)) continue;
          for (const implied of impliedBefore(entry, journal[index - 1], asked)) {
            await write({ event: implied.type, data: JSON.stringify(impliedMessage(projectId, id, implied)) });
          }
          await write({
            id: `${run}.${entry.seq}`,
            event: entryType(entry, isCurrent),
            data: JSON.stringify({
              type: entryType(entry, isCurrent),
              orchestrationId: id,
              stepId: entry.stepKey,
              at: new Date(entry.createdAt).toISOString(),
              data: entryData(projectId, entry, reused),
            }),
          });
          lastWrite = Date.now();
          position = { run, seq: entry.seq };
        }
        if (run < runs.length - 1) position = { run: run + 1, seq: -1 };
      }
      // A failed run compensates after its `run-fail`: the stream ends once the run has, after one more read of
      // the journal, so the compensation entries written before it ended are sent too.
      if (finished || closing) break;
      if (failed && (await orchestrations.runEnded(current))) {
        closing = true;
        continue;
      }
      if (!planning) for (const note of pending.splice(0, due)) sendLive(note);
      const ended = currentEmpty ? await unstartedEnd(orchestrations, projectId, id, current) : undefined;
      if (ended !== undefined) {
        await write({ event: ended.type as string, data: JSON.stringify(ended) });
        break;
      }
      if (!dirty) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollMs ?? 1000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      if (Date.now() - lastWrite >= (options.keepAliveMs ?? 15_000)) {
        await stream.write(': keep-alive\n\n').catch(() => {});
        lastWrite = Date.now();
      }
    }
    for (const stop of unsubscribe) stop();
    options.closing?.removeEventListener('abort', onClosing);
    await writes;
    options.onEnd?.();
  });
}
