/**
 * Internal reasons a run's execution stops without the run ending: it parks (waits on people or timers only), or it
 * detaches (its lease was lost, or the engine is closing) and another life of it continues elsewhere.
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
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super('run-detached', `the run left this engine: ${reason}`, options);
    this.name = 'RunDetachedSignal';
  }

  static override isInstance(error: unknown): error is RunDetachedSignal {
    return BatonError.isInstance(error) && error.code === 'run-detached';
  }
}
