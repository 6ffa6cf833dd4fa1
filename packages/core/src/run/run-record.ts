/**
 * One run as its caller sees it: a handle whose events and result span every life of the run. A durable run can
 * leave this process (parked, or taken over after a lost lease) and come back; the handle stays the same, and
 * when the run finishes elsewhere the handle learns it from the store.
 */
import { EventStream } from '../events/event-stream.js';
import type { RunEvent } from '../events/run-event.js';
import type { RunHandle, RunResult } from './run-types.js';

/** Transitions a step makes once, though a later life of its run, going on after a park, starts the step again. */
const ONCE_PER_LIFETIME: ReadonlySet<string> = new Set(['step-start', 'timer-set', 'approval-request']);

export class RunRecord {
  readonly events: EventStream<RunEvent>;
  readonly handle: RunHandle;
  private settled = false;
  private resolveResult!: (result: RunResult) => void;
  private rejectResult!: (error: unknown) => void;
  private readonly done: Promise<RunResult>;
  /** The live segment's controls, while the run executes in this process. */
  current: { cancel(reason?: string): void; snapshot(): RunResult } | undefined;
  private last: RunResult;
  private pendingCancel: string | undefined;
  /** A cancel the live segment was given: should it park or leave all the same, the cancel follows the run. */
  private cancelGiven: string | undefined;
  /** What a later life must not tell again; only kept for a run that can have one (`mayResume`). */
  private readonly told = new Set<string>();

  constructor(
    readonly runId: string,
    retainEvents: boolean,
    /** Cancels a run that is not executing here (parked, or owned by another engine). */
    private readonly cancelRemote: (reason: string) => void,
    /** The run is stored, so it may park or be taken over and go on in a later life; an in-memory run has one life. */
    private readonly mayResume = true,
  ) {
    this.events = new EventStream<RunEvent>(retainEvents);
    this.done = new Promise<RunResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.done.catch(() => {});
    this.last = {
      runId,
      status: 'running',
      output: undefined,
      steps: {},
      usage: { tokens: 0, costUsd: 0 },
      startedAt: Date.now(),
      finishedAt: undefined,
    };
    this.handle = {
      runId,
      result: () => this.done,
      events: () => this.events,
      [Symbol.asyncIterator]: () => this.events[Symbol.asyncIterator](),
      cancel: (reason) => this.cancel(reason ?? 'cancelled by the caller'),
      snapshot: () => this.current?.snapshot() ?? this.last,
    };
  }

  get isSettled(): boolean {
    return this.settled;
  }

  /**
   * Whether `event` is news to this handle. A run that goes on after a park starts again the step it waited on: its
   * `step-start`, `timer-set` or `approval-request` was told in the earlier life, and is told once.
   */
  isNews(event: RunEvent): boolean {
    if (!this.mayResume || !ONCE_PER_LIFETIME.has(event.type)) return true;
    const { path, attempt } = event as { path?: readonly string[]; attempt?: number };
    const key = `${event.type}\u0000${(path ?? []).join('/')}\u0000${attempt ?? ''}`;
    if (this.told.has(key)) return false;
    this.told.add(key);
    return true;
  }

  /** A cancel that arrived while no segment was attached, to apply when one attaches. */
  takePendingCancel(): string | undefined {
    const reason = this.pendingCancel;
    this.pendingCancel = undefined;
    return reason;
  }

  detach(snapshot: RunResult): void {
    this.last = snapshot;
    this.current = undefined;
    // A cancel that came as the segment was parking (at its `approval-request`, say) found it past listening.
    const given = this.cancelGiven;
    this.cancelGiven = undefined;
    if (given !== undefined && !this.settled) {
      this.pendingCancel = given;
      this.cancelRemote(given);
    }
  }

  succeed(result: RunResult): void {
    if (this.settled) return;
    this.settled = true;
    this.last = result;
    this.current = undefined;
    this.resolveResult(result);
    this.events.close();
  }

  failWith(error: unknown, snapshot?: RunResult): void {
    if (this.settled) return;
    this.settled = true;
    if (snapshot) this.last = snapshot;
    this.current = undefined;
    this.rejectResult(error);
    this.events.close();
  }

  private cancel(reason: string): void {
    if (this.settled) return;
    if (this.current) {
      this.cancelGiven ??= reason;
      this.current.cancel(reason);
    } else {
      this.pendingCancel = reason;
      this.cancelRemote(reason);
    }
  }
}
