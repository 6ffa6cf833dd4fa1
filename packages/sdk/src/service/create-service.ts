/**
 * `createService` / `createAgent`: a handler, its schemas and a name become a service that connects to a Baton
 * server, registers, and runs the tasks the server sends it — each outcome delivered exactly once per task id, each
 * idempotency key handled once, through reconnects of the socket and restarts of the server.
 *
 * @example
 * const service = createService({
 *   name: 'send-invoice',
 *   description: 'Emails an invoice to a customer',
 *   input: z.object({ customerId: z.string(), amount: z.number() }),
 *   output: z.object({ messageId: z.string() }),
 *   handler: async ({ customerId, amount }, ctx) => mailer.send(customerId, amount, { key: ctx.idempotencyKey }),
 *   revert: async ({ output }) => mailer.recall(output.messageId),
 * });
 * await service.start({ url: 'https://baton.example.com', apiKey: process.env.BATON_API_KEY! });
 * process.on('SIGTERM', () => service.stop());
 */
import { randomUUID } from 'node:crypto';
import {
  type HelloMessage,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  type ServerMessage,
  type ServiceDefinition,
  type ServiceMessage,
  serviceDefinitionSchema,
} from '@baton/protocol';
import type { z } from 'zod';
import { CompensationDispatcher, type RevertHandler } from './compensation-dispatcher.js';
import { ConnectionEndedError } from './connection-ended-error.js';
import { fileInstanceStore, type InstanceStore } from './instance-store.js';
import { Outbox } from './outbox.js';
import type { ReconnectOptions } from './reconnect-delay.js';
import { memoryResultCache, type ResultCache, serviceResultCache } from './result-cache.js';
import type { TaskHandler } from './run-task.js';
import { compileSchema, type JsonSchema, type SchemaOption } from './schema-validator.js';
import { ServiceConnection } from './service-connection.js';
import { ServiceDefinitionError } from './service-definition-error.js';
import type { ConnectionEnd, ServiceEvent, ServiceEventListener } from './service-event.js';
import { ServiceStoppedError } from './service-stopped-error.js';
import { TaskDispatcher } from './task-dispatcher.js';
import { refusalError, type UnacceptedWork } from './unaccepted-work.js';

/** What the handler receives for a schema option: the zod schema's output, or `unknown` for a JSON Schema. */
export type HandlerInput<S> = S extends z.ZodType ? z.output<S> : unknown;
/** What the handler returns for a schema option: the zod schema's input, or `unknown` for a JSON Schema. */
export type HandlerOutput<S> = S extends z.ZodType ? z.input<S> : unknown;
/**
 * What `revert` receives for a schema option, as the server stored it: the input the server sent (the input schema's
 * input: it was not parsed on the way in) and the output the service sent back (the output schema's output).
 */
export type StoredInput<S> = S extends z.ZodType ? z.input<S> : unknown;
export type StoredOutput<S> = S extends z.ZodType ? z.output<S> : unknown;

export interface ServiceOptions<In extends SchemaOption = JsonSchema, Out extends SchemaOption = JsonSchema> {
  /** Lowercase letters, digits, `-` and `.`; the name plans call it by. */
  name: string;
  description: string;
  /** Checked before the handler runs; a mismatch fails the task with `invalid-input` (not retryable). */
  input?: In;
  /** Checked after the handler returns; a mismatch fails the task with `invalid-output` (not retryable). */
  output?: Out;
  /** Your own version label, reported to the server as `declaredVersion`. */
  version?: string;
  handler: TaskHandler<HandlerInput<In>, HandlerOutput<Out>>;
  /** Undoes a finished step when its orchestration is compensated; present means the service is revertible. */
  revert?: RevertHandler<StoredInput<In>, StoredOutput<Out>>;
  /** Calling it again changes nothing outside, so the engine may run later steps before storing its result. @default false */
  effectFree?: boolean;
  /** Tasks this instance runs at once; the server is told, and extra tasks wait locally. @default 64 */
  maxConcurrency?: number;
  /** Where the instance id is kept between runs. @default fileInstanceStore() (`.baton/instances/<name>.json`) */
  instanceStore?: InstanceStore;
  /**
   * Successful outputs, and successful reverts, by idempotency key, for 24 hours: a step or an undo the server sends
   * again under a new id (after it restarted, say) is answered without running it twice. Keys are stored prefixed
   * with the service's name (`<name>:<key>`), so services may share one cache. @default memoryResultCache()
   */
  resultCache?: ResultCache;
  onEvent?: ServiceEventListener;
  /** Backoff between connection attempts. @default { initialDelayMs: 100, maxDelayMs: 30_000 } */
  reconnect?: ReconnectOptions;
  /** How long to wait for `welcome` after the upgrade before trying again. @default 30_000 */
  welcomeTimeoutMs?: number;
}

