/**
 * Turns what happens to a durable engine into notices (`onNotice`) and typed errors (`onError`): runs it leaves and
 * why, runs that wait for another engine's lease, and the store's wake-up channel lost and back.
 */

import { serializeError } from '../run/serialize-error.js';
import type { StoredRun, WorkSignalStatus } from '../storage/run-store.js';
import { type EngineNotice, RunLeftError } from './engine-notice.js';

/** Reasons to leave a run that are no failure: it waits, or the engine is closing on purpose. */
const EXPECTED = new Set(['parked', 'the engine is closing']);

/** At most this many `run-lease-wait` notices when an engine starts. */
const MAX_LEASE_WAIT_NOTICES = 100;

type NoticeInput = EngineNotice extends infer N ? (N extends EngineNotice ? Omit<N, 'timestamp'> : never) : never;

export class EngineReporter {
  constructor(
    private readonly onNotice: (notice: EngineNotice) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  notice(notice: NoticeInput): void {
    try {
      this.onNotice({ ...notice, timestamp: Date.now() } as EngineNotice);
    } catch (error) {
      this.onError(error);
    }
  }

  /** A run left this engine; a failure behind it also reaches `onError` as a RunLeftError. */
  runLeft(runId: string, reason: string, cause?: unknown): void {
    if (reason === 'parked') return;
    const error = cause === undefined ? undefined : serializeError(cause);
    this.notice({ type: 'run-detach', runId, reason, ...(error === undefined ? {} : { error }) });
    if (!EXPECTED.has(reason)) this.onError(new RunLeftError(runId, reason, cause));
  }

  /** A listener threw on an event of a run that was already stored as finished: it cannot fail the run any more. */
  listenerError(runId: string, error: unknown): void {
    this.notice({ type: 'engine-error', runId, error: serializeError(error) });
    this.onError(error);
  }

  workSignal(status: WorkSignalStatus): void {
    if (status.state === 'recovered') {
      this.notice({ type: 'work-signal-recovered', downMs: status.downMs, attempts: status.attempts });
      return;
    }
    const { attempt, retryInMs } = status;
    this.notice({ type: 'work-signal-lost', error: serializeError(status.error), attempt, retryInMs });
    // Once per outage: the notices say how the retries go.
    if (attempt === 1) this.onError(status.error);
  }

  /** Says which unfinished runs other engines hold, and until when: they are taken over here only after that. */
  leaseWaits(held: readonly StoredRun[], engineId: string): void {
    const now = Date.now();
    let told = 0;
    for (const run of held) {
      if (run.owner === null || run.owner === engineId || run.leaseExpiresAt === null || run.leaseExpiresAt <= now) {
        continue;
      }
      this.notice({ type: 'run-lease-wait', runId: run.id, holder: run.owner, leaseExpiresAt: run.leaseExpiresAt });
      if (++told >= MAX_LEASE_WAIT_NOTICES) return;
    }
  }
}
