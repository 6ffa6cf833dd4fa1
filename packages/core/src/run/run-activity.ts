/**
 * Knows when a run is waiting on nothing but people and timers: every leaf step in flight is blocked on an approval
 * or a timer. A durable engine then parks the run (stores it and lets it leave memory) instead of holding it.
 */

export class RunActivity {
  private running = 0;
  private readonly blocked = new Map<symbol, number | null>();

  /** Called when every running step is blocked, with the earliest time something will wake the run (or null). */
  onIdle: ((wakeAt: number | null) => void) | undefined;

  enter(): void {
    this.running++;
  }

  leave(): void {
    this.running--;
    this.check();
  }

  /** Marks one running step as blocked until `wakeAt` (or until someone decides); returns the unblock function. */
  block(wakeAt: number | null): () => void {
    const token = Symbol('blocked');
    this.blocked.set(token, wakeAt);
    this.check();
    return () => {
      this.blocked.delete(token);
    };
  }

  /** The earliest wake time while every running step is blocked (null: only people can wake it); else undefined. */
  idleWakeAt(): number | null | undefined {
    if (this.blocked.size === 0 || this.running !== this.blocked.size) return undefined;
    let wakeAt: number | null = null;
    for (const at of this.blocked.values()) if (at !== null && (wakeAt === null || at < wakeAt)) wakeAt = at;
    return wakeAt;
  }

  private check(): void {
    if (!this.onIdle) return;
    const wakeAt = this.idleWakeAt();
    if (wakeAt !== undefined) this.onIdle(wakeAt);
  }
}
