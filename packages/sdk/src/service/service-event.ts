/**
 * What a running service reports through `onEvent` / `service.subscribe`: its connection's life, each task's start
 * and finish, and the server's complaints. Nothing here is needed to run a service; it is for logs, metrics and tests.
 */
import type { TaskError } from '@baton/protocol';

/** Why the service stopped reconnecting: HTTP 401 on an upgrade (first or later), or close code 4001 or 4004. */
export type ConnectionEndReason = 'key-refused' | 'key-revoked' | 'service-deleted' | 'registration-refused';

export interface ConnectionEnd {
  url: string;
  reason: ConnectionEndReason;
  /** Says what happened, at which URL, and what to do. */
  message: string;
}

export type ServiceEvent =
  | { type: 'connection-start'; url: string }
  | { type: 'connection-open'; url: string; instanceId: string; serviceId: string; version: number }
  | { type: 'connection-close'; url: string; code: number; reason: string }
  /** The server refused the upgrade (`status`, e.g. 401 for a bad key) or could not be reached. */
  | { type: 'connection-fail'; url: string; status?: number; message: string }
  /** Reconnecting cannot help (a refused or revoked key, a deleted service): the service stops trying for good. */
  | ({ type: 'connection-end' } & ConnectionEnd)
  | { type: 'reconnect-schedule'; delayMs: number; failures: number }
  | { type: 'heartbeat-timeout'; url: string; silentMs: number }
  | { type: 'task-start'; taskId: string; attempt: number; idempotencyKey: string }
  | {
      type: 'task-finish';
      taskId: string;
      outcome: 'result' | 'task-error' | 'abort';
      /** True when the outcome came from an earlier run with the same idempotency key. */
      reused: boolean;
      error?: TaskError;
    }
  /** The server sent a task this instance is running or has finished; a finished one's outcome is sent again. */
  | { type: 'task-repeat'; taskId: string; state: 'running' | 'finished' }
  | { type: 'compensation-start'; compensationId: string }
  | { type: 'compensation-finish'; compensationId: string; ok: boolean; error?: TaskError }
  /** The server could not use a message this service sent. */
  | { type: 'protocol-error'; code: string; message: string; of?: string }
  /**
   * The server sent a frame this SDK could not read; it is ignored — but a `task` or `compensate` that names its id is
   * answered as failed (code `invalid-task` or `invalid-compensation`, not retryable), so its step does not hang.
   */
  | { type: 'message-invalid'; code: string; message: string }
  /** The instance store or result cache failed; the service carries on without it. */
  | { type: 'store-error'; store: 'instance-store' | 'result-cache'; message: string }
  | { type: 'drain-start'; runningTasks: number; unacknowledged: number }
  | { type: 'stop-finish'; drained: boolean };

export type ServiceEventListener = (event: ServiceEvent) => void;
