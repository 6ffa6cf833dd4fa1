/**
 * Receives `task` and `cancel` messages and turns each task into exactly one outcome message: a repeat of a running
 * task is ignored, a repeat of a finished one gets its outcome again, and a step whose idempotency key already
 * succeeded (or is running under another task id) is answered from that run instead of calling the handler again.
 */
import { randomUUID } from 'node:crypto';
import {
  type CancelMessage,
  jsonDepth,
  MAX_JSON_DEPTH,
  type ServiceMessage,
  type TaskError,
  type TaskMessage,
} from '@baton/protocol';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { encodeFrame } from './encode-frame.js';
import { RESULT_CACHE_TTL_MS, type ResultCache } from './result-cache.js';
import { runTask, type TaskHandler, type TaskOutcome } from './run-task.js';
import type { CompiledSchema } from './schema-validator.js';
import type { ServiceEventListener } from './service-event.js';
import { TaskCancelledError } from './task-cancelled-error.js';
import { toTaskError } from './to-task-error.js';

/** How many finished tasks are remembered for answering repeats by task id. */
const FINISHED_TASKS_KEPT = 10_000;
/** setTimeout cannot wait longer; a deadline further away is not timed locally. */
const MAX_TIMER_MS = 2_147_483_647;

export interface TaskDispatcherOptions {
  handler: TaskHandler<never, unknown>;
  input: CompiledSchema;
  output: CompiledSchema;
  maxConcurrency: number;
  resultCache: ResultCache;
  /** Sends an outcome: it goes into the outbox and, when connected, onto the socket. */
  deliver(message: ServiceMessage): void;
  /** Whether an outcome sent earlier is still waiting for its ack (then the outbox sends it again itself). */
  isUnacknowledged(messageId: string): boolean;
  /** Sends a best-effort message (progress) when connected. */
  sendNow(message: ServiceMessage): void;
  maxMessageBytes(): number;
  emit: ServiceEventListener;
}

export class TaskDispatcher {
  readonly #options: TaskDispatcherOptions;
  readonly #limit: ConcurrencyLimit;
  readonly #running = new Map<string, AbortController>();
  readonly #finished = new Map<string, ServiceMessage>();
  readonly #inFlightKeys = new Map<string, Promise<TaskOutcome>>();
  #idleWaiters: Array<() => void> = [];

  constructor(options: TaskDispatcherOptions) {
    this.#options = options;
    this.#limit = new ConcurrencyLimit(options.maxConcurrency);
  }

  get runningTasks(): number {
    return this.#running.size;
  }

