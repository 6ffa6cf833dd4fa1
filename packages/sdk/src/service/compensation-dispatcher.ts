/**
 * Receives `compensate` messages and runs the service's `revert` once per compensation id: a repeat while it runs
 * is ignored, a repeat after it finished gets the stored answer again. A revert that succeeded is also remembered by
 * its idempotency key (in the result cache, under `revert:<key>`): the server sends an undo again under a new id
 * when it restarted before taking the answer, and that undo is answered as done without running it twice; one sent
 * again while the first still runs gets that one's answer.
 */
import { randomUUID } from 'node:crypto';
import type {
  CancelMessage,
  CompensateMessage,
  CompensationResultMessage,
  ServiceMessage,
  TaskError,
} from '@baton/protocol';
import { RESULT_CACHE_TTL_MS, type ResultCache } from './result-cache.js';
import type { ServiceEventListener } from './service-event.js';
import { TaskCancelledError } from './task-cancelled-error.js';
import { toTaskError } from './to-task-error.js';

const FINISHED_COMPENSATIONS_KEPT = 10_000;
const MAX_TIMER_MS = 2_147_483_647;

export interface RevertContext<Input = unknown, Output = unknown> {
  /** The input the step ran with, as the server stored it (not validated again). */
  input: Input;
  /** The output the step returned, as the server stored it. */
  output: Output;
  /** Why the step is being undone. */
  reason: { code: string; message: string };
  /** What a handler passed to `ctx.abort`, if one aborted the orchestration. */
  payload: unknown;
  attempt: number;
  idempotencyKey: string;
  compensationId: string;
  orchestrationId: string;
  stepId: string;
  /**
   * Aborts when the server cancels the compensation (the engine stopped waiting for it: its run was handed to another
   * engine, say) or its deadline passes; the reason is a `TaskCancelledError` naming the compensation id.
   */
  signal: AbortSignal;
}

export type RevertHandler<Input = unknown, Output = unknown> = (context: RevertContext<Input, Output>) => unknown;

export interface CompensationDispatcherOptions {
  revert: RevertHandler<never, never> | undefined;
  /** Where reverts that succeeded are remembered by idempotency key. */
  resultCache: ResultCache;
  deliver(message: ServiceMessage): void;
  isUnacknowledged(messageId: string): boolean;
  emit: ServiceEventListener;
}

export class CompensationDispatcher {
  readonly #options: CompensationDispatcherOptions;
  /** Reverts running now, by compensation id, with what aborts their signal. */
  readonly #running = new Map<string, AbortController>();
  readonly #finished = new Map<string, CompensationResultMessage>();
  /** Reverts running now, by idempotency key: one sent again under another id waits for it. */
  readonly #byKey = new Map<string, Promise<void>>();
  #idleWaiters: Array<() => void> = [];

  constructor(options: CompensationDispatcherOptions) {
    this.#options = options;
  }

  get running(): number {
    return this.#running.size;
  }

  receive(message: CompensateMessage): void {
    if (this.#repeat(message.compensationId)) return;
    const controller = new AbortController();
    this.#running.set(message.compensationId, controller);
    void this.#run(message, controller);
  }

  /** A compensation this SDK could not accept: answered `ok: false` with `error` (not retryable), not reverted. */
  refuse(compensationId: string, error: TaskError): void {
    if (this.#repeat(compensationId)) return;
    this.#finish({ type: 'compensation-result', id: randomUUID(), compensationId, ok: false, error });
    this.#options.emit({ type: 'compensation-finish', compensationId, ok: false, error });
  }

  /** Whether `compensationId` runs or ran here already; a finished one's answer is sent again unless unacknowledged. */
  #repeat(compensationId: string): boolean {
    if (this.#running.has(compensationId)) return true;
    const finished = this.#finished.get(compensationId);
    if (finished === undefined) return false;
    if (!this.#options.isUnacknowledged(finished.id)) this.#finish({ ...finished, id: randomUUID() });
    return true;
  }

  /** A `cancel` whose id is a running compensation's aborts its revert's signal; any other id is not ours. */
  cancel(message: CancelMessage): void {
    const controller = this.#running.get(message.taskId);
    if (controller === undefined || controller.signal.aborted) return;
    controller.abort(new TaskCancelledError({ taskId: message.taskId, reason: 'cancelled', detail: message.reason }));
  }

  whenIdle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #run(message: CompensateMessage, controller: AbortController): Promise<void> {
    const { compensationId } = message;
    this.#options.emit({ type: 'compensation-start', compensationId });
    const timer = deadlineTimer(message, controller);
    let answer: CompensationResultMessage;
    try {
      await this.#revertOnce(message, controller.signal);
      answer = { type: 'compensation-result', id: randomUUID(), compensationId, ok: true };
    } catch (error) {
      const taskError = toTaskError(error, controller.signal);
      answer = { type: 'compensation-result', id: randomUUID(), compensationId, ok: false, error: taskError };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    this.#running.delete(compensationId);
    this.#finish(answer);
    const error = answer.error;
    this.#options.emit({ type: 'compensation-finish', compensationId, ok: answer.ok, ...(error ? { error } : {}) });
    if (this.#running.size === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** The revert, unless one under the same idempotency key succeeded already or runs now. */
  async #revertOnce(message: CompensateMessage, signal: AbortSignal): Promise<void> {
    const key = message.idempotencyKey;
    if (key === '') return this.#revert(message, signal);
    const running = this.#byKey.get(key);
    if (running !== undefined) return running;
    const cache = this.#options.resultCache;
    const storeError = (error: unknown) => {
      this.#options.emit({ type: 'store-error', store: 'result-cache', message: String(error) });
      return undefined;
    };
    const once = (async () => {
      if ((await cache.get(`revert:${key}`).catch(storeError)) !== undefined) return;
      await this.#revert(message, signal);
      await cache.set(`revert:${key}`, { output: true }, RESULT_CACHE_TTL_MS).catch(storeError);
    })();
    this.#byKey.set(key, once);
    try {
      await once;
    } finally {
      this.#byKey.delete(key);
    }
  }

  async #revert(message: CompensateMessage, signal: AbortSignal): Promise<void> {
    const revert = this.#options.revert as RevertHandler | undefined;
    if (revert === undefined) {
      throw Object.assign(new Error('this service has no revert handler, so it cannot undo a step'), {
        code: 'not-revertible',
        retryable: false,
      });
    }
    await revert({
      input: message.input,
      output: message.output,
      reason: message.reason,
      payload: message.payload,
      attempt: message.attempt,
      idempotencyKey: message.idempotencyKey,
      compensationId: message.compensationId,
      orchestrationId: message.orchestrationId,
      stepId: message.stepId,
      signal,
    });
  }

  #finish(answer: CompensationResultMessage): void {
    this.#finished.delete(answer.compensationId);
    this.#finished.set(answer.compensationId, answer);
    if (this.#finished.size > FINISHED_COMPENSATIONS_KEPT) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
    this.#options.deliver(answer);
  }
}

function deadlineTimer(message: CompensateMessage, controller: AbortController): NodeJS.Timeout | undefined {
  if (message.deadline === null) return undefined;
  const delay = Math.max(0, message.deadline - Date.now());
  if (delay > MAX_TIMER_MS) return undefined;
  return setTimeout(() => {
    const error = Object.assign(new Error(`compensation ${message.compensationId} passed its deadline`), {
      name: 'TimeoutError',
      code: 'deadline-exceeded',
      retryable: true,
    });
    controller.abort(error);
  }, delay);
}
