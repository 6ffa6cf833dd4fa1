/**
 * A message's JSON text, computed once per message object: the size check before sending and each (re)send of a
 * large outcome share one serialisation instead of repeating it for every megabyte.
 */
import type { ServiceMessage } from '@baton/protocol';

const frames = new WeakMap<ServiceMessage, string>();

/** @throws what `JSON.stringify` throws (a cycle, a BigInt). */
export function encodeFrame(message: ServiceMessage): string {
  let frame = frames.get(message);
  if (frame === undefined) {
    frame = JSON.stringify(message);
    frames.set(message, frame);
  }
  return frame;
}
