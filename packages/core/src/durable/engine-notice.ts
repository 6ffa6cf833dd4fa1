/**
 * What a durable engine says about itself, beside the events of its runs: a run it had to leave and why, a run that
 * waits for another engine's lease, an error of its background loops, and the store's wake-up channel lost (it polls
 * meanwhile) and back. Delivered to `onNotice`; the ones that report a failure also reach `onError`, typed.
 */
import { BatonError } from '../errors/baton-error.js';
import type { SerializedError } from '../events/run-event.js';

export type EngineNotice =
  | {
      type: 'run-detach';
      runId: string;
      /** Why the run left this engine: `its journal kept failing`, `the store refused a write`, … */
      reason: string;
      /** What caused it, when something failed. */
      error?: SerializedError;
      timestamp: number;
    }
  | {
      type: 'run-lease-wait';
      runId: string;
      /** The engine whose lease holds the run. */
      holder: string;
      /** When its lease expires unless renewed (ms since epoch); the run is taken over here after that. */
      leaseExpiresAt: number;
      timestamp: number;
    }
  | { type: 'engine-error'; error: SerializedError; runId?: string; timestamp: number }
  | { type: 'work-signal-lost'; error: SerializedError; attempt: number; retryInMs: number; timestamp: number }
  | { type: 'work-signal-recovered'; downMs: number; attempts: number; timestamp: number };

/** A durable run left this engine because something failed; it goes on elsewhere, or here later, from its journal. */
export class RunLeftError extends BatonError {
  readonly runId: string;
  readonly reason: string;

  constructor(runId: string, reason: string, cause?: unknown) {
    const why = cause instanceof Error ? `: ${cause.message}` : '';
    super(
      'run-left',
      `run ${runId} left this engine because ${reason}${why}; another engine (or this one) resumes it from its journal once its lease expires`,
      { cause, retryable: true },
    );
    this.name = 'RunLeftError';
    this.runId = runId;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is RunLeftError {
    return BatonError.isInstance(error) && error.code === 'run-left';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), runId: this.runId, reason: this.reason };
  }
}

/** One line for a log. */
export function describeNotice(notice: EngineNotice): string {
  switch (notice.type) {
    case 'run-detach':
      return `run ${notice.runId} left this engine: ${notice.reason}${notice.error ? ` (${notice.error.message})` : ''}`;
    case 'run-lease-wait':
      return `run ${notice.runId} is held by engine ${notice.holder} until ${new Date(notice.leaseExpiresAt).toISOString()}; taken over here if that lease expires`;
    case 'engine-error':
      return `${notice.runId ? `run ${notice.runId}: ` : ''}${notice.error.message}`;
    case 'work-signal-lost':
      return `lost the store's wake-up channel (attempt ${notice.attempt}: ${notice.error.message}); polling, next try in ${notice.retryInMs} ms`;
    case 'work-signal-recovered':
      return `the store's wake-up channel is back after ${notice.downMs} ms (${notice.attempts} failed attempts)`;
  }
}
