/**
 * The service socket at `GET /v1/ws`. The upgrade is authenticated by `Authorization: Bearer <key>` (401 before any
 * WebSocket exists otherwise); an upgrade to any other path is a 404, a malformed one a 400, each a problem document.
 * The first message must be `hello`, which registers the service (or re-attaches an instance by the id a previous
 * `welcome` gave) and is answered by `welcome`. Then tasks go out through the dispatcher and answers come back; every
 * answer is acknowledged, and a malformed message — also one nested deeper than the server can store — gets a
 * `protocol-error` naming the problem while the connection stays open. An instance silent for three heartbeat
 * intervals is closed and its tasks placed again.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type HelloMessage,
  jsonDepth,
  MAX_JSON_DEPTH,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  parseServiceMessage,
  type ServiceMessage,
  serviceDefinitionSchema,
} from '@baton/protocol';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { ApiKeys, AuthenticatedKey } from '../auth/api-keys.js';
import { bearerToken } from '../auth/bearer-token.js';
import { newId } from '../db/time-ordered-id.js';
import { HttpProblem, unauthorized } from '../errors/http-problem.js';
import { gatherWrites, sendText, sendTextSoon } from './gathered-send.js';
import { type OutgoingMessage, ServiceInstance } from './service-instance.js';
import type { TaskDispatcher } from './task-dispatcher.js';
import { refuseUpgrade } from './upgrade-refusal.js';

/** The one path that upgrades to the service socket. */
export const SOCKET_PATH = '/v1/ws';

/** Stores a service's definition for a project (a new revision when it changed) and answers what it registered as. */
export type RegisterService = (
  projectId: string,
  definition: ReturnType<typeof serviceDefinitionSchema.parse>,
) => Promise<{ id: string; name: string; revision: number }>;

export interface SocketGatewayOptions {
  apiKeys: ApiKeys;
  register: RegisterService;
  dispatcher: TaskDispatcher;
  heartbeatMs: number;
  logger: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  onConnectionsChanged?: () => void;
}

/** Close codes the server uses (4000–4999 are the application's). */
export const CLOSE_CODES = {
  keyRevoked: 4001,
  serviceDeleted: 4004,
  registrationRefused: 4400,
  helloTimeout: 4010,
  replaced: 4009,
  shutdown: 1001,
} as const;

