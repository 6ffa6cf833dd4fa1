/**
 * Sends text frames on a service's socket through `gatherTurn`, so the frames of one turn of the event loop (acks,
 * tasks for several runs) leave in one write; an ack waits for the next frame (`sendTextSoon`).
 */
import type { Duplex } from 'node:stream';
import { gatherTurn, sendDeferred } from '@baton/protocol';
import type { WebSocket } from 'ws';

const transports = new WeakMap<WebSocket, Duplex>();

/** Makes `sendText` gather the frames of `ws`, whose bytes go over `transport` (the socket the upgrade came on). */
export function gatherWrites(ws: WebSocket, transport: Duplex): void {
  transports.set(ws, transport);
}

export function sendText(ws: WebSocket, text: string): void {
  const transport = transports.get(ws);
  if (transport !== undefined) gatherTurn(transport);
  ws.send(text);
}

/** `sendText` for a frame nobody waits for (an ack): it leaves with the next frame, or once this turn's work is done. */
export function sendTextSoon(ws: WebSocket, text: string): void {
  sendDeferred(ws, transports.get(ws), text);
}
