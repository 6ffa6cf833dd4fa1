/**
 * The reason a handler's `ctx.signal` aborts: the server cancelled the task, or its deadline passed. A handler that
 * lets it propagate fails the task with code `cancelled` (not retryable) or `deadline-exceeded` (retryable).
 */
import { ServiceError } from './service-error.js';

export type TaskCancelledReason = 'cancelled' | 'deadline-exceeded';

export class TaskCancelledError extends ServiceError {
  readonly taskId: string;
  readonly reason: TaskCancelledReason;
  /** The server's explanation for a cancel, or the deadline for a deadline. */
  readonly detail: string;

  constructor(details: { taskId: string; reason: TaskCancelledReason; detail: string }) {
    const what = details.reason === 'cancelled' ? 'was cancelled' : 'passed its deadline';
    super(details.reason, `task ${details.taskId} ${what}: ${details.detail}`);
    this.name = 'TaskCancelledError';
    this.taskId = details.taskId;
    this.reason = details.reason;
    this.detail = details.detail;
  }

  static override isInstance(error: unknown): error is TaskCancelledError {
    return ServiceError.isInstance(error) && (error.code === 'cancelled' || error.code === 'deadline-exceeded');
  }
}