  receive(task: TaskMessage): void {
    if (this.#repeat(task.taskId)) return;
    const controller = new AbortController();
    this.#running.set(task.taskId, controller);
    void this.#run(task, controller);
  }

  /** A task this SDK could not accept: answered with `error` (not retryable) instead of running it. */
  refuse(taskId: string, error: TaskError): void {
    if (this.#repeat(taskId)) return;
    this.#finish(taskId, { type: 'task-error', id: randomUUID(), taskId, error });
    this.#options.emit({ type: 'task-finish', taskId, outcome: 'task-error', reused: false, error });
  }

  /** Whether `taskId` runs or ran here already; a finished one's outcome is sent again unless it waits for its ack. */
  #repeat(taskId: string): boolean {
    if (this.#running.has(taskId)) {
      this.#options.emit({ type: 'task-repeat', taskId, state: 'running' });
      return true;
    }
    const finished = this.#finished.get(taskId);
    if (finished === undefined) return false;
    this.#options.emit({ type: 'task-repeat', taskId, state: 'finished' });
    if (!this.#options.isUnacknowledged(finished.id)) this.#finish(taskId, { ...finished, id: randomUUID() });
    return true;
  }

  cancel(message: CancelMessage): void {
    const controller = this.#running.get(message.taskId);
    if (controller === undefined || controller.signal.aborted) return;
    controller.abort(new TaskCancelledError({ taskId: message.taskId, reason: 'cancelled', detail: message.reason }));
  }

  whenIdle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #run(task: TaskMessage, controller: AbortController): Promise<void> {
    const emit = this.#options.emit;
    emit({ type: 'task-start', taskId: task.taskId, attempt: task.attempt, idempotencyKey: task.idempotencyKey });
    const timer = this.#deadlineTimer(task, controller);
    let outcome: TaskOutcome;
    let reused = false;
    try {
      ({ outcome, reused } = await this.#outcomeFor(task, controller.signal));
    } catch (error) {
      outcome = { type: 'task-error', error: toTaskError(error) };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    const message = this.#toMessage(task.taskId, outcome);
    this.#running.delete(task.taskId);
    this.#finish(task.taskId, message);
    const error = message.type === 'task-error' ? message.error : undefined;
    emit({ type: 'task-finish', taskId: task.taskId, outcome: outcome.type, reused, ...(error ? { error } : {}) });
    if (this.#running.size === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #finish(taskId: string, message: ServiceMessage): void {
    this.#finished.delete(taskId);
    this.#finished.set(taskId, message);
    if (this.#finished.size > FINISHED_TASKS_KEPT) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
    this.#options.deliver(message);
  }

  #deadlineTimer(task: TaskMessage, controller: AbortController): NodeJS.Timeout | undefined {
    if (task.deadline === null) return undefined;
    const delay = Math.max(0, task.deadline - Date.now());
    if (delay > MAX_TIMER_MS) return undefined;
    const detail = new Date(task.deadline).toISOString();
    return setTimeout(() => {
      if (!controller.signal.aborted) {
        controller.abort(new TaskCancelledError({ taskId: task.taskId, reason: 'deadline-exceeded', detail }));
      }
    }, delay);
  }

  async #outcomeFor(task: TaskMessage, signal: AbortSignal): Promise<{ outcome: TaskOutcome; reused: boolean }> {
    const key = task.idempotencyKey;
    if (key === '') return { outcome: await this.#execute(task, signal), reused: false };
    const cached = await this.#options.resultCache.get(key).catch((error: unknown) => {
      this.#options.emit({ type: 'store-error', store: 'result-cache', message: String(error) });
      return undefined;
    });
    if (cached !== undefined) return { outcome: { type: 'result', output: cached.output }, reused: true };
    const inFlight = this.#inFlightKeys.get(key);
    if (inFlight !== undefined) return { outcome: await inFlight, reused: true };
    const run = this.#execute(task, signal).then(async (outcome) => {
      if (outcome.type === 'result') {
        await this.#options.resultCache.set(key, { output: outcome.output }, RESULT_CACHE_TTL_MS).catch((error) => {
          this.#options.emit({ type: 'store-error', store: 'result-cache', message: String(error) });
        });
      }
      return outcome;
    });
    this.#inFlightKeys.set(key, run);
    try {
      return { outcome: await run, reused: false };
    } finally {
      this.#inFlightKeys.delete(key);
    }
  }

  async #execute(task: TaskMessage, signal: AbortSignal): Promise<TaskOutcome> {
    const release = await this.#limit.acquire();
    try {
      if (signal.aborted) return { type: 'task-error', error: toTaskError(signal.reason, signal) };
      return await runTask({
        task,
        handler: this.#options.handler,
        input: this.#options.input,
        output: this.#options.output,
        signal,
        progress: (data) => this.#options.sendNow({ type: 'progress', id: randomUUID(), taskId: task.taskId, data }),
      });
    } finally {
      release();
    }
  }

  #toMessage(taskId: string, outcome: TaskOutcome): ServiceMessage {
    const id = randomUUID();
    const message: ServiceMessage =
      outcome.type === 'result'
        ? { type: 'result', id, taskId, output: outcome.output }
        : outcome.type === 'abort'
          ? {
              type: 'abort',
              id,
              taskId,
              payload: outcome.payload,
              ...(outcome.reason ? { reason: outcome.reason } : {}),
            }
          : { type: 'task-error', id, taskId, error: outcome.error };
    const text = encoded(message);
    const bytes = text === undefined ? undefined : Buffer.byteLength(text);
    const refuse = (code: string, said: string) =>
      ({ type: 'task-error', id, taskId, error: { message: said, code, retryable: false } }) as const;
    if (bytes === undefined || bytes > this.#options.maxMessageBytes()) {
      const problem = bytes === undefined ? 'cannot be serialised as JSON' : `is ${bytes} bytes`;
      return refuse(
        bytes === undefined ? 'output-not-serialisable' : 'output-too-large',
        `the ${outcome.type} message ${problem}; the server accepts at most ${this.#options.maxMessageBytes()} bytes`,
      );
    }
    // The server refuses a frame nested deeper than this and would wait for an outcome it can use.
    if (text !== undefined && jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return refuse(
        'output-too-deep',
        `the ${outcome.type} message nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep, the most the server takes; flatten it`,
      );
    }
    return message;
  }
}

function encoded(message: ServiceMessage): string | undefined {
  try {
    return encodeFrame(message);
  } catch {
    return undefined;
  }
}
