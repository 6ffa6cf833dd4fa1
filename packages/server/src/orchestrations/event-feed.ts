/**
 * An orchestration's events as Server-Sent Events. Everything the journal holds is sent with an id
 * (`<run>.<seq>`: the run number — 0, then one per retry — and the entry's place in that run's journal), read back
 * from the store, so a client that reconnects with `Last-Event-ID` — to this server after a restart, or to another
 * replica — gets exactly the entries after it. Live notes (a step started, retried, waiting for its service, a
 * service's progress) are sent as they happen, without an id, and are not replayed. The stream ends after the final
 * entry of the orchestration's current run.
 */
import type { JournalEntry } from '@baton/core';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { badRequest } from '../errors/http-problem.js';
import { displayTarget } from '../services/target-name.js';
import { unscoped } from './orchestration-view.js';
import type { Orchestrations } from './orchestrations.js';
import type { LiveNote, RunEventsHub } from './run-events-hub.js';

const LIVE_TYPES = new Set([
  'step-start',
  'step-retry',
  'step-error',
  'step-fallback',
  'budget-warning',
  'compensation-start',
  'waiting-for-service',
  'task-dispatched',
  'step-progress',
]);

export interface EventPosition {
  run: number;
  seq: number;
}

export function parseLastEventId(value: string | undefined): EventPosition {
  if (value === undefined || value === '') return { run: 0, seq: -1 };
  const match = /^(\d{1,6})\.(\d{1,12})$/.exec(value.trim());
  if (match === null) {
    throw badRequest(
      'invalid-last-event-id',
      `Last-Event-ID "${value.slice(0, 60)}" is not an event id of this stream (they look like 0.12)`,
      [{ path: 'headers.last-event-id', code: 'invalid-last-event-id', message: 'expected <run>.<seq>, e.g. 0.12' }],
    );
  }
  return { run: Number(match[1]), seq: Number(match[2]) };
}

function entryType(entry: JournalEntry, current: boolean): string {
  if (entry.type !== 'run-fail') return entry.type;
  if (!current) return 'attempt-fail';
  return (entry.data as { status?: unknown } | null)?.status === 'cancelled' ? 'run-cancel' : 'run-fail';
}

function entryData(projectId: string, entry: JournalEntry): unknown {
  const data = (entry.data ?? {}) as Record<string, unknown>;
  if (entry.type === 'step-finish') {
    return {
      service: displayTarget(projectId, typeof data.target === 'string' ? data.target : undefined),
      attempts: data.attempts,
      usage: data.usage,
      output: data.output,
    };
  }
  if (entry.type === 'run-start') return {};
  return unscoped(projectId, data);
}

function liveData(projectId: string, note: LiveNote): unknown {
  const data = note.data as Record<string, unknown>;
  const { runId: _run, path: _path, timestamp: _at, type: _type, stepId: _step, ...rest } = data;
  if (typeof rest.target === 'string') rest.service = displayTarget(projectId, rest.target);
  delete rest.target;
  return unscoped(projectId, rest);
}

const isFinal = (entry: JournalEntry) => entry.type === 'run-finish' || entry.type === 'run-fail';

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
  return {
    type: 'run-fail',
    orchestrationId: id,
    stepId: null,
    at: new Date(row.finished_at ?? row.updated_at).toISOString(),
    data: { error: row.error === null ? null : unscoped(projectId, JSON.parse(row.error)) },
  };
}

export function orchestrationEventStream(
  c: Context,
  orchestrations: Orchestrations,
  hub: RunEventsHub,
  projectId: string,
  id: string,
  from: EventPosition,
  options: { pollMs?: number; keepAliveMs?: number } = {},
): Response {
  return streamSSE(c, async (stream) => {
    let position = from;
    let wake: (() => void) | undefined;
    // Set by every note, so one that arrives while the journal is being read is not slept through.
    let dirty = false;
    let writes = Promise.resolve();
    const write = (message: { event: string; data: string; id?: string }) => {
      writes = writes.then(() => stream.writeSSE(message)).catch(() => {});
      return writes;
    };
    const unsubscribe: Array<() => void> = [];
    const subscribed = new Set<string>();
    stream.onAbort(() => wake?.());
    let lastWrite = Date.now();
    // A retry starts only after the current run's final entry, where this stream ends: the runs are known once.
    const runs = await orchestrations.runIds(await orchestrations.row(projectId, id));
    const current = runs[runs.length - 1] as string;
    while (!stream.aborted) {
      if (!subscribed.has(current)) {
        subscribed.add(current);
        unsubscribe.push(
          hub.subscribe(current, (note) => {
            if (LIVE_TYPES.has(note.type)) {
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
              return;
            }
            dirty = true;
            wake?.();
          }),
        );
      }
      let finished = false;
      let currentEmpty = false;
      dirty = false;
      for (let run = Math.min(position.run, runs.length - 1); run < runs.length; run += 1) {
        const isCurrent = run === runs.length - 1;
        const journal = await orchestrations.journal(runs[run] as string);
        if (isCurrent && journal.length === 0) currentEmpty = true;
        for (const entry of journal) {
          if (run === position.run && entry.seq <= position.seq) continue;
          await write({
            id: `${run}.${entry.seq}`,
            event: entryType(entry, isCurrent),
            data: JSON.stringify({
              type: entryType(entry, isCurrent),
              orchestrationId: id,
              stepId: entry.stepKey,
              at: new Date(entry.createdAt).toISOString(),
              data: entryData(projectId, entry),
            }),
          });
          lastWrite = Date.now();
          position = { run, seq: entry.seq };
          if (isCurrent && isFinal(entry)) finished = true;
        }
        if (run < runs.length - 1) position = { run: run + 1, seq: -1 };
      }
      if (finished) break;
      const ended = currentEmpty ? await unstartedEnd(orchestrations, projectId, id, current) : undefined;
      if (ended !== undefined) {
        await write({ event: 'run-fail', data: JSON.stringify(ended) });
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
    await writes;
  });
}
