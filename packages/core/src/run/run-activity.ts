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

  private check(): void {
    if (this.blocked.size === 0 || this.running !== this.blocked.size || !this.onIdle) return;
    let wakeAt: number | null = null;
    for (const at of this.blocked.values()) if (at !== null && (wakeAt === null || at < wakeAt)) wakeAt = at;
    this.onIdle(wakeAt);
  }
}