export class SocketGateway {
  // The protocol is Baton's own JSON, versioned in `hello`: no subprotocol is chosen, whichever a client asks for, so a
  // client that needs one (`mqtt`, `graphql-ws`) learns at the handshake that this server does not speak it.
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: () => false,
  });
  private readonly sockets = new Map<WebSocket, { key: AuthenticatedKey; instance: ServiceInstance | undefined }>();
  private readonly heartbeat: NodeJS.Timeout;
  private lastCheck = Date.now();

  constructor(private readonly options: SocketGatewayOptions) {
    // Without a listener `ws` answers a malformed handshake with a text/html page.
    this.server.on('wsClientError', (error, socket, request) =>
      refuseUpgrade(socket, handshakeProblem(error, request)),
    );
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      const stalled = now - this.lastCheck > 2 * options.heartbeatMs;
      this.lastCheck = now;
      // After a stall of this process, instances get a full interval to be heard again.
      if (!stalled) {
        this.checkHeartbeats();
        return;
      }
      for (const state of this.sockets.values()) {
        if (state.instance !== undefined) state.instance.lastSeenAt = now;
      }
    }, options.heartbeatMs);
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /**
   * Handles any HTTP upgrade the server receives: 404 for a path other than `/v1/ws`, 401 without a live key, 400
   * (405 for a method other than GET) for a handshake `ws` cannot complete.
   */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (path !== SOCKET_PATH) {
      const detail = `no WebSocket endpoint at ${request.method} ${clip(path)}; services connect to GET ${SOCKET_PATH}`;
      refuseUpgrade(socket, new HttpProblem(404, 'no-route', 'Not found', detail));
      return;
    }
    const token = bearerToken(request.headers.authorization);
    const key = token === undefined ? undefined : await this.options.apiKeys.authenticate(token).catch(() => undefined);
    if (key === undefined) {
      const detail = 'send a live API key as "Authorization: Bearer <key>" with the upgrade request';
      refuseUpgrade(socket, unauthorized(detail));
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => {
      gatherWrites(ws, socket);
      this.accept(ws, key);
    });
  }

  /** Closes every socket opened with `keyId` (the key was revoked). */
  closeKey(keyId: string): void {
    for (const [ws, state] of this.sockets) {
      if (state.key.keyId === keyId) ws.close(CLOSE_CODES.keyRevoked, 'API key revoked');
    }
  }

  closeService(serviceId: string): void {
    for (const [ws, state] of this.sockets) {
      if (state.instance?.serviceId === serviceId) ws.close(CLOSE_CODES.serviceDeleted, 'service deleted');
    }
  }

  /** Keys of open sockets, for replicas that learn of revocations by asking the database. */
  openKeyIds(): Set<string> {
    return new Set([...this.sockets.values()].map((state) => state.key.keyId));
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const ws of this.sockets.keys()) ws.close(CLOSE_CODES.shutdown, 'server shutting down');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket, key: AuthenticatedKey): void {
    const state: { key: AuthenticatedKey; instance: ServiceInstance | undefined } = { key, instance: undefined };
    this.sockets.set(ws, state);
    // A connection that never registers holds nothing worth keeping.
    const helloTimer = setTimeout(() => {
      if (state.instance === undefined) ws.close(CLOSE_CODES.helloTimeout, 'no hello within the time allowed');
    }, 3 * this.options.heartbeatMs);
    helloTimer.unref();
    let queue = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      queue = queue
        .then(() => this.receive(ws, state, data, isBinary))
        .catch((error) => {
          this.options.logger.warn({ err: error }, 'socket message failed');
        });
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(helloTimer);
      this.sockets.delete(ws);
      if (state.instance !== undefined) {
        const missedHeartbeats = state.instance.status === 'down';
        state.instance.status = 'down';
        this.options.dispatcher.removeInstance(state.instance, missedHeartbeats ? 0 : this.options.heartbeatMs);
        this.options.logger.info(
          { instanceId: state.instance.id, serviceId: state.instance.serviceId },
          'instance left',
        );
      }
      this.options.onConnectionsChanged?.();
    });
  }

  private async receive(
    ws: WebSocket,
    state: { key: AuthenticatedKey; instance: ServiceInstance | undefined },
    data: RawData,
    isBinary: boolean,
  ): Promise<void> {
    if (state.instance !== undefined) state.instance.lastSeenAt = Date.now();
    if (isBinary) {
      send(ws, { type: 'protocol-error', code: 'binary-frame', message: 'messages are JSON text frames' });
      return;
    }
    const text = rawText(data);
    const parsed = parseServiceMessage(text);
    if (!parsed.ok) {
      send(ws, { type: 'protocol-error', ...parsed.problem });
      return;
    }
    const message = parsed.value;
    // The journal, the stores and the engine walk values recursively: a deeper one fails the run that stores it.
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      send(ws, {
        type: 'protocol-error',
        of: message.id,
        code: 'invalid-message',
        message: `${message.type}: nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep, the most the server takes; flatten it`,
      });
      return;
    }
    if (message.type === 'hello') {
      await this.hello(ws, state, message);
      return;
    }
    const instance = state.instance;
    if (instance === undefined) {
      send(ws, {
        type: 'protocol-error',
        of: message.id,
        code: 'hello-first',
        message: `"${message.type}" before "hello": register first`,
      });
      return;
    }
    this.handle(ws, instance, message);
  }

  private handle(ws: WebSocket, instance: ServiceInstance, message: Exclude<ServiceMessage, HelloMessage>): void {
    const dispatcher = this.options.dispatcher;
    const answered = (known: boolean, jobId: string) => {
      // Nobody waits for it: it leaves with the next task or once this turn's work (the answer journaled) is done.
      if (ws.readyState === ws.OPEN)
        sendTextSoon(ws, JSON.stringify({ type: 'ack', of: message.id, id: randomUUID() }));
      if (!known) {
        send(ws, {
          type: 'protocol-error',
          of: message.id,
          code: 'unknown-task',
          message: `no task or compensation "${clip(jobId)}" is waiting for an answer from this instance (answered already, cancelled, or never sent)`,
        });
      }
    };
    switch (message.type) {
      case 'ack':
        if (!instance.acknowledge(message.of)) {
          send(ws, {
            type: 'protocol-error',
            of: message.id,
            code: 'unknown-ack',
            message: `ack of "${clip(message.of)}": no message with that id was sent on this connection or it was acknowledged already`,
          });
        }
        return;
      case 'heartbeat':
        send(ws, { type: 'heartbeat', at: Date.now() });
        return;
      case 'drain':
        dispatcher.drain(instance);
        return;
      case 'progress':
        if (!dispatcher.progress(instance, message.taskId, message.data)) {
          send(ws, {
            type: 'protocol-error',
            of: message.id,
            code: 'unknown-task',
            message: `progress for task "${clip(message.taskId)}", which this instance does not hold`,
          });
        }
        return;
      case 'result':
        answered(
          dispatcher.answer(instance, message.taskId, { kind: 'result', output: message.output }),
          message.taskId,
        );
        return;
      case 'task-error':
        answered(dispatcher.answer(instance, message.taskId, { kind: 'error', error: message.error }), message.taskId);
        return;
      case 'abort':
        answered(
          dispatcher.answer(instance, message.taskId, {
            kind: 'abort',
            payload: message.payload,
            reason: message.reason,
          }),
          message.taskId,
        );
        return;
      case 'compensation-result': {
        const outcome = message.ok ? { ok: true as const } : { ok: false as const, error: message.error };
        answered(dispatcher.answer(instance, message.compensationId, outcome), message.compensationId);
        return;
      }
    }
  }

  private async hello(
    ws: WebSocket,
    state: { key: AuthenticatedKey; instance: ServiceInstance | undefined },
    message: HelloMessage,
  ): Promise<void> {
    if (state.instance !== undefined) {
      send(ws, {
        type: 'protocol-error',
        of: message.id,
        code: 'already-registered',
        message: 'this connection said hello already',
      });
      return;
    }
    const definition = serviceDefinitionSchema.parse(message.service);
    let service: Awaited<ReturnType<RegisterService>>;
    try {
      service = await this.options.register(state.key.projectId, definition);
    } catch (error) {
      send(ws, {
        type: 'protocol-error',
        of: message.id,
        code: 'registration-refused',
        message: error instanceof Error ? error.message : String(error),
      });
      ws.close(CLOSE_CODES.registrationRefused, 'registration refused');
      return;
    }
    if (ws.readyState !== ws.OPEN) return;
    const instanceId = this.instanceIdFor(state.key.projectId, service.id, message.instanceId);
    this.replaceDuplicate(ws, state.key.projectId, service.id, instanceId);
    const instance = new ServiceInstance(
      instanceId,
      state.key.projectId,
      service.id,
      state.key.keyId,
      message.maxConcurrency,
      ws,
      service.revision,
    );
    state.instance = instance;
    send(ws, {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      instanceId,
      serviceId: service.id,
      version: service.revision,
      heartbeatMs: this.options.heartbeatMs,
      maxMessageBytes: MAX_MESSAGE_BYTES,
    });
    this.options.dispatcher.addInstance(instance);
    this.options.logger.info({ instanceId, serviceId: service.id, service: service.name }, 'instance joined');
    this.options.onConnectionsChanged?.();
  }

  /**
   * The id a `hello` re-attaches under: the one it asked for, unless another service of the project holds it now — an
   * instance id belongs to one service, and a hello naming another's gets an id of its own instead of taking over.
   */
  private instanceIdFor(projectId: string, serviceId: string, asked: string | undefined): string {
    if (asked === undefined) return newId('inst');
    for (const state of this.sockets.values()) {
      const held = state.instance;
      if (held?.id === asked && held.projectId === projectId && held.serviceId !== serviceId) return newId('inst');
    }
    return asked;
  }

  /**
   * An instance re-attaching while its old socket still looks open: the old one is closed, and what it held is kept
   * for the instance under its id, so the new socket, added next, gets it at once — not once the old socket's close
   * comes in, or a heartbeat interval later.
   */
  private replaceDuplicate(current: WebSocket, projectId: string, serviceId: string, instanceId: string): void {
    for (const [ws, state] of this.sockets) {
      const held = state.instance;
      if (ws === current || held?.id !== instanceId || held.projectId !== projectId || held.serviceId !== serviceId) {
        continue;
      }
      this.options.dispatcher.removeInstance(held, this.options.heartbeatMs);
      ws.close(CLOSE_CODES.replaced, 'the instance connected again');
    }
  }

  private checkHeartbeats(): void {
    const limit = Date.now() - 3 * this.options.heartbeatMs;
    const stale = [...this.sockets].filter(
      ([, state]) => state.instance !== undefined && state.instance.lastSeenAt < limit,
    );
    if (stale.length === 0) return;
    // A busy event loop (a large payload being processed) delays reading what instances sent: let the frames already
    // received be read before deciding an instance went silent.
    setImmediate(() => {
      for (const [ws, state] of stale) {
        const instance = state.instance;
        if (instance === undefined || instance.lastSeenAt >= limit || !this.sockets.has(ws)) continue;
        this.options.logger.warn({ instanceId: instance.id }, 'instance missed its heartbeats');
        instance.status = 'down';
        ws.terminate();
      }
    });
  }
}

