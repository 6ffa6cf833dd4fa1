/**
 * Sends text frames on a service's socket through `gatherTurn`, so the frames of one turn of the event loop (acks,
 * tasks for several runs) leave in one write.
 */
import type { Duplex } from 'node:stream';
import { gatherTurn } from '@baton/protocol';
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
