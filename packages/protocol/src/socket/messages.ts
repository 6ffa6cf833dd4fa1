/**
 * The service socket's messages (protocol version 1). Every frame is one JSON text message with a `type` and an `id`
 * unique per sender and connection life. Messages that carry work or its outcome — `task`, `compensate`, `cancel`
 * (server → service) and `result`, `task-error`, `abort`, `compensation-result` (service → server) — are acknowledged
 * with `ack { of: id }`; the sender keeps them until then and sends them again, in order, after a reconnect. A receiver
 * recognises a repeat by `taskId` / `compensationId` and answers it without doing the work twice.
 *
 * @example
 * const message = parseServiceMessage(JSON.parse(frame));
 * if (message.ok && message.value.type === 'result') …
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** The largest frame either side accepts: 16 MiB of payload plus room for the envelope. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 64 * 1024;
/** The latest moment a timestamp (a task's `deadline`, a heartbeat's `at`) may name: the largest safe integer. */
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;
/** The longest `idempotencyKey` a `task` or `compensate` may carry. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 2000;

const id = z.string().min(1).max(200);
const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/, 'lowercase letters, digits, "-" and "."; starts and ends alphanumeric');
const jsonSchema = z.record(z.string(), z.unknown()).describe('A JSON Schema (draft 2020-12 or 07)');
const timestamp = z.number().int().nonnegative().max(MAX_TIMESTAMP).describe('Milliseconds since the Unix epoch');

/** What a service or agent says about itself when it registers. */
export const serviceDefinitionSchema = z.strictObject({
  name,
  kind: z.enum(['service', 'agent']).default('service'),
  description: z.string().min(1).max(2000),
  /** The service's own version label, reported as `declaredVersion`; the server numbers schema changes itself. */
  version: z.string().max(100).optional(),
  input: jsonSchema.optional(),
  output: jsonSchema.optional(),
  /** The service undoes its effect when asked (`compensate`). */
  revertible: z.boolean().default(false),
  /** Calling it again changes nothing outside: the engine may run the steps after it before its result is stored. */
  effectFree: z.boolean().default(false),
});
export type ServiceDefinition = z.input<typeof serviceDefinitionSchema>;

export const taskErrorSchema = z.strictObject({
  message: z.string().max(10_000),
  code: z.string().max(200).optional(),
  /** False when trying again cannot help (bad input, a refused operation). */
  retryable: z.boolean(),
  /** How long to wait before the next attempt. */
  retryAfterMs: z.number().int().nonnegative().optional(),
  details: z.unknown().optional(),
});
export type TaskError = z.infer<typeof taskErrorSchema>;

// service → server

export const helloMessageSchema = z.strictObject({
  type: z.literal('hello'),
  id,
  protocol: z.literal(PROTOCOL_VERSION),
  /** The instance id a previous `welcome` gave: re-attach as that instance and receive its unacknowledged messages. */
  instanceId: id.optional(),
  service: serviceDefinitionSchema,
  /** Tasks this instance runs at once; the server sends no more. */
  maxConcurrency: z.number().int().min(1).max(10_000).default(64),
});

export const ackMessageSchema = z.strictObject({ type: z.literal('ack'), id, of: id });

export const progressMessageSchema = z.strictObject({ type: z.literal('progress'), id, taskId: id, data: z.unknown() });

export const resultMessageSchema = z.strictObject({ type: z.literal('result'), id, taskId: id, output: z.unknown() });

export const taskErrorMessageSchema = z.strictObject({
  type: z.literal('task-error'),
  id,
  taskId: id,
  error: taskErrorSchema,
});

/** The handler stops the whole orchestration; its finished steps are compensated (the engine's `AbortRunError`). */
export const abortMessageSchema = z.strictObject({
  type: z.literal('abort'),
  id,
  taskId: id,
  reason: z.string().max(10_000).optional(),
  payload: z.unknown(),
});

export const compensationResultMessageSchema = z.strictObject({
  type: z.literal('compensation-result'),
  id,
  compensationId: id,
  ok: z.boolean(),
  error: taskErrorSchema.optional(),
});

