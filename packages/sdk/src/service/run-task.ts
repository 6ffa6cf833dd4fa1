/**
 * Runs one task through a handler: validates the input, builds the handler's context, validates what it returns,
 * and settles on the first of the handler's outcome or a call to `ctx.abort` (after which the handler's return value
 * is ignored).
 */
import type { TaskError, TaskMessage } from '@baton/protocol';
import type { CompiledSchema } from './schema-validator.js';
import { toTaskError } from './to-task-error.js';

export interface TaskContext {
  /** Sends a progress report to the server; best effort, never redelivered. */
  progress(data: unknown): void;
  /** Stops the whole orchestration (its finished steps are compensated); the handler's later return is ignored. */
  abort(payload?: unknown, reason?: string): void;
  /** Aborts when the server cancels the task or its deadline passes; the reason is a `TaskCancelledError`. */
  signal: AbortSignal;
  /** 1 for the first try. */
  attempt: number;
  /** Stable across retries of the same step: pass it to the systems you call so a repeat changes nothing. */
  idempotencyKey: string;
  taskId: string;
  orchestrationId: string;
  stepId: string;
  /** Milliseconds since the epoch after which the server no longer waits, or null. */
  deadline: number | null;
}

export type TaskHandler<Input = unknown, Output = unknown> = (
  input: Input,
  context: TaskContext,
) => Output | Promise<Output>;

export type TaskOutcome =
  | { type: 'result'; output: unknown }
  | { type: 'task-error'; error: TaskError }
  | { type: 'abort'; payload: unknown; reason?: string };

export interface RunTaskOptions {
  task: TaskMessage;
  handler: TaskHandler<never, unknown>;
  input: CompiledSchema;
  output: CompiledSchema;
  signal: AbortSignal;
  progress(data: unknown): void;
}

export function runTask(options: RunTaskOptions): Promise<TaskOutcome> {
  const { task, signal } = options;
  const input = options.input.validate(task.input);
  if (!input.ok) {
    return Promise.resolve(invalid('invalid-input', `the input does not match the input schema: ${input.message}`));
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: TaskOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const context: TaskContext = {
      progress: (data) => {
        if (!settled) options.progress(data);
      },
      abort: (payload, reason) => settle({ type: 'abort', payload: payload ?? null, reason }),
      signal,
      attempt: task.attempt,
      idempotencyKey: task.idempotencyKey,
      taskId: task.taskId,
      orchestrationId: task.orchestrationId,
      stepId: task.stepId,
      deadline: task.deadline,
    };
    const handler = options.handler as TaskHandler<unknown, unknown>;
    Promise.resolve()
      .then(() => handler(input.value, context))
      .then(
        (value) => {
          const output = options.output.validate(value);
          if (!output.ok) {
            settle(invalid('invalid-output', `the output does not match the output schema: ${output.message}`));
          } else {
            settle({ type: 'result', output: output.value === undefined ? null : output.value });
          }
        },
        (error: unknown) => settle({ type: 'task-error', error: toTaskError(error, signal) }),
      );
  });
}

function invalid(code: string, message: string): TaskOutcome {
  return { type: 'task-error', error: { message: message.slice(0, 10_000), code, retryable: false } };
}
