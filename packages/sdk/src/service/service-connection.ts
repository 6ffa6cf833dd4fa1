/**
 * One service's link to the server: opens `<base>/v1/ws` with the API key in the `Authorization` header, says
 * `hello`, waits for `welcome`, acknowledges what must be acknowledged, sends heartbeats, and treats a server silent
 * for three heartbeat intervals as gone. After a close or failure it reconnects — with jittered exponential backoff,
 * to the next of its URLs — until `close()`, except when reconnecting cannot help: the key refused with HTTP 401
 * (never valid, or revoked while the service was away), or a close with 4001 (key revoked) or 4004 (service deleted)
 * — then it ends for good.
 */
import { randomUUID } from 'node:crypto';
import {
  ACKNOWLEDGED_TYPES,
  type Corkable,
  gatherTurn,
  type HelloMessage,
  MAX_MESSAGE_BYTES,
  parseServerMessage,
  type ServerMessage,
  type ServiceMessage,
  sendDeferred,
  type WelcomeMessage,
} from '@baton/protocol';
import WebSocket from 'ws';
import { encodeFrame } from './encode-frame.js';
import { type ReconnectOptions, reconnectDelay } from './reconnect-delay.js';
import type { ConnectionEnd, ConnectionEndReason, ServiceEventListener } from './service-event.js';
import { type UnacceptedWork, unacceptedWork } from './unaccepted-work.js';

/** Close codes after which the server will not take this service back (docs/protocol.md, "Close codes"). */
const FINAL_CLOSE_CODES: ReadonlyMap<number, { reason: ConnectionEndReason; why: string; fix: string }> = new Map([
  [4001, { reason: 'key-revoked', why: 'the API key was revoked', fix: 'start the service with a new key' }],
  [
    4004,
    { reason: 'service-deleted', why: 'the service was deleted', fix: 'start a new instance to register it again' },
  ],
  [
    4400,
    {
      reason: 'registration-refused',
      why: 'it refused the registration',
      fix: 'fix the definition (its input or output schema) and start the service again',
    },
  ],
]);

export interface ServiceConnectionOptions {
  urls: readonly string[];
  apiKey: string;
  reconnect?: ReconnectOptions;
  /** A server that has not welcomed the service this long after the upgrade is left. */
  welcomeTimeoutMs: number;
  /** Built again for every connection, so it carries the latest instance id. */
  hello(): HelloMessage;
  onWelcome(welcome: WelcomeMessage): void;
  /** Every message after `welcome` except heartbeats (acks included). */
  onMessage(message: ServerMessage): void;
  /** A `task` or `compensate` after `welcome` that this SDK cannot accept, but that names its id (acknowledged). */
  onUnacceptedWork(work: UnacceptedWork): void;
  /** The connection gave up for good (after a `connection-end` event); nothing more is tried. */
  onEnd(end: ConnectionEnd): void;
  emit: ServiceEventListener;
}

