/**
 * Helpers the engine's tests share: a registry with a few real async targets, an event collector and a concurrency
 * gauge. Not exported from the package.
 */

import { createEngine, type EngineOptions } from '../engine/engine.js';
import type { RunEvent, RunEventType } from '../events/run-event.js';
import { createRegistry, type Registry } from '../registry/registry.js';
import type { HandlerContext, TargetDefinition } from '../registry/target.js';
import type { RunHandle } from './run-types.js';

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Counts calls in flight and remembers the most seen at once. */
export function concurrencyGauge() {
  let active = 0;
  let max = 0;
  return {
    get max() {
      return max;
    },
    async around<T>(work: () => Promise<T>): Promise<T> {
      active++;
      max = Math.max(max, active);
      try {
        return await work();
      } finally {
        active--;
      }
    },
  };
}

// Tests register handlers of many input shapes; `any` keeps each one's own typing at the call site.
// biome-ignore-start lint/suspicious/noExplicitAny: test helpers
export interface Kit {
  registry: Registry;
  /** Registers a target with a description filled in. */
  add<I = any, O = any>(
    name: string,
    handler: (input: I, ctx: HandlerContext) => O | Promise<O>,
    extra?: Partial<TargetDefinition<I, O>>,
  ): void;
  engine(options?: Omit<EngineOptions, 'registry'>): ReturnType<typeof createEngine>;
}

export function kit(): Kit {
  const registry = createRegistry();
  return {
    registry,
    add(name, handler, extra = {}) {
      registry.register({ name, description: `${name} for tests`, handler, ...extra });
    },
    engine: (options = {}) => createEngine({ registry, ...options }),
  };
}

/** Waits for the run to end either way and returns its events and outcome. */
export async function settle(handle: RunHandle) {
  const events: RunEvent[] = [];
  for await (const event of handle) events.push(event);
  const outcome = await handle.result().then(
    (result) => ({ result, error: undefined as any }),
    (error: any) => ({ result: undefined, error }),
  );
  return { events, ...outcome };
}

export function ofType<T extends RunEventType>(events: readonly RunEvent[], type: T): Extract<RunEvent, { type: T }>[] {
  return events.filter((event): event is Extract<RunEvent, { type: T }> => event.type === type);
}

/** The event types in order, with the step id where there is one: `step-start:a`. */
export function sequence(events: readonly RunEvent[]): string[] {
  return events.map((event) => ('stepId' in event && event.stepId ? `${event.type}:${event.stepId}` : event.type));
}

/** Rejection value of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

// biome-ignore-end lint/suspicious/noExplicitAny: test helpers

/** Error thrown like an HTTP client does: with a status and optional headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}
