/** A counting semaphore without promises on the fast path: callers try to take a slot or queue a wake-up. */
export class Limiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly max: number) {}

  tryAcquire(): boolean {
    if (this.active >= this.max) return false;
    this.active++;
    return true;
  }

  /** `wake` runs once, the next time a slot frees up. */
  whenFree(wake: () => void): void {
    this.waiters.push(wake);
  }

  release(): void {
    this.active--;
    const wake = this.waiters.shift();
    if (wake) wake();
  }
}
