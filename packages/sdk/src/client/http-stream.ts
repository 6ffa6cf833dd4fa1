/**
 * Opens an event stream and hands it over as a web `Response` whose body is the stream. By default it is opened
 * with Node's own `http`/`https` modules, as `http-exchange.ts` sends requests, not with the global `fetch`: a fetch
 * begun as the server is killed can be left neither settled nor holding a socket, and a process that waits on it
 * (`baton run --wait` across a server restart) exits at once with Node's code 13 instead of reconnecting. Either
 * way the answer's head must come within the timeout, on a timer that keeps the process alive until then.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { ExchangeTimeoutError, type FetchFunction } from './http-exchange.js';

export interface StreamRequest {
  url: string;
  headers: Record<string, string>;
  /** How long the answer's head may take; the stream itself may then stay open for as long as it goes on. */
  timeoutMs: number;
  /** Aborts the request, or the stream once it is open. */
  signal?: AbortSignal;
}

/** Resolves with the answer once its head has come, whatever its status; rejects when no answer came. */
export type StreamOpener = (request: StreamRequest) => Promise<Response>;

/** Statuses whose answer has no body, which a `Response` refuses one for. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export const nodeStreamOpener: StreamOpener = (request) =>
  new Promise<Response>((resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const send = request.url.startsWith('https:') ? httpsRequest : httpRequest;
    const outgoing = send(request.url, { method: 'GET', headers: request.headers });
    let answered = false;
    const fail = (error: unknown) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      reject(error);
    };
    const onAbort = () => {
      fail(signal?.reason);
      outgoing.destroy();
    };
    const timer = setTimeout(() => {
      const error = new ExchangeTimeoutError(request.timeoutMs);
      fail(error);
      outgoing.destroy(error);
    }, request.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('close', () => signal?.removeEventListener('abort', onAbort));
    outgoing.on('error', fail);
    outgoing.on('response', (incoming: IncomingMessage) => {
      if (answered) {
        incoming.destroy();
        return;
      }
      answered = true;
      clearTimeout(timer);
      try {
        resolve(webResponse(incoming));
      } catch (error) {
        incoming.destroy();
        reject(error);
      }
    });
    outgoing.end();
  });

/** Opens streams with the caller's `fetch`, which must answer within the timeout or is given up on. */
export function fetchStreamOpener(doFetch: FetchFunction): StreamOpener {
  return (request) => {
    const attempt = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ExchangeTimeoutError(request.timeoutMs);
        attempt.abort(error);
        reject(error);
      }, request.timeoutMs);
    });
    const signal = request.signal ? AbortSignal.any([request.signal, attempt.signal]) : attempt.signal;
    const answer = doFetch(request.url, { method: 'GET', headers: request.headers, signal });
    return Promise.race([answer, timedOut]).finally(() => clearTimeout(timer));
  };
}

function webResponse(incoming: IncomingMessage): Response {
  const status = incoming.statusCode ?? 0;
  const headers = new Headers();
  for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) {
    headers.append(incoming.rawHeaders[index] as string, incoming.rawHeaders[index + 1] as string);
  }
  const init = { status, statusText: incoming.statusMessage ?? '', headers };
  if (NULL_BODY_STATUSES.has(status)) {
    incoming.resume();
    return new Response(null, init);
  }
  return new Response(Readable.toWeb(incoming) as ReadableStream<Uint8Array>, init);
}
