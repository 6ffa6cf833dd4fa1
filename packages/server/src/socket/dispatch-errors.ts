/** Why a task could not be run on a service. */
import { BatonError } from '@baton/core';

/** No instance of the service connected within the grace period. */
export class ServiceUnavailableError extends BatonError {
  readonly service: string;
  readonly waitedMs: number;
  /** The schema revision the task was for, when an instance of another revision was connected. */
  readonly revision: number | undefined;

  constructor(service: string, waitedMs: number, revision?: number) {
    super(
      'service-unavailable',
      revision === undefined
        ? `no instance of service "${service}" connected within ${waitedMs} ms; start one (it registers over /v1/ws) and retry the orchestration`
        : `no instance of service "${service}" at revision ${revision} (the schema this orchestration started with) connected within ${waitedMs} ms; connect one that registers that schema, or retry the orchestration`,
      { retryable: false },
    );
    this.name = 'ServiceUnavailableError';
    this.service = service;
    this.waitedMs = waitedMs;
    this.revision = revision;
  }

  static override isInstance(error: unknown): error is ServiceUnavailableError {
    return BatonError.isInstance(error) && error.code === 'service-unavailable';
  }
}

/** The service was deleted while a task for it waited or ran. */
export class ServiceDeletedError extends BatonError {
  readonly service: string;

  constructor(service: string) {
    super('service-deleted', `service "${service}" was deleted`, { retryable: false });
    this.name = 'ServiceDeletedError';
    this.service = service;
  }
}

/** The service's handler failed; `retryable` and `retryAfterMs` are what the service said. */
export class RemoteTaskError extends BatonError {
  readonly service: string;
  readonly remoteCode: string | undefined;
  readonly retryAfter: number | undefined;
  readonly details: unknown;

  constructor(
    service: string,
    error: {
      message: string;
      code?: string | undefined;
      retryable: boolean;
      retryAfterMs?: number | undefined;
      details?: unknown;
    },
  ) {
    super('remote-task-failed', `service "${service}": ${error.message}`, { retryable: error.retryable });
    this.name = 'RemoteTaskError';
    this.service = service;
    this.remoteCode = error.code;
    // Seconds, as the engine's backoff reads a `retryAfter` (like an HTTP Retry-After header).
    this.retryAfter = error.retryAfterMs === undefined ? undefined : error.retryAfterMs / 1000;
    this.details = error.details;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), service: this.service, remoteCode: this.remoteCode, details: this.details };
  }
}

/** The engine asked for a task the socket protocol cannot carry: no instance of the service could accept it. */
export class UnsendableTaskError extends BatonError {
  readonly service: string;
  /** The task field that does not fit (`idempotencyKey`). */
  readonly field: string;

  constructor(service: string, field: string, detail: string) {
    super('task-not-sendable', `cannot send service "${service}" this task: ${detail}`, { retryable: false });
    this.name = 'UnsendableTaskError';
    this.service = service;
    this.field = field;
  }

  static override isInstance(error: unknown): error is UnsendableTaskError {
    return BatonError.isInstance(error) && error.code === 'task-not-sendable';
  }
}
