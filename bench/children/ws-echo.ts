/** Bench child: a `ws` server on loopback that sends every message back, the floor of a socket round trip. */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { childArgs, sendToParent, serveParent } from './child-ipc.js';

childArgs<Record<string, never>>();
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
serveParent(() => new Promise<void>((resolve) => server.close(() => resolve())));
sendToParent({ type: 'ready', port: (server.address() as AddressInfo).port });