/** The instance takes no new tasks; it finishes those it has. */
export const drainMessageSchema = z.strictObject({ type: z.literal('drain'), id });

export const heartbeatMessageSchema = z.strictObject({ type: z.literal('heartbeat'), id, at: timestamp });

// server → service

export const welcomeMessageSchema = z.strictObject({
  type: z.literal('welcome'),
  id,
  protocol: z.literal(PROTOCOL_VERSION),
  instanceId: id,
  serviceId: id,
  /** The server's number for this service's current schemas; it grows when they change. */
  version: z.number().int().positive(),
  /** Send a heartbeat at least this often; an instance silent for three intervals is marked down. */
  heartbeatMs: z.number().int().positive(),
  maxMessageBytes: z.number().int().positive(),
});

export const taskMessageSchema = z.strictObject({
  type: z.literal('task'),
  id,
  taskId: id,
  orchestrationId: id,
  stepId: z.string().max(2000),
  /** 1 for the first try. */
  attempt: z.number().int().positive(),
  /** Stable across retries and restarts of the same step: a repeat must not repeat the effect. */
  idempotencyKey: z.string().max(MAX_IDEMPOTENCY_KEY_LENGTH),
  input: z.unknown(),
  /** When the engine stops waiting for this attempt, or null. */
  deadline: timestamp.nullable(),
});

export const compensateMessageSchema = z.strictObject({
  type: z.literal('compensate'),
  id,
  compensationId: id,
  orchestrationId: id,
  stepId: z.string().max(2000),
  input: z.unknown(),
  output: z.unknown(),
  reason: z.strictObject({ code: z.string(), message: z.string() }),
  /** What a handler passed when it aborted the orchestration, if one did. */
  payload: z.unknown(),
  attempt: z.number().int().positive(),
  idempotencyKey: z.string().max(MAX_IDEMPOTENCY_KEY_LENGTH),
  deadline: timestamp.nullable(),
});

/** The orchestration no longer wants the task's result; the handler's `signal` aborts. */
export const cancelMessageSchema = z.strictObject({
  type: z.literal('cancel'),
  id,
  taskId: id,
  reason: z.string().max(10_000),
});

/** The server could not use a message; `of` names it when it had an id. The connection stays open. */
export const protocolErrorMessageSchema = z.strictObject({
  type: z.literal('protocol-error'),
  id,
  of: z.string().optional(),
  code: z.string(),
  message: z.string(),
});

export const serviceMessageSchema = z.discriminatedUnion('type', [
  helloMessageSchema,
  ackMessageSchema,
  progressMessageSchema,
  resultMessageSchema,
  taskErrorMessageSchema,
  abortMessageSchema,
  compensationResultMessageSchema,
  drainMessageSchema,
  heartbeatMessageSchema,
]);

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeMessageSchema,
  ackMessageSchema,
  taskMessageSchema,
  compensateMessageSchema,
  cancelMessageSchema,
  heartbeatMessageSchema,
  protocolErrorMessageSchema,
]);

export type ServiceMessage = z.infer<typeof serviceMessageSchema>;
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type HelloMessage = z.infer<typeof helloMessageSchema>;
export type WelcomeMessage = z.infer<typeof welcomeMessageSchema>;
export type TaskMessage = z.infer<typeof taskMessageSchema>;
export type CompensateMessage = z.infer<typeof compensateMessageSchema>;
export type CancelMessage = z.infer<typeof cancelMessageSchema>;
export type ResultMessage = z.infer<typeof resultMessageSchema>;
export type TaskErrorMessage = z.infer<typeof taskErrorMessageSchema>;
export type AbortMessage = z.infer<typeof abortMessageSchema>;
export type CompensationResultMessage = z.infer<typeof compensationResultMessageSchema>;
export type ProtocolErrorMessage = z.infer<typeof protocolErrorMessageSchema>;

/** Message types the receiver must acknowledge. */
export const ACKNOWLEDGED_TYPES: ReadonlySet<string> = new Set([
  'task',
  'compensate',
  'cancel',
  'result',
  'task-error',
  'abort',
  'compensation-result',
]);
