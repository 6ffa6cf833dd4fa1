/**
 * A migration between two versions of a target threw while turning a step's input forward or its output back, or the
 * target failed with a programming error on the input it made. Never retried: a migration bug does not heal.
 */
import { BatonError } from './baton-error.js';
import { describeValue } from './describe-value.js';
import { clipText } from './quote-text.js';

export interface MigrationFailedDetails {
  /** The target's name. */
  name: string;
  from: string;
  to: string;
  /** `input`: old input → new input; `output`: new output → old output. */
  direction: 'input' | 'output';
  cause: unknown;
  /**
   * Set when the migration itself ran but the target failed with a programming error (a `TypeError`) on the input it
   * made: most often the migration read a field the step's input does not have.
   */
  migratedInput?: unknown;
}

export class MigrationFailedError extends BatonError {
  readonly targetName: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'input' | 'output';

  /** `migration`: the migration threw; `call`: the target failed on the input the migration made. */
  readonly stage: 'migration' | 'call';

  constructor(details: MigrationFailedDetails) {
    const reason = clipText(details.cause instanceof Error ? details.cause.message : String(details.cause), 400);
    const migration = `the migration of ${clipText(details.name)} from ${details.from} to ${details.to}`;
    const call = 'migratedInput' in details;
    super(
      'migration-failed',
      call
        ? `${clipText(details.name)}@${details.to} failed on the input ${migration} made ` +
            `(${describeValue(details.migratedInput)}): ${reason}; check the migration's input function, or give it ` +
            `fromSchemas so plans are checked against ${details.from}'s input`
        : `${migration} threw on the ${details.direction}: ${reason}`,
      { cause: details.cause },
    );
    this.stage = call ? 'call' : 'migration';
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
      stage: this.stage,
    };
  }
}
