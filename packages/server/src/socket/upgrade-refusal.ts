/**
 * Answers an HTTP upgrade that does not become a WebSocket, on the raw socket the upgrade came on: the same RFC 9457
 * problem document (`application/problem+json`) as any other refused request, then the connection is closed. A
 * dropped connection or `ws`'s text/html page told a client nothing it could act on.
 *
 * @example
 * refuseUpgrade(socket, new HttpProblem(404, 'no-route', 'Not found', 'no WebSocket endpoint at "/v1/wss"'));
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpProblem } from '../errors/http-problem.js';
import { httpProblemDocument } from '../errors/problem-document.js';

export function refuseUpgrade(socket: Duplex, problem: HttpProblem): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { body, headers } = httpProblemDocument(problem);
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status] ?? body.title}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
