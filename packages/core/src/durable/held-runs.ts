/**
 * The runs a durable engine holds, and the lease keeper that keeps holding them: a heartbeat (a third of the lease)
 * renews every lease, reports the runs whose lease another engine took, and cancels the held runs another process
 * asked to cancel. The keeper runs while runs are held, or for as long as the engine claims runs.
 */
import type { RunRecord } from '../run/run-record.js';
import type { RunStore } from '../storage/run-store.js';

export interface HeldRunsSettings {
  store: RunStore;
  engineId: string;
  leaseMs: number;
  recordFor(runId: string): RunRecord;
  onError(error: unknown): void;
}

export class HeldRuns {
  readonly #owned = new Set<string>();
  readonly #settings: HeldRunsSettings;
  /** Called for each run whose lease was lost to another engine. */
  readonly #onLost: (runId: string) => void;
  #keeper: ReturnType<typeof setInterval> | undefined;
  /** The engine claims runs: the keeper runs even while nothing is held. */
  #pinned = false;
  /** Ends a wait for a free slot. */
  #slotFreed: (() => void) | undefined;

  constructor(settings: HeldRunsSettings, onLost: (runId: string) => void) {
    this.#settings = settings;
    this.#onLost = onLost;
  }

  get size(): number {
    return this.#owned.size;
  }

  has(runId: string): boolean {
    return this.#owned.has(runId);
  }

  ids(): string[] {
    return [...this.#owned];
  }

  add(runId: string): void {
    this.#owned.add(runId);
    this.#startKeeper();
  }

  delete(runId: string): void {
    this.#owned.delete(runId);
    this.#slotFreed?.();
    if (this.#owned.size === 0 && this.#keeper && !this.#pinned) {
      clearInterval(this.#keeper);
      this.#keeper = undefined;
    }
  }

  /** Keeps the heartbeat going while the engine claims runs, held or not. */
  keepRenewing(): void {
    this.#pinned = true;
    this.#startKeeper();
  }

  stop(): void {
    if (this.#keeper) clearInterval(this.#keeper);
    this.#keeper = undefined;
  }

  /** Resolves when a held run is let go, after `timeoutMs`, or when `signal` aborts. */
  untilSlotFree(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#slotFreed = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#slotFreed = done;
    });
  }

  #startKeeper(): void {
    if (this.#keeper) return;
    this.#keeper = setInterval(() => void this.#renew(), Math.max(50, Math.floor(this.#settings.leaseMs / 3)));
    this.#keeper.unref();
  }

  async #renew(): Promise<void> {
    if (this.#owned.size === 0) return;
    const { store, engineId, leaseMs, recordFor } = this.#settings;
    try {
      const { lost, cancelRequested } = await store.renewLeases(engineId, [...this.#owned], leaseMs);
      for (const runId of lost) this.#onLost(runId);
      // Cancelled from another process: the live segment fails as cancelled and is compensated. A run not attached
      // yet is caught by the next heartbeat, or when it is resumed after its claim.
      for (const [runId, reason] of cancelRequested) {
        if (this.#owned.has(runId)) recordFor(runId).current?.cancel(reason);
      }
    } catch (error) {
      this.#settings.onError(error);
    }
  }
}