/** `https://host/base` → `wss://host/base/v1/ws`. */
export function socketUrl(base: string): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/ws`;
  return url.toString();
}

export class ServiceConnection {
  readonly #options: ServiceConnectionOptions;
  #socket: WebSocket | undefined;
  #welcomed = false;
  #closed = false;
  #failures = 0;
  #nextUrl = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #socketTimers: NodeJS.Timeout[] = [];

  constructor(options: ServiceConnectionOptions) {
    this.#options = options;
  }

  /** True between a `welcome` and the socket's close. */
  get ready(): boolean {
    return this.#welcomed && this.#socket?.readyState === WebSocket.OPEN;
  }

  open(): void {
    this.#connect();
  }

  /** @returns false when not connected (the message is not sent). */
  send(message: ServiceMessage): boolean {
    if (!this.ready || this.#socket === undefined) return false;
    this.#write(this.#socket, encodeFrame(message));
    return true;
  }

  /** Closes the socket and stops reconnecting. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (socket.readyState === WebSocket.OPEN) {
      socket.close(1000, 'service stopped');
      const force = setTimeout(() => socket.terminate(), 5_000);
      await closed;
      clearTimeout(force);
    } else {
      socket.terminate();
      await closed;
    }
  }

  #connect(): void {
    if (this.#closed) return;
    const urls = this.#options.urls;
    const url = urls[this.#nextUrl % urls.length]!;
    this.#nextUrl += 1;
    const emit = this.#options.emit;
    emit({ type: 'connection-start', url });
    let socket: WebSocket;
    try {
      socket = new WebSocket(socketUrl(url), {
        headers: { Authorization: `Bearer ${this.#options.apiKey}` },
        maxPayload: MAX_MESSAGE_BYTES,
      });
    } catch (error) {
      emit({ type: 'connection-fail', url, message: error instanceof Error ? error.message : String(error) });
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    this.#welcomed = false;
    let opened = false;
    let failureReported = false;
    socket.on('unexpected-response', (_request, response) => {
      failureReported = true;
      emit({
        type: 'connection-fail',
        url,
        status: response.statusCode ?? 0,
        message:
          `the server refused the upgrade with HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trim(),
      });
      response.resume();
      socket.terminate();
      // The key is wrong or was revoked — also on a reconnect after it worked (revoked while this service was away,
      // so no close 4001 could tell it): retrying cannot help.
      if (response.statusCode === 401) this.#refuseKey(url, response.statusMessage);
    });
    socket.on('error', (error) => {
      if (!opened && !failureReported) {
        failureReported = true;
        emit({ type: 'connection-fail', url, message: error.message });
      }
    });
    // The TCP socket under the WebSocket, so frames written in one turn of the event loop leave together.
    socket.on('upgrade', (response) => this.#transports.set(socket, response.socket));
    socket.on('open', () => {
      opened = true;
      this.#armTimer(this.#options.welcomeTimeoutMs, () => socket.terminate());
      this.#write(socket, JSON.stringify(this.#options.hello()));
    });
    socket.on('message', (data, isBinary) => this.#receive(socket, url, isBinary ? '' : data.toString()));
    socket.on('close', (code, reason) => {
      this.#clearSocketTimers();
      if (this.#socket !== socket) return;
      this.#welcomed = false;
      if (opened) emit({ type: 'connection-close', url, code, reason: reason.toString() });
      const final = FINAL_CLOSE_CODES.get(code);
      if (final === undefined) this.#scheduleReconnect();
      else {
        // The server said why it refused the registration just before it closed: that is what to fix.
        const said = code === 4400 && this.#refusal !== undefined ? `: ${this.#refusal}` : '';
        const message = `the server at ${url} closed the socket with ${code} (${final.why}${said}): ${final.fix}`;
        this.#end({ url, reason: final.reason, message });
      }
    });
  }

  readonly #transports = new WeakMap<WebSocket, Corkable>();

  #write(socket: WebSocket, text: string): void {
    const transport = this.#transports.get(socket);
    if (transport !== undefined) gatherTurn(transport);
    socket.send(text);
  }

  /** `#write` for a frame nobody waits for: it goes with the next frame written, or once this turn's work is done. */
  #writeSoon(socket: WebSocket, text: string): void {
    sendDeferred(socket, this.#transports.get(socket), text);
  }

  #receive(socket: WebSocket, url: string, frame: string): void {
    if (this.#socket !== socket) return;
    this.#lastMessageAt = Date.now();
    this.#watchdog?.refresh();
    const parsed = parseServerMessage(frame);
    if (!parsed.ok) {
      this.#options.emit({ type: 'message-invalid', code: parsed.problem.code, message: parsed.problem.message });
      const work = this.#welcomed ? unacceptedWork(frame, parsed.problem) : undefined;
      if (work === undefined) return;
      if (work.messageId !== undefined) this.#acknowledge(socket, work.messageId);
      this.#options.onUnacceptedWork(work);
      return;
    }
    const message = parsed.value;
    if (message.type === 'welcome') {
      this.#welcome(socket, url, message);
      return;
    }
    if (message.type === 'heartbeat') return;
    // Work sent before `welcome` is a server bug; leaving it unacknowledged makes the server send it again.
    if (!this.#welcomed && message.type !== 'protocol-error') return;
    if (message.type === 'protocol-error' && message.code === 'registration-refused') this.#refusal = message.message;
    if (ACKNOWLEDGED_TYPES.has(message.type)) this.#acknowledge(socket, message.id);
    this.#options.onMessage(message);
  }

  #acknowledge(socket: WebSocket, messageId: string): void {
    // Nobody waits for it: a task's ack leaves with its result when the handler answers within this turn.
    this.#writeSoon(socket, JSON.stringify({ type: 'ack', id: randomUUID(), of: messageId } satisfies ServiceMessage));
  }

  #watchdog: NodeJS.Timeout | undefined;
  #lastMessageAt = 0;
  /** What the server's last `registration-refused` said (a close with 4400 follows it). */
  #refusal: string | undefined;

  #welcome(socket: WebSocket, url: string, welcome: WelcomeMessage): void {
    this.#clearSocketTimers();
    this.#lastMessageAt = Date.now();
    this.#welcomed = true;
    this.#failures = 0;
    const interval = welcome.heartbeatMs;
    const heartbeat = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      this.#write(
        socket,
        JSON.stringify({ type: 'heartbeat', id: randomUUID(), at: Date.now() } satisfies ServiceMessage),
      );
    }, interval);
    this.#socketTimers.push(heartbeat);
    const silentLimit = interval * 3;
    this.#watchdog = this.#armTimer(silentLimit, () => {
      // After the event loop was blocked (a large frame, a busy handler) timers run before the I/O that waited:
      // look again once that I/O has been read, so a stall of this process is not taken for a silent server.
      setImmediate(() => {
        if (this.#socket !== socket || this.#watchdog === undefined) return;
        const silentMs = Date.now() - this.#lastMessageAt;
        if (silentMs < silentLimit) {
          this.#watchdog.refresh();
          return;
        }
        this.#options.emit({ type: 'heartbeat-timeout', url, silentMs });
        socket.terminate();
      });
    });
    this.#options.emit({
      type: 'connection-open',
      url,
      instanceId: welcome.instanceId,
      serviceId: welcome.serviceId,
      version: welcome.version,
    });
    this.#options.onWelcome(welcome);
  }

  #armTimer(ms: number, callback: () => void): NodeJS.Timeout {
    const timer = setTimeout(callback, ms);
    this.#socketTimers.push(timer);
    return timer;
  }

  #clearSocketTimers(): void {
    for (const timer of this.#socketTimers.splice(0)) clearTimeout(timer);
    this.#watchdog = undefined;
  }

  #refuseKey(url: string, statusMessage: string | undefined): void {
    const status = `HTTP 401 ${statusMessage ?? ''}`.trim();
    this.#end({
      url,
      reason: 'key-refused',
      message: `the server at ${url} refused the API key (${status}): it is wrong or was revoked, so retrying cannot help; start the service with a live key of the project`,
    });
  }

  #end(end: ConnectionEnd): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#options.emit({ type: 'connection-end', ...end });
    this.#options.onEnd(end);
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    this.#failures += 1;
    const delayMs = reconnectDelay(this.#failures, this.#options.reconnect);
    this.#options.emit({ type: 'reconnect-schedule', delayMs, failures: this.#failures });
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
  }
}
