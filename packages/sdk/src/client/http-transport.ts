/**
 * One HTTP exchange with the server: builds the URL, sends the bearer token in `Authorization` (never in the URL),
 * retries what is safe to retry, turns non-2xx answers into `BatonApiError`, failed connections into
 * `BatonConnectionError`, and validates 2xx bodies against the protocol's schemas (`BatonProtocolError`).
 */
import type { z } from 'zod';
import { apiErrorFromResponse, BatonApiError } from './api-error.js';
import { InvalidClientOptionError } from './client-error.js';
import { BatonConnectionError } from './connection-error.js';
import {
  type Exchange,
  type ExchangeResponse,
  type FetchFunction,
  fetchExchange,
  nodeExchange,
} from './http-exchange.js';
import { fetchStreamOpener, nodeStreamOpener, type StreamOpener } from './http-stream.js';
import { BatonProtocolError, issuesFromZod } from './protocol-error.js';
import { compileRetryPolicy, type RetryOptions, type RetryPolicy, retryDelayMs, sleep } from './retry-policy.js';

export type { FetchFunction } from './http-exchange.js';
export type QueryValues = Record<string, string | number | undefined>;

export interface TransportOptions {
  /** The server's base URL, e.g. `https://baton.example.com`; a path prefix is kept. */
  url: string;
  /** The bearer token: a project API key, or the admin token. */
  token: string;
  /** The option the token came from, for error messages. */
  tokenOption: string;
  /** Sends requests and opens event streams through this fetch instead of Node's `http`/`https` modules. */
  fetch?: FetchFunction;
  retry?: RetryOptions | false;
  /** How long one attempt may take, body included; an event stream, how long until its answer's head. @default 30000 */
  timeoutMs?: number;
}

export interface TransportRequest<T> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: QueryValues;
  body?: unknown;
  headers?: Record<string, string>;
  /** The 2xx body's schema; `null` when the answer has no body (204). */
  schema: z.ZodType<T> | null;
  /** What the body should be, for `BatonProtocolError`, e.g. `an Orchestration`. */
  expected: string;
  /** Whether sending it twice does no harm: only then are connection errors and 502/503/504 retried. */
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface ProbeResult {
  /** True for a 2xx answer. */
  ok: boolean;
  status: number;
  /** The body, parsed as JSON when it is JSON, else its text. */
  body: unknown;
}

export interface HttpTransport {
  readonly policy: RetryPolicy;
  /** How long one attempt may take. */
  readonly timeoutMs: number;
  url(path: string, query?: QueryValues): string;
  request<T>(request: TransportRequest<T>): Promise<T>;
  /** One GET attempt that resolves with the open 2xx response (for event streams) once its head came; no retry. */
  open(path: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Response>;
  /** An unauthenticated GET (for `/health` and `/ready`) that resolves with any status. */
  probe(path: string, signal?: AbortSignal): Promise<ProbeResult>;
}

const RETRIED_WHEN_IDEMPOTENT = new Set([502, 503, 504]);

export function createHttpTransport(options: TransportOptions): HttpTransport {
  const base = normalizeBaseUrl(options.url);
  if (typeof options.token !== 'string' || options.token.trim() === '') {
    throw new InvalidClientOptionError(options.tokenOption, `${options.tokenOption} must be a non-empty string`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidClientOptionError('timeoutMs', `timeoutMs must be a whole number > 0, got ${timeoutMs}`);
  }
  const policy = compileRetryPolicy(options.retry);
  const exchange: Exchange = options.fetch ? fetchExchange(options.fetch) : nodeExchange;
  const openStream: StreamOpener = options.fetch ? fetchStreamOpener(options.fetch) : nodeStreamOpener;
  const authorization = `Bearer ${options.token}`;

  function url(path: string, query: QueryValues = {}): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return `${base}${path}${text ? `?${text}` : ''}`;
  }

  async function attempt<T>(request: TransportRequest<T>, target: string): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      ...request.headers,
      authorization,
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: ExchangeResponse;
    try {
      response = await exchange({
        method: request.method,
        url: target,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        timeoutMs,
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw new BatonConnectionError(request.method, target, error);
    }
    if (response.status < 200 || response.status > 299) {
      throw apiErrorFromResponse({
        ...responseParts(response),
        method: request.method,
        url: target,
        bodyText: response.text,
      });
    }
    return parseBody(request, target, response.text);
  }

  async function request<T>(request: TransportRequest<T>): Promise<T> {
    const target = url(request.path, request.query);
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(request, target);
      } catch (error) {
        const delayMs = retry < policy.retries ? retryWait(error, request.idempotent, retry + 1) : undefined;
        if (delayMs === undefined) throw error;
        policy.onRetry?.({ attempt: retry + 1, delayMs, error });
        await sleep(delayMs, request.signal);
      }
    }
  }

  function retryWait(error: unknown, idempotent: boolean, attemptNumber: number): number | undefined {
    if (BatonApiError.isInstance(error)) {
      const retryable = error.status === 429 || (idempotent && RETRIED_WHEN_IDEMPOTENT.has(error.status));
      if (!retryable) return undefined;
      if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryAfterMs) return undefined;
      return retryDelayMs(policy, attemptNumber, error.retryAfterMs);
    }
    if (idempotent && BatonConnectionError.isInstance(error)) return retryDelayMs(policy, attemptNumber, undefined);
    return undefined;
  }

  async function open(path: string, headers: Record<string, string>, signal: AbortSignal | undefined) {
    const target = url(path);
    let response: Response;
    try {
      response = await openStream({
        url: target,
        headers: { ...headers, authorization },
        timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new BatonConnectionError('GET', target, error);
    }
    if (response.ok) return response;
    const bodyText = await response.text().catch(() => '');
    throw apiErrorFromResponse({ ...responseParts(response), method: 'GET', url: target, bodyText });
  }

  async function probe(path: string, signal?: AbortSignal): Promise<ProbeResult> {
    const target = url(path);
    try {
      const response = await exchange({
        method: 'GET',
        url: target,
        headers: {},
        timeoutMs,
        ...(signal ? { signal } : {}),
      });
      const ok = response.status >= 200 && response.status <= 299;
      return { ok, status: response.status, body: parseJsonOr(response.text) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new BatonConnectionError('GET', target, error);
    }
  }

  return { policy, timeoutMs, url, request, open, probe };
}

function responseParts(response: Response | ExchangeResponse) {
  return { status: response.status, statusText: response.statusText, headers: response.headers };
}

function parseBody<T>(request: TransportRequest<T>, target: string, text: string): T {
  if (request.schema === null) return undefined as T;
  const fail = (issues: { path: string; message: string }[], cause?: unknown) =>
    new BatonProtocolError({ method: request.method, url: target, expected: request.expected, issues }, { cause });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail([{ path: '', message: `the body is not JSON: ${JSON.stringify(text.slice(0, 200))}` }], error);
  }
  const parsed = request.schema.safeParse(json);
  if (!parsed.success) throw fail(issuesFromZod(parsed.error));
  return parsed.data;
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function normalizeBaseUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidClientOptionError('url', `url must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidClientOptionError('url', `url must use http or https, got ${JSON.stringify(value)}`);
  }
  if (parsed.search || parsed.hash) {
    throw new InvalidClientOptionError('url', `url must have no query or fragment, got ${JSON.stringify(value)}`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
