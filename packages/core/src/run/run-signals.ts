/**
 * Internal reasons a run's execution stops without the run ending: it parks (waits on people or timers only), or it
 * detaches (its lease was lost, the engine is closing, or its journal lost an entry) and another life of it continues
 * elsewhere, or here.
 */
import { BatonError } from '../errors/baton-error.js';

export class RunParkedSignal extends BatonError {
  constructor(readonly wakeAt: number | null) {
    super('run-parked', 'the run is waiting on approvals or timers only and was parked');
    this.name = 'RunParkedSignal';
  }

  static override isInstance(error: unknown): error is RunParkedSignal {
    return BatonError.isInstance(error) && error.code === 'run-parked';
  }
}

export class RunDetachedSignal extends BatonError {
  /** The run is still this engine's: it may start a new life of it here, from its journal, at once. */
  readonly restartHere: boolean;
  /** Why, in words: `its lease was lost to another engine`, `the engine is closing`, … */
  readonly reason: string;

  constructor(reason: string, options: { cause?: unknown; restartHere?: boolean } = {}) {
    super('run-detached', `the run left this engine: ${reason}`, { cause: options.cause });
    this.name = 'RunDetachedSignal';
    this.reason = reason;
    this.restartHere = options.restartHere === true;
  }

  static override isInstance(error: unknown): error is RunDetachedSignal {
    return BatonError.isInstance(error) && error.code === 'run-detached';
  }
}
