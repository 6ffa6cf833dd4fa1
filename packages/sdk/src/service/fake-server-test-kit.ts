/**
 * A small stand-in for the Baton server's socket, for testing services without one: a `ws` server on 127.0.0.1
 * that checks the `Authorization` header at the upgrade (401 otherwise), answers `hello` with `welcome` and each
 * heartbeat with one of its own, acknowledges outcomes, and records every message it receives.
 *
 * @example
 * const server = await startFakeServer({ apiKey: 'test-key' });
 * await service.start({ url: server.url, apiKey: 'test-key' });
 * const taskId = server.sendTask({ input: { n: 1 } });
 * const outcome = await server.waitForOutcome(taskId);
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CompensateMessage,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  parseServiceMessage,
  type ServerMessage,
  type ServiceMessage,
  type TaskMessage,
} from '@baton/protocol';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeServerOptions {
  apiKey?: string;
  /** @default 1_000 */
  heartbeatMs?: number;
  /** Acknowledge `result`, `task-error`, `abort` and `compensation-result`. @default true */
  acknowledgeOutcomes?: boolean;
  /** Answer heartbeats. @default true */
  answerHeartbeats?: boolean;
}

export interface ReceivedMessage {
  connection: number;
  message: ServiceMessage;
}

export type Outcome = Extract<ServiceMessage, { type: 'result' | 'task-error' | 'abort' }>;

