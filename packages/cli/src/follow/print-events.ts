/**
 * What `baton logs` does: prints an orchestration's events, one line each (or one JSON object each). With `follow`
 * it reads the stream to the orchestration's final event; without, an orchestration that has ended prints its whole
 * stream, and one still running prints what its stream gives until the stream pauses.
 */
import { type BatonClient, FINAL_STATUSES } from '@baton/sdk';
import type { Io } from '../io.js';
import { eventLine } from '../render/event-line.js';

/** How long a stream of a running orchestration may be quiet before `logs` without `-f` stops reading. */
const PAUSE_MS = 500;

export interface PrintEventsOptions {
  follow: boolean;
  json: boolean;
}

export async function printEvents(client: BatonClient, io: Io, id: string, options: PrintEventsOptions) {
  const { status } = await client.get(id);
  const readsToEnd = options.follow || FINAL_STATUSES.has(status);
  const pause = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const restartPause = () => {
    if (readsToEnd) return;
    clearTimeout(timer);
    timer = setTimeout(() => pause.abort(), PAUSE_MS);
  };
  restartPause();
  try {
    for await (const event of client.events(id, { signal: pause.signal })) {
      io.out(options.json ? JSON.stringify(event) : eventLine(event));
      restartPause();
    }
  } catch (error) {
    if (!pause.signal.aborted) throw error;
    io.err(`(orchestration ${id} is still ${status}: baton logs ${id} -f follows it to the end)`);
  } finally {
    clearTimeout(timer);
  }
}