/** What `ws` found wrong with a handshake on `/v1/ws`, as a problem document naming it. */
function handshakeProblem(error: Error, request: IncomingMessage): HttpProblem {
  const fix = 'open it with a WebSocket client (GET, Upgrade: websocket, Sec-WebSocket-Key, Sec-WebSocket-Version: 13)';
  if (request.method !== 'GET') {
    const detail = `the service socket is opened with GET, not ${clip(String(request.method))}; ${fix}`;
    return new HttpProblem(405, 'method-not-allowed', 'Method not allowed', detail, { headers: { Allow: 'GET' } });
  }
  const version = request.headers['sec-websocket-version'];
  const detail = `the WebSocket handshake is malformed: ${error.message}; ${fix}`;
  return new HttpProblem(400, 'invalid-upgrade', 'Bad request', detail, {
    problems: [{ path: 'headers', code: 'invalid-upgrade', message: error.message }],
    // RFC 6455 §4.4: a server answering an unknown version names the versions it speaks.
    headers: version === '13' || version === '8' ? {} : { 'Sec-WebSocket-Version': '13, 8' },
  });
}

function send(ws: WebSocket, message: OutgoingMessage): void {
  if (ws.readyState === ws.OPEN) sendText(ws, JSON.stringify({ ...message, id: randomUUID() }));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
