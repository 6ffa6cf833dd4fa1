/**
 * Where a remote target's task goes: straight to an instance connected here (`TaskDispatcher`), or, with several
 * replicas on PostgreSQL, through the store's task queue to whichever replica holds an instance
 * (`PostgresTaskQueue`). Both answer the same way.
 */
import type { CompensationOutcome, CompensationSpec, ServiceRef, TaskOutcome, TaskSpec } from './task-dispatcher.js';

export interface TaskRouter {
  run(service: ServiceRef, spec: TaskSpec, signal: AbortSignal): Promise<TaskOutcome>;
  compensate(service: ServiceRef, spec: CompensationSpec, signal: AbortSignal): Promise<CompensationOutcome>;
}
