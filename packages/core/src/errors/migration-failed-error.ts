/** A migration between two versions of a target threw while turning a step's input forward or its output back. */
import { BatonError } from './baton-error.js';
import { clipText } from './quote-text.js';

export interface MigrationFailedDetails {
  /** The target's name. */
  name: string;
  from: string;
  to: string;
  /** `input`: old input → new input; `output`: new output → old output. */
  direction: 'input' | 'output';
  cause: unknown;
}

export class MigrationFailedError extends BatonError {
  readonly targetName: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'input' | 'output';

  constructor(details: MigrationFailedDetails) {
    const reason = details.cause instanceof Error ? details.cause.message : String(details.cause);
    super(
      'migration-failed',
      `the migration of ${clipText(details.name)} from ${details.from} to ${details.to} threw on the ` +
        `${details.direction}: ${clipText(reason, 400)}`,
      { cause: details.cause },
    );
    this.name = 'MigrationFailedError';
    this.targetName = details.name;
    this.from = details.from;
    this.to = details.to;
    this.direction = details.direction;
  }

  static override isInstance(error: unknown): error is MigrationFailedError {
    return BatonError.isInstance(error) && error.code === 'migration-failed';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      targetName: this.targetName,
      from: this.from,
      to: this.to,
      direction: this.direction,
    };
  }
}