export interface StartOptions {
  /** The server's base URL (`https://…` or `wss://…`); the socket path `/v1/ws` is appended. */
  url?: string;
  /** Several servers: each connection attempt takes the next. */
  urls?: string[];
  /** Sent as `Authorization: Bearer <apiKey>` on the upgrade; never put into the URL. */
  apiKey: string;
}

export interface StopOptions {
  /** How long to wait for running tasks to finish and their outcomes to be acknowledged. @default 30_000 */
  timeoutMs?: number;
}

export interface Service {
  readonly name: string;
  /** What `hello` carries. */
  readonly definition: ServiceDefinition;
  /** The id the server gave this instance (loaded from the instance store before the first welcome). */
  readonly instanceId: string | undefined;
  /** True while registered on an open socket. */
  readonly connected: boolean;
  readonly runningTasks: number;
  /** Outcomes sent and not yet acknowledged. */
  readonly unacknowledged: number;
  /**
   * Connects and resolves once the server has registered the service; it keeps reconnecting after that.
   *
   * - A server that refuses the API key (HTTP 401) before registering the service ends it: `start()` rejects with a
   *   `ConnectionEndedError` (`reason: 'key-refused'`, naming the URL) and nothing more is tried.
   * - A server that cannot be reached (not running yet, a wrong port) is tried again and again, with backoff, and
   *   `start()` stays pending until one answers: servers may come up after their services. Each failed attempt is a
   *   `connection-fail` event naming the URL and the reason; log those, and call `stop()` to give up (`start()` then
   *   rejects with a `ServiceStoppedError`).
   * - Once registered, a close with 4001 (key revoked) or 4004 (service deleted) ends the service too: a
   *   `connection-end` event says why, and it stops reconnecting. Any other close or failure reconnects.
   */
  start(options: StartOptions): Promise<void>;
  /** Sends `drain`, lets running tasks finish and their outcomes be acknowledged, then disconnects for good. */
  stop(options?: StopOptions): Promise<void>;
  /** @returns a function that removes the listener. */
  subscribe(listener: ServiceEventListener): () => void;
}

/** The options `createService` knows: any other key is a typo that would silently drop what it meant to set. */
const SERVICE_OPTIONS: ReadonlySet<string> = new Set([
  'name',
  'description',
  'input',
  'output',
  'version',
  'handler',
  'revert',
  'effectFree',
  'maxConcurrency',
  'instanceStore',
  'resultCache',
  'onEvent',
  'reconnect',
  'welcomeTimeoutMs',
]);

/** What JavaScript callers (no compiler to catch it) can get wrong in the options besides the wire definition. */
function optionProblems(options: ServiceOptions<SchemaOption, SchemaOption>, kind: 'service' | 'agent'): string[] {
  const maker = kind === 'agent' ? 'createAgent' : 'createService';
  const problems: string[] = [];
  const given = (options ?? {}) as unknown as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!SERVICE_OPTIONS.has(key)) {
      problems.push(`${key}: not an option of ${maker} (known: ${[...SERVICE_OPTIONS].join(', ')})`);
    }
  }
  if (typeof given.handler !== 'function') {
    problems.push(`handler: expected a function (input, ctx) => output, got ${describe(given.handler)}`);
  }
  if (given.revert !== undefined && typeof given.revert !== 'function') {
    problems.push(`revert: expected a function (input, output, ctx) => void, got ${describe(given.revert)}`);
  }
  return problems;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  return typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : typeof value;
}