const OUTCOME_TYPES = new Set(['result', 'task-error', 'abort', 'compensation-result']);

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly received: ReceivedMessage[];
  /** Every message the server sent, in order. */
  readonly sent: ServerMessage[];
  /** Upgrades refused for a wrong or missing key. */
  readonly refusedUpgrades: number;
  /** Connections accepted so far (the first is 1). */
  readonly connections: number;
  /** Headers and URL of each accepted upgrade. */
  readonly upgrades: Array<{ url: string; authorization: string | undefined }>;
  options: Required<FakeServerOptions>;
  send(message: ServerMessage): void;
  /** Sends a frame as given, valid or not. */
  sendRaw(frame: string): void;
  sendTask(fields?: Partial<Omit<TaskMessage, 'type' | 'id'>>): string;
  sendCompensate(fields?: Partial<Omit<CompensateMessage, 'type' | 'id'>>): string;
  /** The first outcome per task id (what a server keeps after dedupe). */
  outcomes(): Map<string, Outcome>;
  waitForOutcome(taskId: string): Promise<Outcome>;
  waitFor<T extends ServiceMessage>(predicate: (message: ServiceMessage) => message is T): Promise<T>;
  waitFor(predicate: (message: ServiceMessage) => boolean): Promise<ServiceMessage>;
  /** Cuts the current connection without a close handshake. */
  dropConnection(): void;
  /** Closes the current connection with a close frame carrying `code`, as the server does (docs/protocol.md). */
  closeConnection(code: number, reason?: string): void;
  close(): Promise<void>;
}

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const settings: Required<FakeServerOptions> = {
    apiKey: options.apiKey ?? 'test-key',
    heartbeatMs: options.heartbeatMs ?? 1_000,
    acknowledgeOutcomes: options.acknowledgeOutcomes ?? true,
    answerHeartbeats: options.answerHeartbeats ?? true,
  };
  const received: ReceivedMessage[] = [];
  const sent: ServerMessage[] = [];
  const waiters: Array<{ predicate: (message: ServiceMessage) => boolean; resolve(message: ServiceMessage): void }> =
    [];
  const upgrades: FakeServer['upgrades'] = [];
  let refusedUpgrades = 0;
  let connections = 0;
  let current: WebSocket | undefined;
  const http = createServer((_request, response) => response.writeHead(404).end());
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  http.on('upgrade', (request: IncomingMessage, socket, head) => {
    const authorization = request.headers.authorization;
    if (request.url !== '/v1/ws' || authorization !== `Bearer ${settings.apiKey}`) {
      refusedUpgrades += 1;
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    upgrades.push({ url: request.url, authorization });
    sockets.handleUpgrade(request, socket, head, (ws) => accept(ws));
  });

  const sendOn = (ws: WebSocket | undefined, message: ServerMessage) => {
    if (ws === undefined || ws.readyState !== ws.OPEN) return;
    sent.push(message);
    ws.send(JSON.stringify(message));
  };

  function accept(ws: WebSocket): void {
    connections += 1;
    const connection = connections;
    current = ws;
    ws.on('message', (data) => {
      const parsed = parseServiceMessage(data.toString());
      if (!parsed.ok) {
        sendOn(ws, {
          type: 'protocol-error',
          id: randomUUID(),
          code: parsed.problem.code,
          message: parsed.problem.message,
        });
        return;
      }
      const message = parsed.value;
      received.push({ connection, message });
      if (message.type === 'hello') {
        sendOn(ws, {
          type: 'welcome',
          id: randomUUID(),
          protocol: PROTOCOL_VERSION,
          instanceId: message.instanceId ?? `instance-${randomUUID()}`,
          serviceId: `service-${message.service.name}`,
          version: 1,
          heartbeatMs: settings.heartbeatMs,
          maxMessageBytes: MAX_MESSAGE_BYTES,
        });
      } else if (message.type === 'heartbeat' && settings.answerHeartbeats) {
        sendOn(ws, { type: 'heartbeat', id: randomUUID(), at: Date.now() });
      } else if (OUTCOME_TYPES.has(message.type) && settings.acknowledgeOutcomes) {
        sendOn(ws, { type: 'ack', id: randomUUID(), of: message.id });
      }
      for (const waiter of waiters.splice(0)) {
        if (waiter.predicate(message)) waiter.resolve(message);
        else waiters.push(waiter);
      }
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  function waitFor(predicate: (message: ServiceMessage) => boolean): Promise<ServiceMessage> {
    const existing = received.find((entry) => predicate(entry.message));
    if (existing) return Promise.resolve(existing.message);
    return new Promise((resolve) => waiters.push({ predicate, resolve }));
  }

  const isOutcome = (message: ServiceMessage): message is Outcome =>
    message.type === 'result' || message.type === 'task-error' || message.type === 'abort';

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    sent,
    get refusedUpgrades() {
      return refusedUpgrades;
    },
    get connections() {
      return connections;
    },
    upgrades,
    options: settings,
    send: (message) => sendOn(current, message),
    sendRaw: (frame) => {
      if (current !== undefined && current.readyState === current.OPEN) current.send(frame);
    },
    sendTask(fields = {}) {
      const taskId = fields.taskId ?? `task-${randomUUID()}`;
      sendOn(current, {
        type: 'task',
        id: randomUUID(),
        taskId,
        orchestrationId: 'orchestration-1',
        stepId: 'step-1',
        attempt: 1,
        idempotencyKey: `key-${taskId}`,
        input: null,
        deadline: null,
        ...fields,
      });
      return taskId;
    },
    sendCompensate(fields = {}) {
      const compensationId = fields.compensationId ?? `compensation-${randomUUID()}`;
      sendOn(current, {
        type: 'compensate',
        id: randomUUID(),
        compensationId,
        orchestrationId: 'orchestration-1',
        stepId: 'step-1',
        input: null,
        output: null,
        reason: { code: 'run-aborted', message: 'a later step aborted the run' },
        payload: null,
        attempt: 1,
        idempotencyKey: `key-${compensationId}`,
        deadline: null,
        ...fields,
      });
      return compensationId;
    },
    outcomes() {
      const first = new Map<string, Outcome>();
      for (const { message } of received) {
        if (isOutcome(message) && !first.has(message.taskId)) first.set(message.taskId, message);
      }
      return first;
    },
    waitForOutcome: (taskId) =>
      waitFor((message) => isOutcome(message) && message.taskId === taskId) as Promise<Outcome>,
    waitFor: waitFor as FakeServer['waitFor'],
    dropConnection() {
      current?.terminate();
    },
    closeConnection(code, reason = '') {
      current?.close(code, reason);
    },
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
