import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeTimeoutError } from './http-exchange.js';
import { fetchStreamOpener, nodeStreamOpener } from './http-stream.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
}

describe('nodeStreamOpener', () => {
  it('resolves with the head as soon as it comes, and the body streams what the server sends after', async () => {
    let finish: (() => void) | undefined;
    const url = await listen((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-echo': request.headers['last-event-id'] });
      response.write('data: 1\n\n');
      finish = () => response.end('data: 2\n\n');
    });
    const response = await nodeStreamOpener({ url, headers: { 'last-event-id': '7' }, timeoutMs: 30_000 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-echo')).toBe('7');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 1\n\n');
    finish?.();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 2\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('rejects when the server drops the connection before answering, as a killed server does', async () => {
    const url = await listen((request) => request.socket.destroy());
    await expect(nodeStreamOpener({ url, headers: {}, timeoutMs: 30_000 })).rejects.toThrow(/socket hang up/);
  });

  it('rejects with ExchangeTimeoutError when the head does not come within the timeout', async () => {
    const url = await listen(() => {});
    const opening = nodeStreamOpener({ url, headers: {}, timeoutMs: 20 });
    await expect(opening).rejects.toBeInstanceOf(ExchangeTimeoutError);
    await expect(opening).rejects.toThrow('no answer within 20 ms');
  });

  it('errors the body when the connection drops in the middle of the stream', async () => {
    const url = await listen((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: 1\n\n', () => request.socket.destroy());
    });
    const response = await nodeStreamOpener({ url, headers: {}, timeoutMs: 30_000 });
    await expect(response.text()).rejects.toThrow();
  });

  it('stops at once for a signal aborted before, and ends an open stream when the signal aborts', async () => {
    const url = await listen((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': open\n\n');
    });
    const aborted = AbortSignal.abort(new Error('not wanted'));
    await expect(nodeStreamOpener({ url, headers: {}, timeoutMs: 30_000, signal: aborted })).rejects.toThrow(
      'not wanted',
    );
    const controller = new AbortController();
    const response = await nodeStreamOpener({ url, headers: {}, timeoutMs: 30_000, signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort(new Error('done following'));
    await expect(reader.read()).rejects.toThrow();
  });

  it('gives an answer without a body (204) as a Response with none', async () => {
    const url = await listen((_request, response) => {
      response.writeHead(204);
      response.end();
    });
    const response = await nodeStreamOpener({ url, headers: {}, timeoutMs: 30_000 });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });
});

describe('fetchStreamOpener', () => {
  it('gives up on a fetch that neither answers nor fails, and aborts it', async () => {
    let given: AbortSignal | undefined;
    const open = fetchStreamOpener((_input, init) => {
      given = init.signal ?? undefined;
      return new Promise<Response>(() => {});
    });
    await expect(open({ url: 'http://127.0.0.1:9/stream', headers: {}, timeoutMs: 20 })).rejects.toBeInstanceOf(
      ExchangeTimeoutError,
    );
    expect(given?.aborted).toBe(true);
  });

  it("passes the caller's signal and headers to the fetch and resolves with its answer", async () => {
    const controller = new AbortController();
    let seen: RequestInit | undefined;
    const open = fetchStreamOpener(async (_input, init) => {
      seen = init;
      return new Response('data: 1\n\n', { status: 200 });
    });
    const response = await open({
      url: 'http://x/',
      headers: { a: 'b' },
      timeoutMs: 30_000,
      signal: controller.signal,
    });
    expect(await response.text()).toBe('data: 1\n\n');
    expect(seen?.headers).toEqual({ a: 'b' });
    controller.abort();
    expect(seen?.signal?.aborted).toBe(true);
  });
});
