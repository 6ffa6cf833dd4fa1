/**
 * `Expect: 100-continue` (curl asks it for bodies over 1 MB): a body whose declared length is over the limit gets its
 * 413 instead of the 100 Continue Node would send by default. Told to go on, the client sent megabytes that the server
 * stopped reading, closing the connection mid-upload, and the client saw a broken pipe, never the 413.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { bodyTooLarge } from '../errors/http-problem.js';
import { problemDocument } from './problem-response.js';

export function refuseLargeBodiesBeforeContinue(server: Server, limitBytes: number): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const declared = Number(request.headers['content-length']);
    if (request.url?.startsWith('/v1/') && Number.isFinite(declared) && declared > limitBytes) {
      // Refused before the app sees it: given a request id here, as the app gives every other refusal.
      const requestId = randomUUID();
      const { body, headers } = problemDocument(bodyTooLarge(limitBytes), `urn:request:${requestId}`);
      response.writeHead(413, { ...headers, 'Content-Type': 'application/problem+json', 'X-Request-Id': requestId });
      response.end(JSON.stringify(body));
      return;
    }
    response.writeContinue();
    server.emit('request', request, response);
  });
}