function buildDefinition(options: ServiceOptions<SchemaOption, SchemaOption>, kind: 'service' | 'agent') {
  const mistakes = optionProblems(options, kind);
  if (mistakes.length > 0) throw new ServiceDefinitionError(`${kind} "${options?.name}"`, mistakes);
  const input = compileSchema(options.input, 'input');
  const output = compileSchema(options.output, 'output');
  const candidate = {
    name: options.name,
    kind,
    description: options.description,
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(input.jsonSchema === undefined ? {} : { input: input.jsonSchema }),
    ...(output.jsonSchema === undefined ? {} : { output: output.jsonSchema }),
    revertible: options.revert !== undefined,
    effectFree: options.effectFree ?? false,
  };
  const parsed = serviceDefinitionSchema.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(definition)'}: ${issue.message}`);
    throw new ServiceDefinitionError(`${kind} "${options.name}"`, problems);
  }
  const maxConcurrency = options.maxConcurrency ?? 64;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 10_000) {
    throw new ServiceDefinitionError(`${kind} "${options.name}"`, [
      `maxConcurrency: expected an integer from 1 to 10000, got ${maxConcurrency}`,
    ]);
  }
  return { definition: parsed.data, input, output, maxConcurrency };
}

export function createService<In extends SchemaOption = JsonSchema, Out extends SchemaOption = JsonSchema>(
  options: ServiceOptions<In, Out>,
): Service {
  return buildService(options as unknown as ServiceOptions<SchemaOption, SchemaOption>, 'service');
}

/**
 * The same as `createService`, registered as an agent (kind `agent`) so plans and tools can tell them apart.
 *
 * @example
 * const agent = createAgent({ name: 'triage', description: 'Sorts tickets', input, output, handler: triage });
 * await agent.start({ url: 'https://baton.example.com', apiKey });
 */
export function createAgent<In extends SchemaOption = JsonSchema, Out extends SchemaOption = JsonSchema>(
  options: ServiceOptions<In, Out>,
): Service {
  return buildService(options as unknown as ServiceOptions<SchemaOption, SchemaOption>, 'agent');
}

