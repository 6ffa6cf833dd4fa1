/** The service side of the SDK: `createService` / `createAgent` connect a handler to a Baton server's socket. */
export type { RevertContext, RevertHandler } from './compensation-dispatcher.js';
export { ConnectionEndedError } from './connection-ended-error.js';
export {
  createAgent,
  createService,
  type HandlerInput,
  type HandlerOutput,
  type Service,
  type ServiceOptions,
  type StartOptions,
  type StopOptions,
  type StoredInput,
  type StoredOutput,
} from './create-service.js';
export {
  type FileInstanceStoreOptions,
  fileInstanceStore,
  type InstanceStore,
  memoryInstanceStore,
} from './instance-store.js';
export type { ReconnectOptions } from './reconnect-delay.js';
export {
  type CachedResult,
  type MemoryResultCacheOptions,
  memoryResultCache,
  RESULT_CACHE_TTL_MS,
  type ResultCache,
} from './result-cache.js';
export type { TaskContext, TaskHandler } from './run-task.js';
export type { JsonSchema, SchemaOption } from './schema-validator.js';
export { ServiceDefinitionError } from './service-definition-error.js';
export { ServiceError } from './service-error.js';
export type { ConnectionEnd, ConnectionEndReason, ServiceEvent, ServiceEventListener } from './service-event.js';
export { ServiceStoppedError } from './service-stopped-error.js';
export { TaskCancelledError, type TaskCancelledReason } from './task-cancelled-error.js';
export {
  NonRetryableError,
  RetryableError,
  TaskFailedError,
  type TaskFailedErrorOptions,
} from './task-failed-error.js';
