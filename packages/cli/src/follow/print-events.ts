/**
 * What `baton logs` does: prints an orchestration's events, one line each (or one JSON object each). With `follow`
 * it reads the stream to its end — for a failed or cancelled run, past its final event, through its compensations;
 * without, an orchestration that has ended prints its whole stream, and one still running prints what its stream
 * gives until the stream pauses.
 */
import type { OrchestrationEvent } from '@baton/protocol';
import { type BatonClient, FINAL_STATUSES, type StreamedOrchestrationEvent } from '@baton/sdk';
import type { Io } from '../io.js';
import { eventLine } from '../render/event-line.js';
import { stringWidth } from '../render/text-format.js';

/** How long a stream of a running orchestration may be quiet before `logs` without `-f` stops reading. */
const PAUSE_MS = 500;

/** The final events of a run whose compensations (journaled after it) the stream sends next. */
const ENDS_BEFORE_COMPENSATIONS = new Set(['run-fail', 'run-cancel']);

export interface PrintEventsOptions {
  follow: boolean;
  json: boolean;
}

export async function printEvents(client: BatonClient, io: Io, id: string, options: PrintEventsOptions) {
  const { status, plan } = await client.get(id);
  const stepWidth = Math.max(1, ...(plan?.steps ?? []).map((step) => stringWidth(step.id)));
  const readsToEnd = options.follow || FINAL_STATUSES.has(status);
  const pause = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const restartPause = () => {
    if (readsToEnd) return;
    clearTimeout(timer);
    timer = setTimeout(() => pause.abort(), PAUSE_MS);
  };
  restartPause();
  const print = (event: OrchestrationEvent) => {
    io.out(options.json ? JSON.stringify(event) : eventLine(event, stepWidth));
    restartPause();
  };
  try {
    let last: StreamedOrchestrationEvent | undefined;
    for await (const event of client.events(id, { signal: pause.signal })) {
      print(event);
      last = event;
    }
    // A failed or cancelled run's stream goes on after its end with its compensations, where the SDK's iteration
    // stops: they are read from there.
    if (last?.eventId !== undefined && ENDS_BEFORE_COMPENSATIONS.has(last.type)) {
      for await (const event of client.events(id, { signal: pause.signal, after: last.eventId })) print(event);
    }
  } catch (error) {
    if (!pause.signal.aborted) throw error;
    io.err(`(orchestration ${id} is still ${status}: baton logs ${id} -f follows it to the end)`);
  } finally {
    clearTimeout(timer);
  }
}