function buildService(options: ServiceOptions<SchemaOption, SchemaOption>, kind: 'service' | 'agent'): Service {
  const { definition, input, output, maxConcurrency } = buildDefinition(options, kind);
  const instanceStore = options.instanceStore ?? fileInstanceStore();
  const listeners = new Set<ServiceEventListener>(options.onEvent ? [options.onEvent] : []);
  const emit = (event: ServiceEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not break the service.
      }
    }
  };
  const outbox = new Outbox();
  let connection: ServiceConnection | undefined;
  let instanceId: string | undefined;
  let maxMessageBytes = MAX_MESSAGE_BYTES;
  let draining = false;
  let registered: { promise: Promise<void>; resolve(): void; reject(error: Error): void } | undefined;
  let everWelcomed = false;
  let ended: ConnectionEnd | undefined;

  const deliver = (message: ServiceMessage) => {
    outbox.add(message);
    connection?.send(message);
  };
  const sendNow = (message: ServiceMessage) => void connection?.send(message);
  const resultCache = serviceResultCache(options.resultCache ?? memoryResultCache(), options.name);
  const tasks = new TaskDispatcher({
    handler: options.handler as TaskHandler<never, unknown>,
    input,
    output,
    maxConcurrency,
    resultCache,
    deliver,
    isUnacknowledged: (id) => outbox.has(id),
    sendNow,
    maxMessageBytes: () => maxMessageBytes,
    emit,
  });
  const compensations = new CompensationDispatcher({
    revert: options.revert as RevertHandler<never, never> | undefined,
    resultCache,
    deliver,
    isUnacknowledged: (id) => outbox.has(id),
    emit,
  });

  const hello = (): HelloMessage => ({
    type: 'hello',
    id: randomUUID(),
    protocol: PROTOCOL_VERSION,
    ...(instanceId === undefined ? {} : { instanceId }),
    service: definition,
    maxConcurrency,
  });

  const onMessage = (message: ServerMessage) => {
    switch (message.type) {
      case 'task':
        tasks.receive(message);
        break;
      case 'cancel':
        // The id is a task's or a compensation's: whichever runs it stops it, the other ignores it.
        tasks.cancel(message);
        compensations.cancel(message);
        break;
      case 'compensate':
        compensations.receive(message);
        break;
      case 'ack':
        outbox.acknowledge(message.of);
        break;
      case 'protocol-error':
        emit({
          type: 'protocol-error',
          code: message.code,
          message: message.message,
          ...(message.of === undefined ? {} : { of: message.of }),
        });
        break;
    }
  };

  const onUnacceptedWork = (work: UnacceptedWork) => {
    if (work.type === 'task') tasks.refuse(work.workId, refusalError(work));
    else compensations.refuse(work.workId, refusalError(work));
  };

  const onWelcome = (welcome: { instanceId: string; maxMessageBytes: number }) => {
    maxMessageBytes = Math.min(welcome.maxMessageBytes, MAX_MESSAGE_BYTES);
    let saved: Promise<void> = Promise.resolve();
    if (welcome.instanceId !== instanceId) {
      instanceId = welcome.instanceId;
      saved = instanceStore.save(definition.name, welcome.instanceId).catch((error: unknown) => {
        emit({ type: 'store-error', store: 'instance-store', message: String(error) });
      });
    }
    for (const message of outbox.pending()) connection?.send(message);
    if (draining) sendNow({ type: 'drain', id: randomUUID() });
    everWelcomed = true;
    // start() resolves once the instance id is saved, so a process killed right after still comes back as itself.
    void saved.then(() => registered?.resolve());
  };

  const onEnd = (end: ConnectionEnd) => {
    ended = end;
    registered?.reject(new ConnectionEndedError(definition.name, end));
  };

  async function start(startOptions: StartOptions): Promise<void> {
    if (registered !== undefined) throw new ServiceDefinitionError(`service "${definition.name}"`, ['already started']);
    const urls = startOptions.urls ?? (startOptions.url === undefined ? [] : [startOptions.url]);
    const problems = [
      ...(urls.length === 0 ? ['url or urls: give the server URL'] : []),
      ...urls.filter((url) => !isServerUrl(url)).map((url) => `url: expected an http(s) or ws(s) URL, got "${url}"`),
      ...(typeof startOptions.apiKey === 'string' && /^[\x21-\x7e]+$/.test(startOptions.apiKey)
        ? []
        : ['apiKey: required, printable ASCII without spaces']),
    ];
    if (problems.length > 0) throw new ServiceDefinitionError('start options', problems);
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    registered = { promise, resolve, reject };
    instanceId = await instanceStore.load(definition.name).catch((error: unknown) => {
      emit({ type: 'store-error', store: 'instance-store', message: String(error) });
      return undefined;
    });
    if (draining) return promise;
    connection = new ServiceConnection({
      urls,
      apiKey: startOptions.apiKey,
      ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }),
      welcomeTimeoutMs: options.welcomeTimeoutMs ?? 30_000,
      hello,
      onWelcome,
      onMessage,
      onUnacceptedWork,
      onEnd,
      emit,
    });
    connection.open();
    return promise;
  }

  let stopping: Promise<void> | undefined;
  function stop(stopOptions: StopOptions = {}): Promise<void> {
    stopping ??= drainAndClose(stopOptions);
    return stopping;
  }

  async function drainAndClose(stopOptions: StopOptions): Promise<void> {
    draining = true;
    if (connection === undefined) {
      registered?.reject(new ServiceStoppedError(definition.name));
      return;
    }
    // An ended connection cannot deliver outcomes or acknowledgements: what is left is left.
    let drained = tasks.runningTasks === 0 && outbox.size === 0;
    if (everWelcomed && ended === undefined) {
      emit({ type: 'drain-start', runningTasks: tasks.runningTasks, unacknowledged: outbox.size });
      sendNow({ type: 'drain', id: randomUUID() });
      drained = await settleWithin(stopOptions.timeoutMs ?? 30_000, async () => {
        while (tasks.runningTasks > 0 || compensations.running > 0 || outbox.size > 0) {
          await tasks.whenIdle();
          await compensations.whenIdle();
          await outbox.whenEmpty();
        }
      });
    } else {
      registered?.reject(new ServiceStoppedError(definition.name));
    }
    await connection.close();
    emit({ type: 'stop-finish', drained });
  }

  return {
    name: definition.name,
    definition,
    get instanceId() {
      return instanceId;
    },
    get connected() {
      return connection?.ready ?? false;
    },
    get runningTasks() {
      return tasks.runningTasks;
    },
    get unacknowledged() {
      return outbox.size;
    },
    start,
    stop,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function isServerUrl(url: string): boolean {
  try {
    return ['http:', 'https:', 'ws:', 'wss:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** @returns whether `work` finished before the timeout. */
async function settleWithin(timeoutMs: number, work: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work().then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
