/**
 * One HTTP request and its whole answer as text. Two ways to send it: Node's own `http`/`https` modules over their
 * global keep-alive agents (the default: a request costs about a third of the CPU that `fetch` spends on it, which
 * matters to a client submitting hundreds of orchestrations a second), or a `fetch` the caller gave (a proxy, a test
 * double). Either way a timeout or the caller's signal ends the request, and a failure to get an answer rejects with
 * the underlying error (its message says why: `connect ECONNREFUSED …`).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface ExchangeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body as text, if any. */
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ExchangeResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text: string;
}

export type Exchange = (request: ExchangeRequest) => Promise<ExchangeResponse>;

/** The error a request that ran past its time ends with. */
export class ExchangeTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

export function fetchExchange(doFetch: FetchFunction): Exchange {
  return async (request) => {
    const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])];
    const init: RequestInit = { method: request.method, headers: request.headers, signal: AbortSignal.any(signals) };
    if (request.body !== undefined) init.body = request.body;
    const response = await doFetch(request.url, init);
    const text = await response.text();
    return { status: response.status, statusText: response.statusText, headers: response.headers, text };
  };
}

export const nodeExchange: Exchange = (request) =>
  new Promise<ExchangeResponse>((resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const send = request.url.startsWith('https:') ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const outgoing = send(request.url, { method: request.method, headers });
    let settled = false;
    const finish = (error: unknown, answer?: ExchangeResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (answer !== undefined) resolve(answer);
      else reject(error);
    };
    const onAbort = () => {
      finish(signal?.reason);
      outgoing.destroy();
    };
    const timer = setTimeout(() => {
      const error = new ExchangeTimeoutError(request.timeoutMs);
      finish(error);
      outgoing.destroy(error);
    }, request.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error) => finish(error));
    outgoing.on('response', (incoming: IncomingMessage) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', (error) => finish(error));
      incoming.on('close', () => {
        if (!incoming.complete) finish(new Error('the connection closed before the whole answer came'));
      });
      incoming.on('end', () =>
        finish(undefined, {
          status: incoming.statusCode ?? 0,
          statusText: incoming.statusMessage ?? '',
          headers: { get: (name) => headerValue(incoming, name) },
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    outgoing.end(request.body);
  });

function headerValue(incoming: IncomingMessage, name: string): string | null {
  const value = incoming.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
